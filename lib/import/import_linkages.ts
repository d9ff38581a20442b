import { type LinkageDefinitionInput, linkageDefinition } from "../client/definitions.ts";
import { IMPORT_KINDS } from "../client/imports.ts";
import { linkageCaseSensitivity } from "../dedupe/row_deduper.ts";
import { InvalidOptionError } from "../errors.ts";
import type { FieldSpec, ImportSchema } from "../schema.ts";
import type { CsvSource, ImportLinkagesOptions } from "./import_options.ts";
import { runImport } from "./import_rows.ts";
import type { ImportReport } from "./report.ts";

/** The statement of a contact's e-mail address in a linkage definition, lowercased. */
const CONTACT_EMAIL = "{{opportunity.contact.field(c_emailaddress)}}";

/**
 * Load a CSV of opportunity ↔ contact links into Eloqua: `importRows` with
 * the linkage definition `linkageDefinition(options.definition)` makes, its
 * fields as the schema (all required; the contact's e-mail address checked as
 * one) and its match and source fields as the dedupe key.
 *
 * @example
 * ```ts
 * const client = new EloquaBulkClient({ auth: { type: "basic", site, user, password } });
 * const report = await importLinkages((await fetch(csvUrl)).body!, { client, onReject: (r) => console.warn(r.message) });
 * console.log(report.rows); // { read, invalid, duplicate, staged, notSent, rejectedByEloqua }
 * ```
 */
export async function importLinkages(
  source: CsvSource,
  options: ImportLinkagesOptions,
): Promise<ImportReport> {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("importLinkages", "options", "an object", options);
  }
  const definition = linkageDefinition({
    name: `eloqua-bulk-stream ${new Date().toISOString()}`,
    autoDeleteDuration: "P7D",
    ...options.definition,
  });
  return await runImport(
    source,
    {
      ...options,
      kind: IMPORT_KINDS.opportunityContactLinkage,
      schema: linkageSchema(definition),
      definition,
      keyCaseSensitivity: (used) => linkageCaseSensitivity(used as Record<string, unknown>),
    },
    "importLinkages",
  );
}

/**
 * The rows' schema of a linkage definition: its fields in order, each
 * required; the contact's e-mail address (if mapped) checked as one; the
 * match and source fields as the key.
 */
export function linkageSchema(definition: LinkageDefinitionInput): ImportSchema {
  const fields = Object.entries(definition.fields).map(([name, statement]): FieldSpec => {
    if (statement.toLowerCase() === CONTACT_EMAIL) {
      return Object.freeze({ name, required: true, trim: true, maxLength: 254, format: "email" as const });
    }
    return Object.freeze({ name, required: true, trim: true });
  });
  const key = [definition.linkOpportunitiesMatchFieldName, definition.linkOpportunitiesSourceField];
  return Object.freeze({
    name: `opportunity ${definition.linkOpportunitiesEntityType === "Account" ? "account" : "contact"} linkage`,
    fields: Object.freeze(fields),
    key: Object.freeze(fields.map((f) => f.name).filter((name) => key.includes(name))),
  });
}
