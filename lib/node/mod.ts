/**
 * The Node-specific edges of eloqua-bulk-stream: files, the emulator's HTTP
 * server, the fast-csv parser option, and a node:http transport for the
 * client. Everything else is in the portable entry (`eloqua-bulk-stream`).
 *
 * @module
 */
export type { EmulatorServer, EmulatorServerOptions } from "./emulator_server.ts";
export { startEmulatorServer } from "./emulator_server.ts";
export type { FastCsvParseStreamOptions } from "./fast_csv_parse_stream.ts";
export { FastCsvParseStream } from "./fast_csv_parse_stream.ts";
export type { FileSource, FileSourceOptions, FileUnreadableReason } from "./file_source.ts";
export { FileUnreadableError, fileSource, isFileUnreadableError } from "./file_source.ts";
export type { NodeHttpFetch, NodeHttpFetchOptions } from "./node_http_fetch.ts";
export { createNodeHttpFetch } from "./node_http_fetch.ts";
export { spawnRowWorkerThread } from "./row_worker_thread.ts";
