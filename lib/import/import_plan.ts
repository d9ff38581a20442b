import { IMPORT_KINDS, type ImportKind } from "../client/imports.ts";
import type { EloquaField, ImportDefinitionInput } from "../client/types.ts";
import { looseName } from "../csv/header_mapping.ts";
import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";
import type { FieldFormat, FieldSpec, ImportSchema } from "../schema.ts";

/** How one source column is used. */
export interface ColumnMapping {
  /** The header's text. */
  readonly column: string;
  /** The Eloqua field it fills, or `undefined` when the column is not imported. */
  readonly field: EloquaField | undefined;
  /** Why: named by `map`, matched by the field's name, internal name or statement, or why not imported. */
  readonly how: "map" | "name" | "internalName" | "statement" | "no field" | "read-only" | "duplicate";
}

/** What {@linkcode planImport} decided: the options of `importRows` and how each column is used. */
export interface ImportPlan {
  /** Each column of the header, in order. */
  readonly mapping: readonly ColumnMapping[];
  /** The field that identifies a record, by its definition key; `undefined` when none (rows deduped on every field). */
  readonly identifier: string | undefined;
  /** The options `importRows` needs for this file. */
  readonly options: {
    readonly kind: ImportKind;
    readonly schema: ImportSchema;
    readonly definition: ImportDefinitionInput;
    /** Definition key → the column it is read from. */
    readonly columns: Readonly<Record<string, string>>;
  };
}

/** Options of {@linkcode planImport}. */
export interface PlanImportOptions {
  /** The import, e.g. `IMPORT_KINDS.opportunities` or `customObjectImportKind(12)`. */
  readonly kind: ImportKind;
  /**
   * Source column → field (its name, internal name or statement), for
   * columns not named like their field; overrides the matching by name.
   * @default {}
   */
  readonly map?: Readonly<Record<string, string>>;
  /**
   * The field that identifies a record (dedupe key and `identifierFieldName`).
   * @default the kind's: {{Opportunity.Id}}, the contact's e-mail address, the account's company name;
   *   else the first mapped field with a uniqueness constraint; else none
   */
  readonly identifier?: string;
  /**
   * The definition's name.
   * @default "eloqua-bulk-stream <kind> <date>"
   */
  readonly name?: string;
}

/** Stable codes of {@linkcode ImportPlanError}. */
export type ImportPlanErrorCode =
  | "MAPPING_MISSING_REQUIRED"
  | "MAPPING_UNKNOWN_FIELD"
  | "MAPPING_UNKNOWN_COLUMN"
  | "MAPPING_EMPTY";

/** The file's columns cannot fill the import: nothing was sent. The message lists what is missing and what the file has. */
export class ImportPlanError extends EloquaBulkError {
  override readonly name = "ImportPlanError";
  declare readonly code: ImportPlanErrorCode;
  constructor(code: ImportPlanErrorCode, message: string) {
    super(code, message);
  }
}

/** True when `error` is an {@linkcode ImportPlanError}. */
export function isImportPlanError(error: unknown): error is ImportPlanError {
  return isEloquaBulkError(error) && error.name === "ImportPlanError";
}

/** A record kind's name at the start of a loose column name. */
const RECORD_PREFIX = /^(?:opportunity|contact|account)/;

/** The identifying field of each kind, by statement (lowercased). */
const DEFAULT_IDENTIFIERS: Readonly<Record<string, string>> = {
  [IMPORT_KINDS.opportunities.path]: "{{opportunity.id}}",
  [IMPORT_KINDS.contacts.path]: "{{contact.field(c_emailaddress)}}",
  [IMPORT_KINDS.accounts.path]: "{{account.field(m_companyname)}}",
};

