/**
 * eloqua-bulk-stream: load huge CSV files into Oracle Eloqua through the Bulk
 * API 2.0 with WHATWG streams: opportunity ↔ contact (or account) links
 * (`importLinkages`), and any import of records — opportunities, contacts,
 * accounts, custom objects — planned from a file's header and Eloqua's
 * fields (`planImport`, `importRows`).
 *
 * The core stages, each a pure class plus a thin `TransformStream`:
 * `CsvParseStream` → `ValidateStream` → `DedupeStream` → `JsonBatchStream`,
 * or all four as `CsvBatchStream`.
 *
 * @module
 */

export type { JsonBatch } from "./batch/json_batch.ts";
export { batchLines, lineOfRow } from "./batch/json_batch.ts";
export type { JsonBatchStreamOptions } from "./batch/json_batch_stream.ts";
export { JsonBatchStream } from "./batch/json_batch_stream.ts";
export type { JsonBatcherOptions, JsonBatchStats } from "./batch/json_batcher.ts";
export { DEFAULT_MAX_BATCH_BYTES, JsonBatcher } from "./batch/json_batcher.ts";
// The Eloqua Bulk API client.
export type {
  AuthKind,
  BasicAuth,
  BearerAuth,
  BodySourceFetch,
  CallOptions,
  CreateSyncInput,
  EloquaAuth,
  EloquaBulkClientOptions,
  EloquaFailure,
  EloquaField,
  EloquaOperation,
  FetchLike,
  ImportDefinition,
  ImportDefinitionInput,
  ImportKind,
  LinkageDefinitionInput,
  LinkageDefinitionOptions,
  OAuthAuth,
  OAuthTokens,
  Page,
  PageOptions,
  PostDataOptions,
  ProviderAuth,
  RetryEvent,
  RetryPolicy,
  Sync,
  SyncLog,
  SyncReject,
  SyncStatus,
  Timers,
  TokenProvider,
  WaitForSyncOptions,
} from "./client/mod.ts";
export {
  customObjectImportKind,
  DEFAULT_LINKAGE_FIELDS,
  DEFAULT_RETRY_POLICY,
  EloquaAuthError,
  EloquaBodyTooLargeError,
  EloquaBulkClient,
  EloquaHttpError,
  EloquaNetworkError,
  EloquaTimeoutError,
  IMPORT_KINDS,
  importKind,
  isEloquaAuthError,
  isEloquaBodyTooLargeError,
  isEloquaHttpError,
  isEloquaNetworkError,
  isEloquaTimeoutError,
  isFinalSyncStatus,
  isRetryableError,
  isSyncWaitTimeoutError,
  linkageDefinition,
  OAuthTokenProvider,
  requestBodySource,
  SyncWaitTimeoutError,
  systemTimers,
} from "./client/mod.ts";
export type { CsvHeaderErrorCode } from "./csv/csv_errors.ts";
export { CsvHeaderError, isCsvHeaderError } from "./csv/csv_errors.ts";
export type { CsvParseStreamOptions } from "./csv/csv_parse_stream.ts";
export { CsvParseStream } from "./csv/csv_parse_stream.ts";
export type { CsvParserOptions, CsvRecordHandler } from "./csv/csv_parser.ts";
export { CsvParser } from "./csv/csv_parser.ts";
export type { CsvReadStats, CsvRowReaderOptions } from "./csv/csv_row_reader.ts";
export { CsvRowReader } from "./csv/csv_row_reader.ts";
export type { HeaderMappingOptions } from "./csv/header_mapping.ts";
export type { DecodedInput, DecodeInputOptions, NotUtf8 } from "./csv/input_decoding.ts";
export { decodeInput, sniffNotUtf8 } from "./csv/input_decoding.ts";
export type { PeekedHeader, PeekHeaderOptions } from "./csv/peek_header.ts";
export { DELIMITERS, detectDelimiter, peekHeader } from "./csv/peek_header.ts";
export type { CsvBatchStreamOptions, RowCounts } from "./csv_batch_stream.ts";
export { CsvBatchStream } from "./csv_batch_stream.ts";
export type { DedupeIndexOptions } from "./dedupe/dedupe_index.ts";
export { DedupeIndex } from "./dedupe/dedupe_index.ts";
export type { DedupeStreamOptions } from "./dedupe/dedupe_stream.ts";
export { DedupeStream } from "./dedupe/dedupe_stream.ts";
export type { DedupeStats, RowDeduperOptions } from "./dedupe/row_deduper.ts";
export { linkageCaseSensitivity, RowDeduper } from "./dedupe/row_deduper.ts";
export type { RowKey } from "./dedupe/row_key.ts";
export { rowKey } from "./dedupe/row_key.ts";
export { ELOQUA_MAX_BODY_BYTES, ELOQUA_MAX_FILES_PER_SYNC } from "./eloqua_limits.ts";
export { EloquaBulkError, InvalidOptionError, isEloquaBulkError, isInvalidOptionError } from "./errors.ts";
// The import: upload sink and the whole job.
export { importLinkages, linkageSchema } from "./import/import_linkages.ts";
export type {
  CsvSource,
  ImportLinkagesOptions,
  ImportOptions,
  ImportRowsOptions,
} from "./import/import_options.ts";
export type {
  ColumnMapping,
  ImportPlan,
  ImportPlanErrorCode,
  PlanImportOptions,
} from "./import/import_plan.ts";
export { ImportPlanError, isImportPlanError, planImport } from "./import/import_plan.ts";
export { importRows } from "./import/import_rows.ts";
export type { ImportProgress, ImportReport, RowReport, SyncReport } from "./import/report.ts";
export type { UploadSinkOptions } from "./import/upload_sink.ts";
export { UploadSink } from "./import/upload_sink.ts";
export type { UploaderOptions, UploadStats } from "./import/uploader.ts";
export { Uploader } from "./import/uploader.ts";
export type { Reject, RejectCode, RejectCounts, RejectHandler, RejectStage } from "./reject.ts";
export type { RejectsCsvWriterOptions } from "./rejects_csv.ts";
export { RejectsCsvWriter } from "./rejects_csv.ts";
export type { Row } from "./row.ts";
export { RowBatch, RowBatchBuilder } from "./row_batch.ts";
export type { FieldFormat, FieldProblem, FieldSpec, ImportSchema } from "./schema.ts";
export { LINKAGE_SCHEMA, validateEmail } from "./schema.ts";
export { isValidEmail, MAX_EMAIL_LENGTH, WHATWG_EMAIL_PATTERN } from "./validate/email.ts";
export type { RowValidatorOptions, ValidateStats } from "./validate/row_validator.ts";
export { RowValidator } from "./validate/row_validator.ts";
export type { ValidateStreamOptions } from "./validate/validate_stream.ts";
export { ValidateStream } from "./validate/validate_stream.ts";
// Parsing in a worker: the portable protocol and stream, the Web Worker adapter (Deno, Bun, browsers;
// Node's is `spawnRowWorkerThread` in ./node).
export type { PostToMain } from "./worker/row_worker_core.ts";
export { serveRows } from "./worker/row_worker_core.ts";
export type { RowWorkerOptions } from "./worker/row_worker_protocol.ts";
export type { WebRowWorkerOptions } from "./worker/web_row_worker.ts";
export {
  isRowWorkerUnavailableError,
  RowWorkerUnavailableError,
  spawnWebRowWorker,
} from "./worker/web_row_worker.ts";
export type { RowWorkerPort, WorkerRowStreamOptions } from "./worker/worker_row_stream.ts";
export { WorkerRowStream } from "./worker/worker_row_stream.ts";
