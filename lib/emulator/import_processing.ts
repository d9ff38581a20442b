import type { Definition } from "./definitions.ts";
import { catalogFields } from "./field_catalog.ts";
import { fieldKey, type KnownRecords } from "./known.ts";
import type { MutableRecord, StagedFile } from "./staging.ts";
import type { SyncRejectItem } from "./syncs.ts";
import { type RejectCode, type TypeCheck, typeCheck } from "./type_checks.ts";

export { INVALID_EMAIL, MALFORMED, MISSING_FIELDS, type RejectCode } from "./type_checks.ts";

/** What a sync did with its rows. */
export interface ProcessResult {
  readonly rows: number;
  readonly rejects: readonly SyncRejectItem[];
  /** Files that carried columns not in the definition. */
  readonly filesWithIgnoredColumns: number;
}

/** Linkage reject codes and messages, from Oracle's status code list. */
export const OPPORTUNITY_MISSING: RejectCode = {
  statusCode: "ELQ-00084",
  message: "Opportunity does not exist.",
};
export const CONTACT_MISSING: RejectCode = { statusCode: "ELQ-00085", message: "Contact does not exist." };
/**
 * Oracle's status code list has no "account does not exist" (it has ELQ-00084 and ELQ-00085 for
 * opportunities and contacts); its "Total unmatched records" is the nearest, and the emulator's choice.
 */
export const ACCOUNT_MISSING: RejectCode = { statusCode: "ELQ-00034", message: "Total unmatched records." };

/** The records of each kind that exist, for linkage syncs. */
export interface KnownEntities {
  readonly opportunities: KnownRecords;
  readonly contacts: KnownRecords;
  readonly accounts: KnownRecords;
}

/**
 * Does a completing sync's work on its files. Record imports (opportunities, contacts, accounts, custom
 * objects) reject rows that do not fit their fields' types; the synced rows of opportunity, contact and
 * account imports make their records known, by every field, to later linkage syncs. Linkage rows whose
 * opportunity, contact or account is unknown, by the field the linkage matches on, are rejected. Every
 * row gets the sync's URI and a final state. Rows exist in `"store"` mode only: in `"count"` mode
 * nothing is rejected and nothing becomes known.
 */
export function processFiles(
  definition: Definition,
  files: readonly StagedFile[],
  syncUri: string,
  known: KnownEntities,
): ProcessResult {
  const work = workOf(definition, known);
  const rejects: SyncRejectItem[] = [];
  const synced: Readonly<Record<string, string>>[] = [];
  let rows = 0;
  let filesWithIgnoredColumns = 0;
  for (const file of files) {
    rows += file.rows;
    if (file.ignoredColumns) filesWithIgnoredColumns++;
    for (const record of file.records ?? []) {
      record.syncUri = syncUri;
      const problem = work.check(record);
      if (problem === null) {
        record.state = "synced";
        if (work.learn !== undefined) synced.push(record.row);
        continue;
      }
      record.state = "rejected";
      record.statusCode = problem.code.statusCode;
      rejects.push(rejectItem(record, problem.column, problem.code));
    }
  }
  work.learn?.target.addRows(work.learn.columns, synced);
  return { rows, rejects, filesWithIgnoredColumns };
}

/** What a sync of one definition does: a check per row, and which records its synced rows make known. */
interface Work {
  readonly check: TypeCheck;
  readonly learn?: { readonly target: KnownRecords; readonly columns: ReadonlyMap<string, string> };
}

function workOf(definition: Definition, known: KnownEntities): Work {
  const properties = definition.properties;
  const fields = properties.fields as Record<string, string>;
  switch (definition.kind) {
    case "opportunity":
      return recordWork(fields, "/opportunities", "opportunity", known.opportunities);
    case "contact":
      return recordWork(fields, "/contacts", "contact", known.contacts);
    case "account":
      return recordWork(fields, "/accounts", "account", known.accounts);
    case "customObject":
      // Custom object records link to contacts (mapDataCards), never to opportunities: nothing to learn.
      return { check: typeCheck(fields, catalogFields(definition.importPath.replace(/\/imports$/i, ""))) };
    case "linkage":
      return { check: linkageCheck(properties, fields, known) };
    default:
      return { check: () => null };
  }
}

