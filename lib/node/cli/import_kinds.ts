import { readFile } from "node:fs/promises";
import type { EloquaBulkClient } from "../../client/client.ts";
import type { LinkageDefinitionOptions } from "../../client/definitions.ts";
import { customObjectImportKind, IMPORT_KINDS, type ImportKind } from "../../client/imports.ts";
import type { EloquaField } from "../../client/types.ts";
import { CsvParser } from "../../csv/csv_parser.ts";
import type { ImportPlan } from "../../import/import_plan.ts";
import type { FlagValues, KindArgument } from "./args.ts";
import { UsageError } from "./cli_errors.ts";

/** The library's import kind for a kind of the command line. */
export function importKindOf(kind: KindArgument): ImportKind {
  switch (kind.name) {
    case "linkages":
      return IMPORT_KINDS.opportunityContactLinkage;
    case "opportunities":
      return IMPORT_KINDS.opportunities;
    case "contacts":
      return IMPORT_KINDS.contacts;
    case "accounts":
      return IMPORT_KINDS.accounts;
    case "custom-object":
      return customObjectImportKind(kind.id!);
  }
}

/** Every field Eloqua lists for `kind`. */
export async function fieldsOf(
  client: EloquaBulkClient,
  kind: ImportKind,
  signal: AbortSignal,
): Promise<EloquaField[]> {
  const fields: EloquaField[] = [];
  for await (const field of client.listFields(kind, { signal })) fields.push(field);
  return fields;
}

/**
 * Source column → field from `--map "Column=Field"` (repeatable) and `--map-file` (a JSON object of
 * column → field, or a CSV whose rows are column,field); `--map` wins over the file. The last `=`
 * splits a `--map`: field names and statements have none, column names may.
 */
export async function mapFlags(flags: FlagValues): Promise<Record<string, string>> {
  const map: Record<string, string> = {};
  const path = flags["map-file"];
  if (path !== undefined) Object.assign(map, await readMapFile(path));
  for (const entry of flags.map ?? []) {
    const at = entry.lastIndexOf("=");
    const column = entry.slice(0, at).trim();
    const field = entry.slice(at + 1).trim();
    if (at < 0 || column === "" || field === "") {
      throw new UsageError(
        `--map takes "Source column=Field" (e.g. --map "Deal Id=OpportunityID"): got ${JSON.stringify(entry.slice(0, 60))}.`,
      );
    }
    map[column] = field;
  }
  return map;
}

async function readMapFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read --map-file ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}.`,
    );
  }
  if (/^\s*\{/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new UsageError(
        `--map-file ${path} starts like JSON but is not valid JSON: write {"Source column": "Field", …}.`,
      );
    }
    const entries = Object.entries(value as Record<string, unknown>);
    const bad = entries.find(([, field]) => typeof field !== "string" || field === "");
    if (bad !== undefined) {
      throw new UsageError(`--map-file ${path}: the column "${bad[0]}" must map to a field name (a string).`);
    }
    return Object.fromEntries(entries) as Record<string, string>;
  }
  // A CSV of column,field rows; a first row "column,field" is a header.
  const map: Record<string, string> = {};
  const parser = new CsvParser();
  let problem: string | undefined;
  const handler = {
    record(line: number): void {
      const [column = "", field = ""] = parser.fields().map((s) => s.trim());
      if (line === 1 && column.toLowerCase() === "column" && field.toLowerCase() === "field") return;
      if (parser.fieldCount === 1 && column === "") return;
      if (parser.fieldCount !== 2 || column === "" || field === "") {
        problem ??= `line ${line} must be "Source column,Field"`;
        return;
      }
      map[column] = field;
    },
    malformed(_code: string, message: string, line: number): void {
      problem ??= `line ${line}: ${message}`;
    },
  };
  parser.push(text, handler);
  parser.end(handler);
  if (problem !== undefined) throw new UsageError(`--map-file ${path}: ${problem}.`);
  return map;
}

/** The linkage definition `--link-to` and `--match-field` ask for. */
export function linkageFlags(flags: FlagValues): LinkageDefinitionOptions | undefined {
  const linkTo = flags["link-to"];
  const match = flags["match-field"];
  if (linkTo === undefined && match === undefined) return undefined;
  if (linkTo !== undefined && linkTo !== "contacts" && linkTo !== "accounts") {
    throw new UsageError(
      `--link-to must be contacts or accounts: got ${JSON.stringify(linkTo.slice(0, 40))}.`,
    );
  }
  const accounts = linkTo === "accounts";
  const field = match ?? (accounts ? "M_CompanyName" : "C_EmailAddress");
  if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(field)) {
    throw new UsageError(
      `--match-field must be the internal name of a ${accounts ? "account" : "contact"} field (e.g. ${accounts ? "M_CompanyName" : "C_EmailAddress"}; list them with "eloqua-bulk fields ${accounts ? "accounts" : "contacts"}").`,
    );
  }
  // The e-mail address keeps the column name linkage files have always had.
  const key = !accounts && field.toLowerCase() === "c_emailaddress" ? "EmailAddress" : field;
  const entity = accounts ? "Account" : "Contact";
  return {
    entityType: entity,
    fields: { OpportunityID: "{{Opportunity.Id}}", [key]: `{{Opportunity.${entity}.Field(${field})}}` },
    matchFieldName: "OpportunityID",
    sourceField: key,
  };
}

/** The mapping a plan uses, as lines for the terminal. */
export function formatMapping(plan: ImportPlan): string {
  const width = Math.min(40, Math.max(6, ...plan.mapping.map((m) => m.column.length)));
  const lines = plan.mapping.map((m) => {
    const column = JSON.stringify(m.column).padEnd(width + 2);
    if (m.field === undefined) {
      const why =
        m.how === "read-only"
          ? "read-only in Eloqua"
          : m.how === "duplicate"
            ? "its field is filled by an earlier column"
            : "no field of that name";
      return `  ${column} → (not imported: ${why})`;
    }
    const key = plan.options.schema.fields.find((f) => plan.options.columns[f.name] === m.column);
    const notes = [
      m.field.dataType ?? "string",
      key?.required ? "required" : "",
      key !== undefined && plan.identifier === key.name ? "identifier, dedupe key" : "",
      m.how === "map" ? "by --map" : "",
    ].filter((n) => n !== "");
    return `  ${column} → ${m.field.name} ${m.field.statement} (${notes.join(", ")})`;
  });
  return `Mapping (column → Eloqua field):\n${lines.join("\n")}\n`;
}
