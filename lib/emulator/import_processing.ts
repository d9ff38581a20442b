import { isValidDate } from "../validate/date.ts";
import { isValidEmail } from "../validate/email.ts";
import { isValidNumber } from "../validate/number.ts";
import type { Definition } from "./definitions.ts";
import { type CatalogField, catalogFields } from "./field_catalog.ts";
import type { KnownSet } from "./known.ts";
import type { MutableRecord, StagedFile } from "./staging.ts";
import type { SyncRejectItem } from "./syncs.ts";

/** What a sync did with its rows. */
export interface ProcessResult {
  readonly rows: number;
  readonly rejects: readonly SyncRejectItem[];
  /** Files that carried columns not in the definition. */
  readonly filesWithIgnoredColumns: number;
}

/** Linkage reject codes and messages, from Oracle's status code list. */
export const OPPORTUNITY_MISSING = {
  statusCode: "ELQ-00084",
  message: "Opportunity does not exist.",
} as const;
export const CONTACT_MISSING = { statusCode: "ELQ-00085", message: "Contact does not exist." } as const;
/** Oracle lists no "account does not exist"; its "Total unmatched records" is the nearest code. */
export const ACCOUNT_MISSING = { statusCode: "ELQ-00034", message: "Total unmatched records." } as const;
/** Type rejects of record imports: Oracle's codes for invalid e-mail addresses, malformed and incomplete records. */
export const INVALID_EMAIL = { statusCode: "ELQ-00002", message: "Invalid email addresses." } as const;
export const MALFORMED = { statusCode: "ELQ-00032", message: "Malformed records." } as const;
export const MISSING_FIELDS = {
  statusCode: "ELQ-00061",
  message: "Rejected records (missing fields).",
} as const;

/** The known values of each kind of record, for linkage syncs. */
export interface KnownRecords {
  readonly opportunities: KnownSet;
  readonly contacts: KnownSet;
  readonly accounts: KnownSet;
}

/**
 * Does a completing sync's work on its files: linkage rows whose opportunity or contact is unknown are
 * rejected; opportunity and contact imports make their ids and e-mail addresses known to later linkage
 * syncs. Every row gets the sync's URI and a final state. Rows exist in `"store"` mode only: in
 * `"count"` mode nothing is rejected.
 */
export function processFiles(
  definition: Definition,
  files: readonly StagedFile[],
  syncUri: string,
  known: KnownRecords,
): ProcessResult {
  const check = rowCheck(definition, known);
  const rejects: SyncRejectItem[] = [];
  let rows = 0;
  let filesWithIgnoredColumns = 0;
  for (const file of files) {
    rows += file.rows;
    if (file.ignoredColumns) filesWithIgnoredColumns++;
    for (const record of file.records ?? []) {
      record.syncUri = syncUri;
      const reject = check(record);
      if (reject === null) {
        record.state = "synced";
        continue;
      }
      record.state = "rejected";
      record.statusCode = reject.statusCode;
      rejects.push(reject);
    }
  }
  return { rows, rejects, filesWithIgnoredColumns };
}

type RowCheck = (record: MutableRecord) => SyncRejectItem | null;

function rowCheck(definition: Definition, known: KnownRecords): RowCheck {
  const properties = definition.properties;
  const fields = properties.fields as Record<string, string>;
  const keyOf = (test: (statement: string) => boolean): string | undefined =>
    Object.keys(fields).find((key) => test(fields[key]!.toLowerCase()));
  const isOpportunityId = (s: string) => s === "{{opportunity.id}}";
  switch (definition.kind) {
    case "opportunity": {
      const idKey = keyOf(isOpportunityId);
      const typed = typeCheck(fields, catalogFields("/opportunities"));
      return (record) => {
        const problem = typed(record);
        if (problem !== null) return problem;
        const id = idKey === undefined ? undefined : record.row[idKey];
        if (id !== undefined && id !== "") known.opportunities.add(id);
        return null;
      };
    }
    case "contact":
    case "account": {
      // Every contact (account) field value is known afterwards: a linkage may match on any of them.
      const set = definition.kind === "contact" ? known.contacts : known.accounts;
      const typed = typeCheck(
        fields,
        catalogFields(definition.kind === "contact" ? "/contacts" : "/accounts"),
      );
      const keys = Object.keys(fields).filter((key) =>
        /^\{\{(contact|account)\.field\(/.test(fields[key]!.toLowerCase()),
      );
      return (record) => {
        const problem = typed(record);
        if (problem !== null) return problem;
        for (const key of keys) {
          const value = record.row[key];
          if (value !== undefined && value !== "") set.add(value);
        }
        return null;
      };
    }
    case "linkage": {
      const opportunityKey =
        stringProperty(properties, "linkOpportunitiesMatchFieldName") ?? keyOf(isOpportunityId);
      const toAccounts = properties.linkOpportunitiesEntityType === "Account";
      const sources = toAccounts ? known.accounts : known.contacts;
      const missing = toAccounts ? ACCOUNT_MISSING : CONTACT_MISSING;
      const sourceKey =
        stringProperty(properties, "linkOpportunitiesSourceField") ??
        keyOf((s) => s.startsWith(toAccounts ? "{{opportunity.account." : "{{opportunity.contact."));
      const opportunityCase = properties.linkOpportunitiesCaseSensitiveMatchField === true;
      const sourceCase = properties.linkOpportunitiesCaseSensitiveSourceField === true;
      return (record) => {
        if (opportunityKey !== undefined) {
          const id = record.row[opportunityKey] ?? "";
          if (!known.opportunities.has(id, opportunityCase))
            return reject(record, opportunityKey, OPPORTUNITY_MISSING);
        }
        if (sourceKey !== undefined) {
          const value = record.row[sourceKey] ?? "";
          if (!sources.has(value, sourceCase)) return reject(record, sourceKey, missing);
        }
        return null;
      };
    }
    default:
      return () => null;
  }
}

/**
 * The type checks of a record import: each mapped field of the catalog by its data type (e-mail address,
 * number, date, as the client-side validators read them) and not-null constraint.
 */
function typeCheck(
  fields: Readonly<Record<string, string>>,
  catalog: readonly CatalogField[] | undefined,
): RowCheck {
  const checks: { key: string; field: CatalogField }[] = [];
  for (const [key, statement] of Object.entries(fields)) {
    const field = catalog?.find((f) => f.statement.toLowerCase() === statement.toLowerCase());
    if (field !== undefined) checks.push({ key, field });
  }
  if (checks.length === 0) return () => null;
  return (record) => {
    for (const { key, field } of checks) {
      const value = (record.row[key] ?? "").trim();
      if (value === "") {
        if (field.hasNotNullConstraint) return reject(record, key, MISSING_FIELDS);
        continue;
      }
      if (field.dataType === "emailAddress" && !isValidEmail(value))
        return reject(record, key, INVALID_EMAIL);
      if (field.dataType === "number" && !isValidNumber(value)) return reject(record, key, MALFORMED);
      if (field.dataType === "date" && !isValidDate(value)) return reject(record, key, MALFORMED);
    }
    return null;
  };
}

function stringProperty(properties: Record<string, unknown>, name: string): string | undefined {
  const value = properties[name];
  return typeof value === "string" ? value : undefined;
}

function reject(
  record: MutableRecord,
  field: string,
  code: { readonly statusCode: string; readonly message: string },
): SyncRejectItem {
  return {
    fieldValues: record.row,
    message: code.message,
    statusCode: code.statusCode,
    recordIndex: record.recordIndex,
    invalidFields: [field],
  };
}