function recordWork(
  fields: Readonly<Record<string, string>>,
  base: string,
  entity: string,
  target: KnownRecords,
): Work {
  const columns = new Map<string, string>();
  for (const [column, statement] of Object.entries(fields)) {
    const key = fieldKey(statement, entity);
    if (key !== undefined && !columns.has(key)) columns.set(key, column);
  }
  return { check: typeCheck(fields, catalogFields(base)), learn: { target, columns } };
}

/**
 * A linkage row names an opportunity by its match field (`linkOpportunitiesMatchFieldName`, else the
 * column mapped to `{{Opportunity.Id}}`), and contacts or accounts (`linkOpportunitiesEntityType`) by
 * its source field (`linkOpportunitiesSourceField`, else the first `{{Opportunity.Contact.…}}` or
 * `{{Opportunity.Account.…}}` column), whose statement says which of their fields to match on:
 * `{{Opportunity.Contact.Field(C_EmailAddress)}}`, `{{Opportunity.Contact.Id}}`,
 * `{{Opportunity.Account.Field(M_SFDCAccountID)}}`… Both compare without case unless the definition's
 * `linkOpportunitiesCaseSensitive…` flag says otherwise.
 */
function linkageCheck(
  properties: Record<string, unknown>,
  fields: Readonly<Record<string, string>>,
  known: KnownEntities,
): TypeCheck {
  const columnOf = (prefix: string): string | undefined =>
    Object.keys(fields).find((column) => fields[column]!.toLowerCase().startsWith(prefix));
  const toAccounts = properties.linkOpportunitiesEntityType === "Account";
  const entity = toAccounts ? "opportunity.account" : "opportunity.contact";
  const opportunityColumn =
    stringProperty(properties, "linkOpportunitiesMatchFieldName") ?? columnOf("{{opportunity.id}}");
  const sourceColumn = stringProperty(properties, "linkOpportunitiesSourceField") ?? columnOf(`{{${entity}.`);
  const opportunityCase = properties.linkOpportunitiesCaseSensitiveMatchField === true;
  const sourceCase = properties.linkOpportunitiesCaseSensitiveSourceField === true;
  const lookup = (records: KnownRecords, column: string, prefix: string) => {
    const statement = fields[column] ?? "";
    // A statement about something else matches nothing an import made known (the option's values still do).
    return records.lookup(fieldKey(statement, prefix) ?? `statement:${statement.toLowerCase()}`);
  };
  const opportunityKnown =
    opportunityColumn === undefined ? null : lookup(known.opportunities, opportunityColumn, "opportunity");
  const sourceKnown =
    sourceColumn === undefined
      ? null
      : lookup(toAccounts ? known.accounts : known.contacts, sourceColumn, entity);
  const sourceMissing = toAccounts ? ACCOUNT_MISSING : CONTACT_MISSING;
  return (record: MutableRecord) => {
    if (opportunityKnown !== null && !opportunityKnown(record.row[opportunityColumn!] ?? "", opportunityCase))
      return { column: opportunityColumn!, code: OPPORTUNITY_MISSING };
    if (sourceKnown !== null && !sourceKnown(record.row[sourceColumn!] ?? "", sourceCase))
      return { column: sourceColumn!, code: sourceMissing };
    return null;
  };
}

function stringProperty(properties: Record<string, unknown>, name: string): string | undefined {
  const value = properties[name];
  return typeof value === "string" ? value : undefined;
}

function rejectItem(record: MutableRecord, field: string, code: RejectCode): SyncRejectItem {
  return {
    fieldValues: record.row,
    message: code.message,
    statusCode: code.statusCode,
    recordIndex: record.recordIndex,
    invalidFields: [field],
  };
}
