import type { Failure } from "./responses.ts";
import { failure } from "./responses.ts";

/** What kind of import an import path holds; decides the properties kept and what a sync does. */
export type ImportKind = "linkage" | "opportunity" | "contact" | "account" | "customObject" | "other";

/** The kind of import behind an import path (a route template such as `/customObjects/{parentId}/imports`). */
export function importKind(importPath: string): ImportKind {
  switch (importPath.toLowerCase()) {
    case "/opportunities/contacts/imports":
      return "linkage";
    case "/opportunities/imports":
      return "opportunity";
    case "/contacts/imports":
      return "contact";
    case "/accounts/imports":
      return "account";
    case "/customobjects/{parentid}/imports":
      return "customObject";
    default:
      return "other";
  }
}

const COMMON = [
  "name",
  "fields",
  "identifierFieldName",
  "isSyncTriggeredOnImport",
  "dataRetentionDuration",
  "autoDeleteDuration",
  "importPriorityUri",
  "importRule",
  "updateRule",
  "updateRuleByField",
  "isUpdatingMultipleMatchedRecords",
  "nullIdentifierFieldName",
  "externalSystemId",
];
const LINKAGE = [
  "linkOpportunitiesEntityType",
  "linkOpportunitiesMatchFieldName",
  "linkOpportunitiesSourceField",
  "linkOpportunitiesMultipleSourceMatches",
  "linkOpportunitiesCaseSensitiveMatchField",
  "linkOpportunitiesCaseSensitiveSourceField",
];
const CUSTOM_OBJECT = [
  "mapDataCards",
  "mapDataCardsCaseSensitiveMatch",
  "mapDataCardsEntityField",
  "mapDataCardsSourceField",
  "mapDataCardsEntityType",
];

/** The writable properties a definition of each kind keeps and echoes; others sent are ignored. */
export const WRITABLE_PROPERTIES: Readonly<Record<ImportKind, readonly string[]>> = {
  linkage: [...COMMON, ...LINKAGE],
  opportunity: [...COMMON, "isIdentifierFieldCaseSensitive"],
  contact: [...COMMON, "syncActions"],
  account: [...COMMON, "syncActions"],
  customObject: [...COMMON, "syncActions", ...CUSTOM_OBJECT],
  other: [...COMMON, "syncActions"],
};

/** Read-only properties the emulator adds to every definition. */
export const READ_ONLY_PROPERTIES: readonly string[] = [
  "uri",
  "createdBy",
  "createdAt",
  "updatedBy",
  "updatedAt",
  "kbUsed",
];

const BOOLEANS = new Set([
  "isSyncTriggeredOnImport",
  "isUpdatingMultipleMatchedRecords",
  "nullIdentifierFieldName",
  "isIdentifierFieldCaseSensitive",
  "linkOpportunitiesMultipleSourceMatches",
  "linkOpportunitiesCaseSensitiveMatchField",
  "linkOpportunitiesCaseSensitiveSourceField",
  "mapDataCards",
  "mapDataCardsCaseSensitiveMatch",
]);
const ENUMS: Readonly<Record<string, readonly string[]>> = {
  importRule: ["createAndUpdate", "updateOnly", "createOnly"],
  updateRule: ["always", "ifNewIsNotNull", "ifExistingIsNull", "useFieldRule"],
  linkOpportunitiesEntityType: ["Contact", "Account"],
};
const FIELD_STATEMENT = /^\{\{[^{}]+\}\}$/;
const OPPORTUNITY_ID = "{{opportunity.id}}";

/**
 * Validates a definition body and returns the writable properties to keep, or the failures Eloqua would
 * answer 400 with. Checks: `name` (1..100 characters) and `fields` (1..100 `{{…}}` statements) required;
 * names of fields referenced by other properties exist; booleans, enums and durations well formed; a
 * linkage definition maps `{{Opportunity.Id}}`.
 */
export function validateDefinition(
  kind: ImportKind,
  body: unknown,
): { properties: Record<string, unknown> } | Failure[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return [failure("body", "Must be a JSON object.")];
  }
  const input = body as Record<string, unknown>;
  const failures: Failure[] = [];
  const name = input.name;
  if (name === undefined || name === null) failures.push(failure("name", "Is required."));
  else if (typeof name !== "string" || name.trim() === "" || name.length > 100) {
    failures.push(
      failure("name", "Must be a string value, at least 1 character and at most 100 characters long.", name),
    );
  }
  const fields = input.fields;
  const keys = new Set<string>();
  if (fields === undefined || fields === null) failures.push(failure("fields", "Is required."));
  else if (typeof fields !== "object" || Array.isArray(fields))
    failures.push(failure("fields", "Must be an object.", fields));
  else {
    const entries = Object.entries(fields);
    if (entries.length < 1 || entries.length > 100) {
      failures.push(failure("fields", "Must contain between 1 and 100 fields.", String(entries.length)));
    }
    for (const [key, statement] of entries) {
      keys.add(key);
      if (key === "" || typeof statement !== "string" || !FIELD_STATEMENT.test(statement)) {
        failures.push(
          failure(`fields.${key}`, "Must be a field statement such as {{Opportunity.Id}}.", statement),
        );
      }
    }
    if (
      kind === "linkage" &&
      !entries.some(([, s]) => typeof s === "string" && s.toLowerCase() === OPPORTUNITY_ID)
    ) {
      failures.push(failure("fields", "Must map {{Opportunity.Id}}."));
    }
  }
  const properties: Record<string, unknown> = {};
  for (const property of WRITABLE_PROPERTIES[kind]) {
    const value = input[property];
    // An optional property given as null is absent (clients generated from the OpenAPI documents send them).
    if (value === undefined || (value === null && property !== "name" && property !== "fields")) continue;
    properties[property] = value;
    if (property === "name" || property === "fields") continue;
    const problem = checkProperty(property, value, keys);
    if (problem !== null) failures.push(failure(property, problem, value));
  }
  return failures.length > 0 ? failures : { properties };
}

function checkProperty(property: string, value: unknown, keys: ReadonlySet<string>): string | null {
  if (BOOLEANS.has(property)) return typeof value === "boolean" ? null : "Must be a boolean.";
  const allowed = ENUMS[property];
  if (allowed !== undefined)
    return allowed.includes(value as string) ? null : `Must be one of ${allowed.join(", ")}.`;
  switch (property) {
    case "identifierFieldName":
    case "linkOpportunitiesMatchFieldName":
    case "linkOpportunitiesSourceField":
    case "mapDataCardsSourceField":
      if (typeof value !== "string" || value.length < 1 || value.length > 100) {
        return "Must be a string value, at least 1 character and at most 100 characters long.";
      }
      return keys.has(value) ? null : "Must name one of the keys of fields.";
    case "dataRetentionDuration": {
      const seconds = durationSeconds(value);
      return seconds !== null && seconds >= 3600 && seconds <= 14 * 86400
        ? null
        : "Must be a duration from PT1H to P14D.";
    }
    case "autoDeleteDuration": {
      const seconds = durationSeconds(value);
      return seconds !== null && seconds >= 3600 ? null : "Must be a duration of at least PT1H.";
    }
    case "externalSystemId":
      return Number.isInteger(value) ? null : "Must be an integer.";
    default:
      return null;
  }
}

/** Seconds in an ISO-8601 duration such as `P7D` or `PT1H30M`; null if it is not one. */
export function durationSeconds(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (match === null || value === "P" || value.endsWith("T")) return null;
  const [, w, d, h, m, s] = match.map((part) => Number(part ?? 0));
  return w! * 604800 + d! * 86400 + h! * 3600 + m! * 60 + s!;
}
