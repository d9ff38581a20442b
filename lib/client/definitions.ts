import { InvalidOptionError } from "../errors.ts";
import { checkNonEmptyString, checkObject } from "./_options.ts";
import { parseIsoDuration } from "./duration.ts";
import type { ImportDefinitionInput } from "./types.ts";

/** The fields of a contact linkage: the opportunity's external id and the contact's e-mail address. */
export const DEFAULT_LINKAGE_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  OpportunityID: "{{Opportunity.Id}}",
  EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
});

/** Options of {@linkcode linkageDefinition}. */
export interface LinkageDefinitionOptions {
  /**
   * The definition's name.
   * @default "eloqua-bulk-stream opportunity contact linkage"
   */
  readonly name?: string;
  /**
   * What opportunities are linked to: `"Contact"` or `"Account"`.
   * @default "Contact"
   */
  readonly entityType?: "Contact" | "Account";
  /**
   * Column name → Eloqua field statement. Required when `entityType` is `"Account"`.
   * @default DEFAULT_LINKAGE_FIELDS ({ OpportunityID: "{{Opportunity.Id}}", EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}" })
   */
  readonly fields?: Readonly<Record<string, string>>;
  /**
   * The column that identifies the opportunity.
   * @default "OpportunityID"
   */
  readonly matchFieldName?: string;
  /**
   * The column matched against contacts (or accounts).
   * @default "EmailAddress"
   */
  readonly sourceField?: string;
  /**
   * Link every contact that matches, not only the first.
   * @default true
   */
  readonly multipleSourceMatches?: boolean;
  /** @default false */
  readonly caseSensitiveMatchField?: boolean;
  /** @default false */
  readonly caseSensitiveSourceField?: boolean;
  /**
   * Whether each data POST starts a sync. Always sent (Oracle's pages
   * disagree on the default); keep it false for large loads.
   * @default false
   */
  readonly isSyncTriggeredOnImport?: boolean;
  /**
   * ISO-8601 time until Eloqua deletes the definition, at least `"PT1H"`;
   * give one-off definitions e.g. `"P1D"`.
   * @default undefined: kept until deleted
   */
  readonly autoDeleteDuration?: string;
  /**
   * ISO-8601 time unsynced staged data is kept, `"PT1H"` to `"P14D"`.
   * @default undefined: Eloqua's default, P7D
   */
  readonly dataRetentionDuration?: string;
  /**
   * `identifierFieldName`, 1–100 characters; Oracle's pages do not say
   * whether linkage imports need it.
   * @default undefined: not sent
   */
  readonly identifierFieldName?: string;
}

/** The body of an opportunity contact linkage definition. */
export interface LinkageDefinitionInput extends ImportDefinitionInput {
  readonly linkOpportunitiesEntityType: "Contact" | "Account";
  readonly linkOpportunitiesMatchFieldName: string;
  readonly linkOpportunitiesSourceField: string;
  readonly linkOpportunitiesMultipleSourceMatches: boolean;
  readonly linkOpportunitiesCaseSensitiveMatchField: boolean;
  readonly linkOpportunitiesCaseSensitiveSourceField: boolean;
  readonly isSyncTriggeredOnImport: boolean;
}

const WHERE = "linkageDefinition";
const HOUR = 3_600_000;

function checkBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new InvalidOptionError(WHERE, option, "a boolean", value);
  return value;
}

function checkDuration(
  option: string,
  value: unknown,
  minMs: number,
  max: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "string" ? parseIsoDuration(value) : undefined;
  const maxMs = max === undefined ? Number.POSITIVE_INFINITY : (parseIsoDuration(max) ?? 0);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    const range = max === undefined ? "of at least PT1H" : `from PT1H to ${max}`;
    throw new InvalidOptionError(WHERE, option, `an ISO-8601 duration ${range} (e.g. "P1D")`, value);
  }
  return value as string;
}

