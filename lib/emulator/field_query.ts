import type { CatalogField } from "./field_catalog.ts";
import type { Failure } from "./responses.ts";
import { failure } from "./responses.ts";

/** The properties of a field a `q` may name. */
const TERMS: ReadonlyMap<string, keyof CatalogField> = new Map(
  (
    [
      "name",
      "internalName",
      "statement",
      "dataType",
      "hasNotNullConstraint",
      "hasReadOnlyConstraint",
      "hasUniquenessConstraint",
    ] as const
  ).map((term) => [term.toLowerCase(), term]),
);

const CRITERION = /^\s*(\w+)\s*(!=|=)\s*(.*?)\s*$/s;

/**
 * The filter of a fields list's `q` parameter, which Oracle documents for the Bulk API's fields
 * endpoints as `term operator value` with `*` as a wildcard, e.g. `?q="name=*Date*"` (the double quotes
 * are part of Oracle's example). Supported here: one criterion on a property of the field (`name`,
 * `internalName`, `statement`, `dataType`, the constraints), `=` or `!=`, the value optionally in single
 * quotes (`name='Amount'`, as the application API's `search` writes it), compared without case as
 * Eloqua's database does. Null without a `q`; failures (a 400) for a `q` the emulator cannot read.
 * (The application API's `search` parameter is not the Bulk API's: it is ignored, as the Bulk API
 * documents no such parameter.)
 */
export function fieldFilter(url: URL): ((field: CatalogField) => boolean) | null | Failure[] {
  const q = url.searchParams.get("q");
  if (q === null) return null;
  const unquoted = q.length >= 2 && q.startsWith('"') && q.endsWith('"') ? q.slice(1, -1) : q;
  const match = CRITERION.exec(unquoted);
  const property = match === null ? undefined : TERMS.get(match[1]!.toLowerCase());
  if (match === null || property === undefined) {
    return [
      failure(
        "q",
        `Must be one criterion "term=value" or "term!=value" on one of ${[...TERMS.values()].join(", ")}; * is a wildcard.`,
        q,
      ),
    ];
  }
  let value = match[3]!;
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1);
  const pattern = new RegExp(
    `^${value
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "is",
  );
  const negate = match[2] === "!=";
  return (field) => pattern.test(String(field[property] ?? "")) !== negate;
}
