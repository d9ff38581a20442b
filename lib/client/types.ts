// The shapes of Eloqua Bulk API 2.0 resources, with the property names of
// Oracle's OpenAPI documents. Eloqua may add properties: extra ones are kept.

/** An import definition as Eloqua returns it. */
export interface ImportDefinition {
  /** e.g. `"/opportunities/contacts/imports/12"`: pass it to `postData`, `createSync`, `getImport`. */
  readonly uri: string;
  readonly name?: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly isSyncTriggeredOnImport?: boolean;
  readonly identifierFieldName?: string;
  readonly autoDeleteDuration?: string;
  readonly dataRetentionDuration?: string;
  readonly createdAt?: string;
  readonly createdBy?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
  readonly kbUsed?: number;
  readonly [property: string]: unknown;
}

/** A field of Eloqua's records (`GET /opportunities/fields`, `/contacts/fields`, …): what an import can map. */
export interface EloquaField {
  /** The name people see, e.g. `"Email Address"`. */
  readonly name: string;
  /** The unique name, e.g. `"C_EmailAddress"`. */
  readonly internalName: string;
  /** What a definition maps to it, e.g. `"{{Contact.Field(C_EmailAddress)}}"`. */
  readonly statement: string;
  /** `"string"`, `"number"`, `"date"`, `"emailAddress"`, `"boolean"`, … */
  readonly dataType?: string;
  /** Whether a record must have a value. */
  readonly hasNotNullConstraint?: boolean;
  /** Whether an import cannot write it. */
  readonly hasReadOnlyConstraint?: boolean;
  /** Whether no two records may share a value. */
  readonly hasUniquenessConstraint?: boolean;
  readonly defaultValue?: string;
  readonly uri?: string;
  readonly [property: string]: unknown;
}

/** The body of a new import definition (`uri` and read-only properties are set by Eloqua). */
export interface ImportDefinitionInput {
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly isSyncTriggeredOnImport?: boolean;
  readonly [property: string]: unknown;
}

/** `pending` and `active` are running; the others are final. */
export type SyncStatus = "pending" | "active" | "success" | "warning" | "error";

/** A sync as Eloqua returns it. */
export interface Sync {
  /** e.g. `"/syncs/1234"`. */
  readonly uri: string;
  readonly syncedInstanceUri: string;
  readonly status: SyncStatus;
  readonly callbackUrl?: string;
  readonly createdAt?: string;
  readonly createdBy?: string;
  readonly syncStartedAt?: string;
  readonly syncEndedAt?: string;
  readonly [property: string]: unknown;
}

/** One entry of a sync's logs. */
export interface SyncLog {
  readonly count: number;
  readonly createdAt: string;
  readonly message: string;
  readonly severity: "information" | "warning" | "error";
  /** e.g. `"ELQ-00084"`. */
  readonly statusCode: string;
  readonly syncUri: string;
  readonly [property: string]: unknown;
}

/** One rejected record of a sync. */
export interface SyncReject {
  readonly fieldValues: Readonly<Record<string, string>>;
  readonly invalidFields: readonly string[];
  readonly message: string;
  /** Looks 1-based within the staged data; how it counts across several POSTs is not documented. */
  readonly recordIndex: number;
  readonly statusCode: string;
  readonly [property: string]: unknown;
}

/** Eloqua's paging envelope. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly totalResults?: number;
  readonly limit: number;
  readonly offset: number;
  readonly count: number;
  readonly hasMore: boolean;
}