/**
 * Builds the body of an opportunity contact linkage import definition, with
 * the defaults a linkage upload needs. Pass the result to `createImport`
 * with `IMPORT_KINDS.opportunityContactLinkage`.
 *
 * @example
 * ```ts
 * import { linkageDefinition } from "./definitions.ts";
 * const body = linkageDefinition({ name: "Link Q3 deals", autoDeleteDuration: "P1D" });
 * body.linkOpportunitiesSourceField; // "EmailAddress"
 * body.isSyncTriggeredOnImport; // false
 * ```
 */
export function linkageDefinition(options: LinkageDefinitionOptions = {}): LinkageDefinitionInput {
  checkObject(WHERE, "options", options);
  const name =
    options.name === undefined
      ? "eloqua-bulk-stream opportunity contact linkage"
      : checkNonEmptyString(WHERE, "name", options.name);
  const entityType = options.entityType ?? "Contact";
  if (entityType !== "Contact" && entityType !== "Account") {
    throw new InvalidOptionError(WHERE, "entityType", '"Contact" or "Account"', entityType);
  }
  if (entityType === "Account" && options.fields === undefined) {
    throw new InvalidOptionError(WHERE, "fields", 'given when entityType is "Account"', options.fields);
  }
  const fields =
    options.fields === undefined ? DEFAULT_LINKAGE_FIELDS : checkObject(WHERE, "fields", options.fields);
  const entries = Object.entries(fields);
  if (entries.length === 0 || entries.length > 100) {
    throw new InvalidOptionError(WHERE, "fields", "an object of 1 to 100 fields", fields);
  }
  for (const [key, statement] of entries) {
    if (key === "" || typeof statement !== "string" || !/^\{\{.+\}\}$/.test(statement)) {
      throw new InvalidOptionError(
        WHERE,
        `fields.${key}`,
        'a field statement like "{{Opportunity.Id}}"',
        statement,
      );
    }
  }
  const matchFieldName = checkNonEmptyString(
    WHERE,
    "matchFieldName",
    options.matchFieldName ?? "OpportunityID",
  );
  const sourceField = checkNonEmptyString(WHERE, "sourceField", options.sourceField ?? "EmailAddress");
  for (const [option, column] of [
    ["matchFieldName", matchFieldName],
    ["sourceField", sourceField],
  ] as const) {
    if (!Object.hasOwn(fields, column)) {
      throw new InvalidOptionError(
        WHERE,
        option,
        `one of the fields (${Object.keys(fields).join(", ")})`,
        column,
      );
    }
  }
  const body: Record<string, unknown> = {
    name,
    fields: { ...(fields as Record<string, string>) },
    linkOpportunitiesEntityType: entityType,
    linkOpportunitiesMatchFieldName: matchFieldName,
    linkOpportunitiesSourceField: sourceField,
    linkOpportunitiesMultipleSourceMatches: checkBoolean(
      "multipleSourceMatches",
      options.multipleSourceMatches,
      true,
    ),
    linkOpportunitiesCaseSensitiveMatchField: checkBoolean(
      "caseSensitiveMatchField",
      options.caseSensitiveMatchField,
      false,
    ),
    linkOpportunitiesCaseSensitiveSourceField: checkBoolean(
      "caseSensitiveSourceField",
      options.caseSensitiveSourceField,
      false,
    ),
    isSyncTriggeredOnImport: checkBoolean("isSyncTriggeredOnImport", options.isSyncTriggeredOnImport, false),
  };
  const autoDelete = checkDuration("autoDeleteDuration", options.autoDeleteDuration, HOUR, undefined);
  if (autoDelete !== undefined) body.autoDeleteDuration = autoDelete;
  const retention = checkDuration("dataRetentionDuration", options.dataRetentionDuration, HOUR, "P14D");
  if (retention !== undefined) body.dataRetentionDuration = retention;
  if (options.identifierFieldName !== undefined) {
    const id = checkNonEmptyString(WHERE, "identifierFieldName", options.identifierFieldName);
    if (id.length > 100)
      throw new InvalidOptionError(WHERE, "identifierFieldName", "1 to 100 characters", id);
    body.identifierFieldName = id;
  }
  return body as unknown as LinkageDefinitionInput;
}
