import { InvalidOptionError } from "../errors.ts";
import { checkInteger } from "./_options.ts";
import { EloquaBodyTooLargeError, isEloquaHttpError } from "./errors.ts";
import type { RetryEvent } from "./http.ts";
import type { PageOptions } from "./paging.ts";
import { checkPageOptions, paginate } from "./paging.ts";
import type { BulkRequester } from "./requester.ts";
import { checkResourceUri, expectObject } from "./requester.ts";
import type { EloquaField, ImportDefinition, ImportDefinitionInput, Page, Sync } from "./types.ts";

/**
 * A kind of import: where its definitions live under the bulk root. Kinds are
 * data, so another import (a custom object, accounts…) needs configuration,
 * not code.
 */
export interface ImportKind {
  /** For messages, e.g. `"opportunity contact linkage"`. */
  readonly name: string;
  /** e.g. `"/opportunities/contacts/imports"`. */
  readonly path: string;
}

/** The import kinds this library knows by name. */
export const IMPORT_KINDS: Readonly<{
  opportunityContactLinkage: ImportKind;
  opportunities: ImportKind;
  contacts: ImportKind;
  accounts: ImportKind;
}> = Object.freeze({
  opportunityContactLinkage: Object.freeze({
    name: "opportunity contact linkage",
    path: "/opportunities/contacts/imports",
  }),
  opportunities: Object.freeze({ name: "opportunity", path: "/opportunities/imports" }),
  contacts: Object.freeze({ name: "contact", path: "/contacts/imports" }),
  accounts: Object.freeze({ name: "account", path: "/accounts/imports" }),
});

/**
 * Describes another kind of import, checking its path.
 *
 * @example
 * ```ts
 * import { importKind } from "./imports.ts";
 * const events = importKind("custom object 12", "/customObjects/12/imports");
 * ```
 */
export function importKind(name: string, path: string): ImportKind {
  if (typeof name !== "string" || name === "")
    throw new InvalidOptionError("importKind", "name", "a non-empty string", name);
  if (typeof path !== "string" || !/^(\/[A-Za-z0-9_-]+)*\/imports$/.test(path)) {
    throw new InvalidOptionError("importKind", "path", 'a Bulk API path ending in "/imports"', path);
  }
  return Object.freeze({ name, path });
}

/** The import kind of custom object `id`. */
export function customObjectImportKind(id: number): ImportKind {
  if (!Number.isInteger(id) || id < 1) {
    throw new InvalidOptionError("customObjectImportKind", "id", "a positive integer", id);
  }
  return importKind(`custom object ${id}`, `/customObjects/${id}/imports`);
}

