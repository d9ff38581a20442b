/**
 * The transport seam: anything with the `fetch` signature. The default is
 * the runtime's `fetch`; tests pass a fake, and runtime-specific transports
 * plug in without touching the client: `createNodeHttpFetch()` (node:http,
 * from `eloqua-bulk-stream/node`) and `createDenoFetch()` (from
 * `eloqua-bulk-stream/deno`).
 *
 * The client sends requests through ky, which calls the transport with a
 * `Request` as `input` (body, headers, method and signal are on it) and an
 * `init` that is usually empty. A transport must honour `request.signal`:
 * per-request timeouts and caller aborts rely on it. It must reject, not
 * resolve, when no complete answer came (a refused or dropped connection),
 * and must not send a request again on its own: the client counts retries.
 *
 * @example
 * ```ts
 * import type { FetchLike } from "./transport.ts";
 *
 * const logging: FetchLike = async (input, init) => {
 *   const response = await fetch(input, init);
 *   console.log(response.status);
 *   return response;
 * };
 * ```
 */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/**
 * A transport that sends {@linkcode requestBodySource} when there is one, never reading the Request's
 * body then. For such a transport the client builds data POSTs' Requests around a stream over the
 * caller's bytes instead of the bytes themselves, so that no copy of a body is made (a Request built
 * from bytes copies them: on Node that copy was most of a data POST's CPU); the stream still yields the
 * same bytes, once, to whoever reads it.
 */
export interface BodySourceFetch extends FetchLike {
  readonly sendsBodySource: true;
}

/** Whether `fetch` declares itself a {@linkcode BodySourceFetch}. */
export function sendsBodySource(fetch: FetchLike): boolean {
  return (fetch as Partial<BodySourceFetch>).sendsBodySource === true;
}

// Keyed by the very Request the client hands the transport: a Request's body cannot be replaced, so a
// hit always matches the Request's own body; a Request built anywhere else (a wrapper that makes a new
// one) has no entry, and its transport reads the body from the Request as usual.
const sources = new WeakMap<Request, Uint8Array | string>();

/**
 * The bytes (or string) `request`'s body was built from, when the client built it: a transport that can
 * send them as they are (node:http can) skips reading the Request's body stream, which holds a copy.
 * `undefined` for a Request without a body, a streamed body, or one built elsewhere: read `request.body`.
 * Do not modify the bytes.
 *
 * @example
 * ```ts
 * import { requestBodySource } from "./transport.ts";
 *
 * const request = new Request("https://example.com", { method: "POST", body: "{}" });
 * console.log(requestBodySource(request)); // undefined: not built by the client
 * ```
 */
export function requestBodySource(request: Request): Uint8Array | string | undefined {
  return sources.get(request);
}

/** Records the body `request` was built from, for {@linkcode requestBodySource}. Internal. */
export function rememberBodySource(request: Request, body: Uint8Array | string): void {
  sources.set(request, body);
}
