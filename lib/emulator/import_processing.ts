import type { Definition } from "./definitions.ts";
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
  known: { readonly opportunities: KnownSet; readonly contacts: KnownSet },
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

function rowCheck(definition: Definition, known: { opportunities: KnownSet; contacts: KnownSet }): RowCheck {
  const properties = definition.properties;
  const fields = properties.fields as Record<string, string>;
  const keyOf = (test: (statement: string) => boolean): string | undefined =>
    Object.keys(fields).find((key) => test(fields[key]!.toLowerCase()));
  const isOpportunityId = (s: string) => s === "{{opportunity.id}}";
  switch (definition.kind) {
    case "opportunity": {
      const idKey = keyOf(isOpportunityId);
      return (record) => {
        const id = idKey === undefined ? undefined : record.row[idKey];
        if (id !== undefined && id !== "") known.opportunities.add(id);
        return null;
      };
    }
    case "contact": {
      const emailKey = keyOf((s) => s === "{{contact.field(c_emailaddress)}}");
      return (record) => {
        const email = emailKey === undefined ? undefined : record.row[emailKey];
        if (email !== undefined && email !== "") known.contacts.add(email);
        return null;
      };
    }
    case "linkage": {
      const opportunityKey =
        stringProperty(properties, "linkOpportunitiesMatchFieldName") ?? keyOf(isOpportunityId);
      const contactLinks = (properties.linkOpportunitiesEntityType ?? "Contact") === "Contact";
      const sourceKey =
        stringProperty(properties, "linkOpportunitiesSourceField") ??
        keyOf((s) => s.startsWith("{{opportunity.contact."));
      const opportunityCase = properties.linkOpportunitiesCaseSensitiveMatchField === true;
      const sourceCase = properties.linkOpportunitiesCaseSensitiveSourceField === true;
      return (record) => {
        if (opportunityKey !== undefined) {
          const id = record.row[opportunityKey] ?? "";
          if (!known.opportunities.has(id, opportunityCase))
            return reject(record, opportunityKey, OPPORTUNITY_MISSING);
        }
        if (contactLinks && sourceKey !== undefined) {
          const email = record.row[sourceKey] ?? "";
          if (!known.contacts.has(email, sourceCase)) return reject(record, sourceKey, CONTACT_MISSING);
        }
        return null;
      };
    }
    default:
      return () => null;
  }
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
