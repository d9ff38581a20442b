/**
 * The Deno-specific edge of eloqua-bulk-stream: a transport for the client that never reuses a
 * connection, so that a request whose connection drops unanswered is reported instead of re-sent by
 * Deno's fetch. Everything else is in the portable entry (`eloqua-bulk-stream`).
 *
 * @module
 */
export type { DenoFetch, DenoFetchOptions, DenoHttpClientOptions } from "./deno_fetch.ts";
export { createDenoFetch, DenoUnavailableError, isDenoUnavailableError } from "./deno_fetch.ts";