/**
 * Plans an import of records (opportunities, contacts, accounts, a custom
 * object) from a file's header and the fields Eloqua lists for the kind:
 * each column is matched to a field by `map`, else by the field's name,
 * internal name or statement, compared without case, spaces or punctuation
 * ("Opportunity ID" fills `OpportunityID`), then without a leading record
 * kind ("Opportunity Name" fills `Name`). Unmatched columns are not
 * imported. Throws {@linkcode ImportPlanError} when a field Eloqua requires
 * (`hasNotNullConstraint`) is not filled, or `map` names an unknown column
 * or field.
 *
 * The schema checks each value by its field's type (e-mail address, number,
 * date) and requiredness, and dedupes on the identifier.
 */
export function planImport(
  header: readonly string[],
  fields: readonly EloquaField[],
  options: PlanImportOptions,
): ImportPlan {
  const { kind } = options;
  const map = options.map ?? {};
  const writable = fields.filter((f) => typeof f.statement === "string" && f.statement !== "");
  const find = (name: string): EloquaField | undefined => {
    const loose = looseName(name);
    return (
      writable.find((f) => f.internalName === name || f.statement === name || f.name === name) ??
      writable.find((f) => looseName(f.internalName ?? "") === loose) ??
      writable.find((f) => looseName(f.name ?? "") === loose) ??
      writable.find((f) => looseName(f.statement) === loose)
    );
  };
  for (const [column, field] of Object.entries(map)) {
    if (!header.includes(column)) {
      throw new ImportPlanError(
        "MAPPING_UNKNOWN_COLUMN",
        `map "${column}=${field}": the file has no column "${column}" (it has: ${list(header)})`,
      );
    }
    if (find(field) === undefined) {
      throw new ImportPlanError(
        "MAPPING_UNKNOWN_FIELD",
        `map "${column}=${field}": the ${kind.name} import has no field "${field}" (list them with listFields, or "eloqua-bulk fields")`,
      );
    }
  }
  const used = new Set<EloquaField>();
  const mapping: ColumnMapping[] = header.map((column) => {
    const named = map[column];
    let field: EloquaField | undefined;
    let how: ColumnMapping["how"] = "no field";
    if (named !== undefined) {
      field = find(named);
      how = "map";
    } else {
      const loose = looseName(column);
      const matches: [ColumnMapping["how"], (f: EloquaField) => string][] = [
        ["name", (f) => f.name ?? ""],
        ["internalName", (f) => f.internalName ?? ""],
        ["statement", (f) => f.statement],
      ];
      // CRM exports often prefix the record's kind ("Opportunity Name" for Name): tried after the whole name.
      const bare = loose.replace(RECORD_PREFIX, "");
      for (const candidate of bare === loose || bare === "" ? [loose] : [loose, bare]) {
        for (const [by, nameOf] of matches) {
          field = candidate === "" ? undefined : writable.find((f) => looseName(nameOf(f)) === candidate);
          if (field !== undefined) {
            how = by;
            break;
          }
        }
        if (field !== undefined) break;
      }
      // A field another column names explicitly is that column's.
      if (field !== undefined && Object.values(map).some((v) => find(v) === field)) field = undefined;
    }
    if (field === undefined) return { column, field: undefined, how: "no field" };
    if (field.hasReadOnlyConstraint === true) return { column, field: undefined, how: "read-only" };
    if (used.has(field)) return { column, field: undefined, how: "duplicate" };
    used.add(field);
    return { column, field, how };
  });
  const mapped = mapping.filter((m) => m.field !== undefined);
  if (mapped.length === 0) {
    throw new ImportPlanError(
      "MAPPING_EMPTY",
      `no column of the file names a field of the ${kind.name} import (the file has: ${list(header)}); ` +
        `map columns with the map option (--map "Column=Field" in the CLI); list the fields with listFields, or "eloqua-bulk fields"`,
    );
  }
  const missing = writable.filter(
    (f) => f.hasNotNullConstraint === true && f.hasReadOnlyConstraint !== true && !used.has(f),
  );
  if (missing.length > 0) {
    throw new ImportPlanError(
      "MAPPING_MISSING_REQUIRED",
      `the ${kind.name} import needs ${missing.map((f) => `"${f.name}" (${f.statement})`).join(", ")}, ` +
        `and no column fills ${missing.length === 1 ? "it" : "them"} (the file has: ${list(header)}); ` +
        `name the column with the map option (--map "Column=${missing[0]!.name}" in the CLI)`,
    );
  }
  const keyOf = (field: EloquaField): string => definitionKey(field);
  const identifierField = chooseIdentifier(kind, mapped, options.identifier, find);
  // A record without its identifier cannot be matched in Eloqua: the identifier is required whatever its constraint.
  const specs = mapped.map((m) => fieldSpec(keyOf(m.field!), m.field!, m.field === identifierField));
  const definitionFields: Record<string, string> = {};
  const columns: Record<string, string> = {};
  for (const m of mapped) {
    definitionFields[keyOf(m.field!)] = m.field!.statement;
    columns[keyOf(m.field!)] = m.column;
  }
  const identifier = identifierField === undefined ? undefined : keyOf(identifierField);
  const schema: ImportSchema = Object.freeze({
    name: kind.name,
    fields: Object.freeze(specs),
    key: Object.freeze(identifier === undefined ? specs.map((s) => s.name) : [identifier]),
  });
  const definition: ImportDefinitionInput = {
    name: options.name ?? `eloqua-bulk-stream ${kind.name} ${new Date().toISOString()}`,
    fields: definitionFields,
    ...(identifier === undefined ? {} : { identifierFieldName: identifier }),
    isSyncTriggeredOnImport: false,
    autoDeleteDuration: "P7D",
  };
  return { mapping, identifier, options: { kind, schema, definition, columns } };
}

