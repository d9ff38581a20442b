import type { EloquaAuth } from "./auth.ts";
import type { RetryEvent } from "./http.ts";
import type { RetryPolicy } from "./retry.ts";
import type { Timers } from "./timers.ts";
import type { FetchLike } from "./transport.ts";

/** Options of {@linkcode EloquaBulkClient}. */
export interface EloquaBulkClientOptions {
  /** How to authenticate: Basic, a fixed bearer token, OAuth with refresh, or your own token provider. */
  readonly auth: EloquaAuth;
  /**
   * The instance's base URL, e.g. `"https://secure.p03.eloqua.com"`.
   * @default undefined: discovered with `GET {loginUrl}/id` before the first call
   */
  readonly baseUrl?: string;
  /**
   * Eloqua's login service (discovery, and the default OAuth token endpoint `{loginUrl}/auth/oauth2/token`).
   * @default "https://login.eloqua.com"
   */
  readonly loginUrl?: string;
  /**
   * The transport: any function with `fetch`'s signature (see `FetchLike`), e.g.
   * `createNodeHttpFetch()` on Node (node:http, data bodies sent without a copy) or
   * `createDenoFetch()` on Deno (no connection reuse, so a dropped connection is reported).
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike;
  /**
   * Per-request timeout of control calls (definitions, syncs, discovery,
   * tokens), until the whole answer is read.
   * @default 60000
   */
  readonly timeoutMs?: number;
  /**
   * Per-request timeout of data POSTs (up to 32 MB up, then Eloqua stages
   * them): 5 minutes is ~110 KB/s for a full body.
   * @default 300000
   */
  readonly dataTimeoutMs?: number;
  /**
   * Retry policy overrides, field by field.
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * The clock for retry delays, timeouts and sync polling.
   * @default systemTimers
   */
  readonly timers?: Timers;
  /**
   * Random numbers in [0, 1) for jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Told before each retry (e.g. to count them). Must not throw.
   * @default undefined
   */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * The largest data body sent; larger ones fail before sending with
   * `EloquaBodyTooLargeError` (Eloqua would answer 404 past 32 MB).
   * @default 32000000
   */
  readonly maxBodyBytes?: number;
}
