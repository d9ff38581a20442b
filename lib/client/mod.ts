/**
 * A portable client of Oracle Eloqua's Bulk API 2.0 imports (web-standard
 * APIs only: runs on Node, Deno, Bun and edge runtimes).
 *
 * @module
 */
export type { AuthKind, BasicAuth, BearerAuth, EloquaAuth, ProviderAuth, TokenProvider } from "./auth.ts";
export { basicAuthorization } from "./auth.ts";
export { base64Utf8 } from "./base64.ts";
export { EloquaBulkClient } from "./client.ts";
export type { EloquaBulkClientOptions } from "./client_options.ts";
export type { LinkageDefinitionInput, LinkageDefinitionOptions } from "./definitions.ts";
export { DEFAULT_LINKAGE_FIELDS, linkageDefinition } from "./definitions.ts";
export { bulkRootFor, DEFAULT_LOGIN_URL } from "./discovery.ts";
export { parseIsoDuration } from "./duration.ts";
export type { EloquaFailure, EloquaHttpErrorInit, EloquaOperation } from "./errors.ts";
export {
  codeForStatus,
  EloquaAuthError,
  EloquaBodyTooLargeError,
  EloquaHttpError,
  EloquaNetworkError,
  EloquaTimeoutError,
  isEloquaAuthError,
  isEloquaBodyTooLargeError,
  isEloquaHttpError,
  isEloquaNetworkError,
  isEloquaTimeoutError,
  isRetryableError,
  isSyncWaitTimeoutError,
  RETRYABLE_STATUSES,
  SyncWaitTimeoutError,
} from "./errors.ts";
export type { RetryEvent } from "./http.ts";
export type { CallOptions, ImportKind, PostDataOptions } from "./imports.ts";
export { customObjectImportKind, IMPORT_KINDS, importKind } from "./imports.ts";
export { DEFAULT_TOKEN_URL, OAuthTokenProvider } from "./oauth.ts";
export type { OAuthAuth, OAuthSettings, OAuthTokenProviderOptions, OAuthTokens } from "./oauth_options.ts";
export type { PageOptions } from "./paging.ts";
export type { RetryPolicy } from "./retry.ts";
export { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from "./retry.ts";
export type { CreateSyncInput, WaitForSyncOptions } from "./syncs.ts";
export { isFinalSyncStatus } from "./syncs.ts";
export type { Timers } from "./timers.ts";
export { systemTimers } from "./timers.ts";
export type { BodySourceFetch, FetchLike } from "./transport.ts";
export { requestBodySource } from "./transport.ts";
export type {
  EloquaField,
  ImportDefinition,
  ImportDefinitionInput,
  Page,
  Sync,
  SyncLog,
  SyncReject,
  SyncStatus,
} from "./types.ts";