/** The key a field has in a definition and in the staged JSON: its internal name, which is unique and plain. */
function definitionKey(field: EloquaField): string {
  if (typeof field.internalName === "string" && field.internalName !== "") return field.internalName;
  return field.statement.replace(/[^A-Za-z0-9_]/g, "");
}

function chooseIdentifier(
  kind: ImportKind,
  mapped: readonly ColumnMapping[],
  named: string | undefined,
  find: (name: string) => EloquaField | undefined,
): EloquaField | undefined {
  if (named !== undefined) {
    const field = find(named);
    if (field === undefined || !mapped.some((m) => m.field === field)) {
      throw new ImportPlanError(
        "MAPPING_UNKNOWN_FIELD",
        `the identifier "${named}" is not a field the file fills (mapped: ${mapped.map((m) => m.field!.name).join(", ")})`,
      );
    }
    return field;
  }
  const statement = DEFAULT_IDENTIFIERS[kind.path];
  const byKind = mapped.find((m) => m.field!.statement.toLowerCase() === statement)?.field;
  return byKind ?? mapped.find((m) => m.field!.hasUniquenessConstraint === true)?.field;
}

/**
 * The most characters any Eloqua text field holds: "large text" fields take 32,000, "small text" 100
 * (contacts) or 250 (custom objects). The Bulk API's fields say only `string`, not which (Oracle's
 * "Bulk API data types" page), so a longer value is refused before it is sent and a shorter one is
 * left to Eloqua.
 */
export const LARGE_TEXT_MAX_LENGTH = 32_000;

/** The checks of a field, from its Eloqua type. */
function fieldSpec(name: string, field: EloquaField, identifies: boolean): FieldSpec {
  const format: FieldFormat | undefined =
    field.dataType === "emailAddress"
      ? "email"
      : field.dataType === "number"
        ? "number"
        : field.dataType === "date"
          ? "date"
          : undefined;
  return Object.freeze({
    name,
    required: identifies || field.hasNotNullConstraint === true,
    trim: true,
    ...(format === undefined ? {} : { format }),
    ...(format === "email" ? { maxLength: 254 } : {}),
    ...(field.dataType === "string" ? { maxLength: LARGE_TEXT_MAX_LENGTH } : {}),
  });
}

function list(header: readonly string[]): string {
  const shown = header.slice(0, 20).map((h) => JSON.stringify(h));
  return header.length > 20
    ? `${shown.join(", ")} and ${header.length - 20} more`
    : shown.join(", ") || "no columns";
}
