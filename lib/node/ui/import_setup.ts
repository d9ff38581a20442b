import type { LinkageDefinitionOptions } from "../../client/definitions.ts";
import type { EloquaField } from "../../client/types.ts";
import { looseName } from "../../csv/header_mapping.ts";
import { isEloquaBulkError } from "../../errors.ts";
import { type ImportPlan, planImport } from "../../import/import_plan.ts";
import { fieldNames } from "../../schema.ts";
import type { KindArgument } from "../cli/args.ts";
import { importKindOf, linkageFlags } from "../cli/import_kinds.ts";

/** What the page chose: the kind, for linkages what they link to, and column → field overrides. */
export interface ImportChoice {
  readonly kind: KindArgument;
  /** For linkages: contacts (by e-mail address) or accounts (by company name). */
  readonly linkTo: "contacts" | "accounts";
  /** Source column → field (a record field's statement, or a linkage's definition key), as `--map` takes. */
  readonly map: Readonly<Record<string, string>>;
}

/** A field the page can map a column to. */
export interface FieldChoice {
  /** What the page sends back in `map`. */
  readonly value: string;
  readonly label: string;
  readonly required: boolean;
}

/** How one column is used, as the page shows it. */
export interface ColumnUse {
  readonly column: string;
  /** The `FieldChoice.value` it fills, or null when it is not imported. */
  readonly field: string | null;
  /** Why: by the map, by its name, or why not. */
  readonly how: string;
}

/** A problem the page shows instead of starting: a code and a sentence. */
export interface SetupProblem {
  readonly code: string;
  readonly message: string;
}

/** Everything an import of one file needs from the choice and the file's header, as the CLI builds it. */
export interface ImportSetup {
  readonly choices: readonly FieldChoice[];
  readonly mapping: readonly ColumnUse[];
  /** Set when the import cannot start (a required field without a column, an unknown field). */
  readonly problem: SetupProblem | undefined;
  /** For records: the plan (`importRows`' options). */
  readonly plan: ImportPlan | undefined;
  /** For linkages to accounts: the definition (contacts use the library's default, as the CLI does). */
  readonly linkage: LinkageDefinitionOptions | undefined;
  /** For linkages: definition key → source column. */
  readonly columns: Readonly<Record<string, string>>;
  /** The rejects file's field columns, as the CLI's `--rejects` writes them. */
  readonly rejectFields: readonly string[] | undefined;
}

/**
 * Plans the import of a file with `header` for `choice`, the way `eloqua-bulk import` does (same plan,
 * same columns, same rejects columns), so the page and the CLI import a file alike. `fields` are the
 * kind's fields from the target (unused for linkages).
 */
export function setupImport(
  header: readonly string[],
  fields: readonly EloquaField[],
  choice: ImportChoice,
): ImportSetup {
  if (choice.kind.name === "linkages") return setupLinkages(header, choice);
  const kind = importKindOf(choice.kind);
  const writable = fields.filter((f) => typeof f.statement === "string" && f.statement !== "");
  const choices = writable
    .filter((f) => f.hasReadOnlyConstraint !== true)
    .map((f) => ({ value: f.statement, label: f.name, required: f.hasNotNullConstraint === true }));
  let plan: ImportPlan | undefined;
  let problem: SetupProblem | undefined;
  try {
    plan = planImport(header, fields, { kind, map: choice.map });
  } catch (error) {
    problem = problemOf(error);
  }
  // Without a plan, the mapping is still shown (planned as if nothing were required) so it can be fixed.
  let shown = plan;
  if (shown === undefined) {
    try {
      const relaxed = fields.map((f) => ({ ...f, hasNotNullConstraint: false }));
      shown = planImport(header, relaxed, { kind, map: knownOnly(choice.map, header) });
    } catch {
      shown = undefined;
    }
  }
  const mapping = header.map((column, i) => {
    const m = shown?.mapping[i];
    return { column, field: m?.field?.statement ?? null, how: m?.how ?? "no field" };
  });
  return {
    choices,
    mapping,
    problem,
    plan,
    linkage: undefined,
    columns: plan?.options.columns ?? {},
    rejectFields: plan === undefined ? undefined : fieldNames(plan.options.schema),
  };
}

function setupLinkages(header: readonly string[], choice: ImportChoice): ImportSetup {
  const linkage = choice.linkTo === "accounts" ? linkageFlags({ "link-to": "accounts" }) : undefined;
  const keys = linkage === undefined ? ["OpportunityID", "EmailAddress"] : Object.keys(linkage.fields!);
  const choices = keys.map((key) => ({ value: key, label: key, required: true }));
  const columns: Record<string, string> = {};
  for (const [column, key] of Object.entries(choice.map)) {
    if (keys.includes(key) && header.includes(column)) columns[key] = column;
  }
  // Columns named like a key fill it, as the import matches them (loosely: "Opportunity ID").
  for (const key of keys) {
    if (columns[key] !== undefined) continue;
    const column = header.find((c) => looseName(c) === looseName(key) && !(c in choice.map));
    if (column !== undefined) columns[key] = column;
  }
  const mapping = header.map((column) => {
    const key = keys.find((k) => columns[k] === column);
    return {
      column,
      field: key ?? null,
      how: key === undefined ? "no field" : choice.map[column] === undefined ? "name" : "map",
    };
  });
  const missing = keys.filter((key) => columns[key] === undefined);
  const problem =
    missing.length === 0
      ? undefined
      : {
          code: "MAPPING_MISSING_REQUIRED",
          message: `The linkage import needs a column for ${missing.join(" and ")}, and none is mapped to ${missing.length === 1 ? "it" : "them"} (the file has: ${header.join(", ")}). Choose the column in the mapping.`,
        };
  return {
    choices,
    mapping,
    problem,
    plan: undefined,
    linkage,
    columns,
    rejectFields: linkage === undefined ? undefined : keys,
  };
}

function knownOnly(map: Readonly<Record<string, string>>, header: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([column]) => header.includes(column)));
}

/** A library error as a problem for the page: its code and message; anything else, a plain sentence. */
export function problemOf(error: unknown): SetupProblem {
  if (isEloquaBulkError(error)) return { code: error.code, message: sentence(pageHint(error.message)) };
  return { code: "UNEXPECTED", message: "Something unexpected went wrong; the server's log may say more." };
}

/** The library names its options; the page's users know the mapping table. */
function pageHint(message: string): string {
  return message
    .replace(/name the column with the map option \(--map "[^"]*" in the CLI\)/g, "choose its column")
    .replace(/map columns with the map option \(--map "Column=Field" in the CLI\)/g, "choose fields")
    .replace(/ \(list them with listFields, or "eloqua-bulk fields"\)/g, "")
    .replace(/; list the fields with listFields, or "eloqua-bulk fields"/g, "")
    .replace(/with the columns option$/, "in the mapping");
}

function sentence(text: string): string {
  const trimmed = text.trim().replace(/^[a-z]/, (c) => c.toUpperCase());
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
