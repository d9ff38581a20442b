// A FetchLike for Deno that never reuses a connection, so that a request whose connection closes
// unanswered fails instead of being sent again by Deno's fetch unseen (docs/RUNTIMES.md).
import type { FetchLike } from "../client/transport.ts";
import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";

/**
 * Options of `Deno.createHttpClient` that {@linkcode createDenoFetch} passes on (a subset of
 * `Deno.CreateHttpClientOptions`, declared here so that this module typechecks without Deno's types).
 */
export interface DenoHttpClientOptions {
  /** Extra root certificates (PEM). @default undefined */
  readonly caCerts?: readonly string[];
  /** A proxy, as `Deno.createHttpClient` takes it. @default undefined */
  readonly proxy?: Readonly<Record<string, unknown>>;
  /** The local address to connect from. @default undefined */
  readonly localAddress?: string;
  /**
   * Allow HTTP/2. Off by default: what is verified here (a dropped connection is reported, never
   * re-sent) is HTTP/1.1 without connection reuse.
   * @default false
   */
  readonly http2?: boolean;
}

/** Options of {@linkcode createDenoFetch}. */
export interface DenoFetchOptions {
  /** Passed to `Deno.createHttpClient`, besides `poolMaxIdlePerHost: 0`. @default {} */
  readonly client?: DenoHttpClientOptions;
}

/** A `fetch` on Deno's, through an HTTP client of its own; `close()` releases that client. */
export interface DenoFetch extends FetchLike {
  /** Closes the HTTP client; requests after it fail. Idempotent. */
  close(): void;
}

/** Thrown by {@linkcode createDenoFetch} off Deno (no `Deno.createHttpClient`). */
export class DenoUnavailableError extends EloquaBulkError {
  override readonly name = "DenoUnavailableError";

  constructor() {
    super(
      "DENO_UNAVAILABLE",
      "Cannot create a Deno transport outside Deno (Deno.createHttpClient is missing): use the runtime's fetch, or createNodeHttpFetch() on Node",
    );
  }
}

/** True when `error` is a {@linkcode DenoUnavailableError}. */
export function isDenoUnavailableError(error: unknown): error is DenoUnavailableError {
  return isEloquaBulkError(error) && error.code === "DENO_UNAVAILABLE";
}

interface DenoHttpClient {
  close(): void;
}

interface DenoGlobal {
  createHttpClient?: (options: Record<string, unknown>) => DenoHttpClient;
}

/**
 * A `fetch` for the client on Deno (`new EloquaBulkClient({ fetch: createDenoFetch() })`) that opens a
 * connection per request and keeps none idle (`Deno.createHttpClient({ poolMaxIdlePerHost: 0 })`).
 *
 * Why: Deno's fetch, when the server closes a reused keep-alive connection without answering, sends
 * the request again on a new connection without telling the caller, POST included. A data POST that
 * Eloqua staged before the connection dropped is then staged twice without the client counting it,
 * so the 500-files-per-sync guard can be passed. Without reuse the drop fails the request (a
 * `TypeError`, which the client maps to `EloquaNetworkError`, counts and retries).
 *
 * The cost: a TCP (and TLS) handshake per request, a few milliseconds against a data POST of megabytes.
 *
 * @example
 * ```ts
 * import { EloquaBulkClient } from "../client/client.ts";
 * import { createDenoFetch } from "./deno_fetch.ts";
 *
 * const fetch = createDenoFetch();
 * const client = new EloquaBulkClient({ auth: { type: "bearer", token: "…" }, fetch });
 * // … use the client, then:
 * fetch.close();
 * ```
 */
export function createDenoFetch(options: DenoFetchOptions = {}): DenoFetch {
  const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (typeof deno?.createHttpClient !== "function") throw new DenoUnavailableError();
  const client = deno.createHttpClient({
    http2: false,
    ...options.client,
    http1: true,
    poolMaxIdlePerHost: 0,
  });
  let closed = false;
  const fetch = (input: Request | URL | string, init?: RequestInit): Promise<Response> =>
    globalThis.fetch(input, { ...init, client } as RequestInit);
  return Object.assign(fetch, {
    close(): void {
      if (closed) return;
      closed = true;
      client.close();
    },
  });
}