/** Options of calls that only take a signal. */
export interface CallOptions {
  /**
   * Aborts the call (and any wait before a retry); it rejects with `signal.reason`.
   * @default undefined
   */
  readonly signal?: AbortSignal;
  /**
   * Told of each retry of this call (besides the client's `onRetry`), e.g. to count an upload's retries.
   * @default undefined
   */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Options of `postData`. */
export interface PostDataOptions extends CallOptions {
  /**
   * `"application/json"` (an array of objects keyed by the definition's
   * fields) or `"text/csv"` (a header row of those keys), UTF-8.
   * @default "application/json"
   */
  readonly contentType?: string;
  /**
   * Per-request timeout for this POST.
   * @default the client's dataTimeoutMs
   */
  readonly timeoutMs?: number;
}

const encoder = new TextEncoder();

function checkKind(action: string, kind: ImportKind): ImportKind {
  if (typeof kind !== "object" || kind === null || typeof kind.path !== "string") {
    throw new TypeError(
      `Cannot ${action} as kind must be an ImportKind like IMPORT_KINDS.opportunityContactLinkage`,
    );
  }
  return importKind(kind.name, kind.path);
}

export async function createImport(
  requester: BulkRequester,
  kind: ImportKind,
  definition: ImportDefinitionInput,
  options: CallOptions = {},
): Promise<ImportDefinition> {
  const { path } = checkKind("create an import", kind);
  if (typeof definition !== "object" || definition === null || typeof definition.fields !== "object") {
    throw new TypeError("Cannot create an import as definition must be an object with name and fields");
  }
  // Oracle's pages disagree on the default: send it explicitly.
  const json = { ...definition, isSyncTriggeredOnImport: definition.isSyncTriggeredOnImport ?? false };
  const result = await requester.request({
    method: "POST",
    path,
    json,
    signal: options.signal,
    retry: "create",
  });
  return expectObject(result, "an import definition with a uri", "uri") as ImportDefinition;
}

export async function getImport(
  requester: BulkRequester,
  uri: string,
  options: CallOptions = {},
): Promise<ImportDefinition> {
  const path = checkResourceUri("get an import", "uri", uri, "/opportunities/contacts/imports/12");
  const result = await requester.request({ method: "GET", path, signal: options.signal });
  return expectObject(result, "an import definition with a uri", "uri") as ImportDefinition;
}

export function listImports(
  requester: BulkRequester,
  kind: ImportKind,
  options: PageOptions = {},
): AsyncGenerator<ImportDefinition, void, undefined> {
  const { path } = checkKind("list imports", kind);
  const { limit, offset } = checkPageOptions("listImports", options);
  return paginate(
    async (l, o, signal) => {
      const result = await requester.request({ method: "GET", path, query: { limit: l, offset: o }, signal });
      return expectObject(result, "a page of import definitions") as unknown as Page<ImportDefinition>;
    },
    limit,
    offset,
    options.signal,
  );
}

/**
 * The fields records of `kind` have (`GET /opportunities/fields`,
 * `/contacts/fields`, `/accounts/fields`, `/customObjects/{id}/fields`),
 * page after page. A linkage import has none: its fields are the statements
 * of its definition.
 */
export function listFields(
  requester: BulkRequester,
  kind: ImportKind,
  options: PageOptions = {},
): AsyncGenerator<EloquaField, void, undefined> {
  const { path } = checkKind("list fields", kind);
  if (path.toLowerCase() === IMPORT_KINDS.opportunityContactLinkage.path) {
    throw new InvalidOptionError(
      "listFields",
      "kind",
      "an import of records (opportunities, contacts, accounts, a custom object): a linkage has no fields endpoint",
      kind.name,
    );
  }
  const fieldsPath = `${path.slice(0, -"/imports".length)}/fields`;
  const { limit, offset } = checkPageOptions("listFields", options);
  return paginate(
    async (l, o, signal) => {
      const result = await requester.request({
        method: "GET",
        path: fieldsPath,
        query: { limit: l, offset: o },
        signal,
      });
      return expectObject(result, "a page of fields") as unknown as Page<EloquaField>;
    },
    limit,
    offset,
    options.signal,
  );
}

/**
 * Deletes a definition. A 404 after an earlier attempt failed without an
 * answer means that attempt did delete it: that counts as done.
 */
export async function deleteImport(
  requester: BulkRequester,
  uri: string,
  options: CallOptions = {},
): Promise<void> {
  const path = checkResourceUri("delete an import", "uri", uri, "/opportunities/contacts/imports/12");
  try {
    await requester.request({ method: "DELETE", path, signal: options.signal });
  } catch (error) {
    if (isEloquaHttpError(error) && error.status === 404 && error.attempts > 1) return;
    throw error;
  }
}

/**
 * Stages `body` on the definition. Resolves with `undefined` on 204, or with
 * the sync Eloqua started (201) when the definition has
 * `isSyncTriggeredOnImport: true`.
 */
export async function postData(
  requester: BulkRequester,
  definitionUri: string,
  body: Uint8Array | string | ReadableStream<Uint8Array>,
  maxBytes: number,
  options: PostDataOptions = {},
): Promise<Sync | undefined> {
  const uri = checkResourceUri(
    "post data",
    "definitionUri",
    definitionUri,
    "/opportunities/contacts/imports/12",
  );
  const contentType = options.contentType ?? "application/json";
  if (typeof contentType !== "string" || !/^[\x21-\x7e][\x20-\x7e]*$/.test(contentType)) {
    throw new InvalidOptionError("postData", "contentType", 'a media type like "text/csv"', contentType);
  }
  if (options.timeoutMs !== undefined)
    checkInteger("postData", "timeoutMs", options.timeoutMs, 1, 2_147_483_647);
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  if (bytes instanceof Uint8Array) {
    if (bytes.byteLength > maxBytes) throw new EloquaBodyTooLargeError(bytes.byteLength, maxBytes);
  } else if (!(bytes instanceof ReadableStream)) {
    throw new TypeError(
      "Cannot post data as body must be a Uint8Array, a string or a ReadableStream of bytes",
    );
  }
  const result = await requester.request({
    method: "POST",
    path: `${uri}/data`,
    body: bytes,
    contentType,
    operation: "data",
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    onRetry: options.onRetry,
  });
  if (result.status === 201) return expectObject(result, "a sync with a uri", "uri") as Sync;
  return undefined;
}

/** Deletes the definition's staged data (Eloqua answers 409 while a sync on it is pending or active). */
export async function deleteData(
  requester: BulkRequester,
  definitionUri: string,
  options: CallOptions = {},
): Promise<void> {
  const uri = checkResourceUri(
    "delete data",
    "definitionUri",
    definitionUri,
    "/opportunities/contacts/imports/12",
  );
  await requester.request({ method: "DELETE", path: `${uri}/data`, signal: options.signal });
}
