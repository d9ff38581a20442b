/**
 * An emulator of the Oracle Eloqua Bulk API 2.0 endpoints this project uses (and of login.eloqua.com's
 * `/id` and OAuth token endpoint), with Eloqua's limits and failures, fault injection, stats and call
 * history. Portable: web-standard APIs only. Serve it on Node with `lib/node/emulator_server.ts`.
 *
 * Where Oracle's documents leave behaviour open, the emulator decides as follows:
 * - A data POST is checked in this order: definition exists (404), `Content-Type` present and JSON or
 *   CSV (400), body ≤ `maxBodyBytes` (404, read to its end first), fewer than `maxFilesPerSync` files
 *   since the last completed sync (400), staged bytes + this body ≤ `maxStagedBytes` (413), body well
 *   formed (400). Only accepted POSTs count as files.
 * - A sync takes the files staged when it is created; files posted while it runs wait for the next sync
 *   (and count in `postsDuringSync`). Its work is done once, lazily, by the first request (or `stats` /
 *   `records()` read) after `pendingMs + activeMs` on the clock.
 * - `recordIndex` (rejects and records) is 1-based over all rows of the sync, in the order their data
 *   POSTs were accepted, body order within a POST; `fileIndex` is the POST's 1-based number in the sync.
 * - A sync ends `warning` if it rejected rows, else `success` (also when it had no data: 0 records
 *   processed). It ends `error` (ELQ-00146) only through a `"syncError"` fault; its files then stay
 *   staged for the next sync, as for Eloqua's "temporary error, retry the sync".
 * - Linkage rows are rejected with ELQ-00084 when the opportunity id is unknown, else ELQ-00085 when the
 *   contact is unknown (`linkOpportunitiesEntityType: "Contact"`) or ELQ-00034 when the account is
 *   (`"Account"`; Oracle lists no "account does not exist" code), matched on the field the source
 *   column's statement names (`{{Opportunity.Contact.Field(C_EmailAddress)}}`, `{{Opportunity.Contact.Id}}`,
 *   `{{Opportunity.Account.Field(M_SFDCAccountID)}}`…); matching ignores case unless the definition's
 *   `linkOpportunitiesCaseSensitive*` flag says otherwise. Opportunity, contact and account import syncs
 *   make the rows they synced known by every field they carry.
 * - Record imports (opportunities, contacts, accounts, custom object 1) reject, at sync time, rows whose
 *   values do not fit the type of their field in the emulator's catalog: ELQ-00002 for an e-mail
 *   address, ELQ-00032 for a number or a date (Oracle lists no closer code), ELQ-00061 for an empty
 *   not-null field. The rest are synced.
 * - `"count"` mode keeps no rows: no rejects are computed (syncs end `success`) and ignored columns are
 *   not detected.
 * - `isSyncTriggeredOnImport` defaults to false, `dataRetentionDuration` to `P7D` (staged data never
 *   expires here); `callbackUrl` is kept and echoed, never called. Deleting a definition, or its data,
 *   while a sync on it is pending or active answers 409.
 *
 * @module
 */

export type { BasicCredentials, TokenGrant } from "./auth.ts";
export { basicAuthorization, parseBasic } from "./auth.ts";
export type { Clock } from "./clock.ts";
export { formatTimestamp, ManualClock } from "./clock.ts";
export type { CsvParseResult } from "./csv_parse.ts";
export { parseCsv } from "./csv_parse.ts";
export type { CsvScanResult } from "./csv_scan.ts";
export { CsvScanner } from "./csv_scan.ts";
export type { ImportKind } from "./definition_validation.ts";
export { importKind, READ_ONLY_PROPERTIES, WRITABLE_PROPERTIES } from "./definition_validation.ts";
export type { Emulator } from "./emulator.ts";
export { createEmulator, DROP_CONNECTION } from "./emulator.ts";
export type { FaultAction, FaultRule, FaultStatus } from "./faults.ts";
export { describeFault } from "./faults.ts";
export type { CallRecord } from "./history.ts";
export type { RejectCode } from "./import_processing.ts";
export {
  ACCOUNT_MISSING,
  CONTACT_MISSING,
  INVALID_EMAIL,
  MALFORMED,
  MISSING_FIELDS,
  OPPORTUNITY_MISSING,
} from "./import_processing.ts";
export type { JsonScanResult } from "./json_scan.ts";
export { JsonArrayScanner } from "./json_scan.ts";
export type { EmulatorCredentials, EmulatorOptions, KnownValues, SyncTiming } from "./options.ts";
export { DEFAULT_CREDENTIALS } from "./options.ts";
export type { Page } from "./paging.ts";
export type { Failure } from "./responses.ts";
export type { RouteDefinition, RouteName } from "./routes.ts";
export { BULK_PREFIX, DEFAULT_IMPORT_PATHS, ROUTE_NAMES, routeTable } from "./routes.ts";
export type { StagedRecord } from "./staging.ts";
export type { EmulatorState } from "./state.ts";
export { STATE_FORMAT, STATE_VERSION } from "./state.ts";
export type { EmulatorStats } from "./stats.ts";
export { LOG_CODES } from "./sync_lifecycle.ts";
export type { SyncLogItem, SyncRejectItem, SyncStatus } from "./syncs.ts";
export { SYNC_STATUSES } from "./syncs.ts";
