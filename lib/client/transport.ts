/**
 * The transport seam: anything with the `fetch` signature. The default is
 * the runtime's `fetch`; tests pass a fake, and a Node-specific transport
 * (e.g. one built on `node:http`, measured faster for large bodies) can be
 * plugged in without touching the client.
 *
 * The client sends requests through ky, which calls the transport with a
 * `Request` as `input` (body, headers, method and signal are on it) and an
 * `init` that is usually empty. A transport must honour `request.signal`:
 * per-request timeouts and caller aborts rely on it.
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
