// A FetchLike on node:http / node:https: measured on Node to cost a fraction of the runtime's fetch
// (undici) per MB posted, because a data POST's bytes go to the socket as they are (see
// requestBodySource) instead of being copied into a Request and streamed through undici.
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { checkInteger } from "../client/_options.ts";
import type { BodySourceFetch } from "../client/transport.ts";
import { requestBodySource } from "../client/transport.ts";
import { InvalidOptionError } from "../errors.ts";

const WHERE = "createNodeHttpFetch";

/** Options of {@linkcode createNodeHttpFetch}. */
export interface NodeHttpFetchOptions {
  /**
   * Keep connections open between requests and reuse them. A reused connection that the server closes
   * without answering fails the request (a network error the client counts and retries); it is never
   * sent again behind the client's back.
   * @default true
   */
  readonly keepAlive?: boolean;
  /**
   * How long an idle connection is kept, in ms (a shorter `Keep-Alive: timeout=…` from the server wins).
   * @default 4000 (what Node's fetch keeps)
   */
  readonly idleTimeoutMs?: number;
  /**
   * Most connections open at once per origin (requests beyond it wait for one).
   * @default Infinity (like fetch: the uploader's `concurrency` bounds them)
   */
  readonly maxSockets?: number;
  /**
   * Your own agent for `http:` URLs (a proxy, other limits); `keepAlive`, `idleTimeoutMs` and
   * `maxSockets` do not apply to it, and `close()` leaves it open.
   * @default a keep-alive agent of this transport
   */
  readonly httpAgent?: HttpAgent;
  /**
   * Your own agent for `https:` URLs (extra CA certificates, client certificates, a proxy); as `httpAgent`.
   * @default a keep-alive agent of this transport
   */
  readonly httpsAgent?: HttpsAgent;
}

/** A `fetch` on node:http; `close()` ends its connections. */
export interface NodeHttpFetch extends BodySourceFetch {
  /** Destroys this transport's connections, idle or busy (requests in flight fail). Idempotent. */
  close(): void;
}

type BodyPlan =
  | { readonly kind: "none" }
  /** The whole body, sent with Content-Length as it is (no copy). */
  | { readonly kind: "whole"; readonly data: Uint8Array | string }
  /** A body of unknown length, sent chunked; `read` are its first chunks, read already. Sent once only. */
  | {
      readonly kind: "stream";
      readonly read: readonly Uint8Array[];
      readonly reader: ReadableStreamDefaultReader<Uint8Array>;
    };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const MAX_REDIRECTS = 20;
const INIT_KEYS: readonly string[] = [
  "method",
  "headers",
  "body",
  "signal",
  "redirect",
  "mode",
  "credentials",
  "cache",
  "referrer",
  "referrerPolicy",
  "integrity",
  "keepalive",
  "window",
  "duplex",
  "priority",
];

/**
 * A `fetch` for the client (`new EloquaBulkClient({ fetch: createNodeHttpFetch() })`) built on node:http
 * and node:https with keep-alive agents. Node only; the CLI uses it unless told otherwise.
 *
 * - Bodies the client built from bytes or a string are written to the socket as they are, with
 *   `Content-Length` (no copy; do not modify them while the request runs); other bodies are read from
 *   the Request and sent as they come.
 * - `request.signal` aborts the request and the reading of its answer, rejecting with the signal's reason.
 * - A refused, reset or dropped connection, or an answer cut short, rejects (or errors the body) with
 *   `TypeError("fetch failed")` whose `cause` is Node's error, as Node's fetch does; nothing is re-sent.
 * - Like fetch: redirects are followed (at most 20; `Authorization` is dropped across origins),
 *   gzip/deflate/br answers are decoded, and `accept`, `user-agent` and `accept-encoding` are set when
 *   the request has none. No cookies, no cache, no HTTP/2, and proxies only through your own agent.
 *
 * @example
 * ```ts
 * import { EloquaBulkClient } from "../client/client.ts";
 * import { createNodeHttpFetch } from "./node_http_fetch.ts";
 *
 * const fetch = createNodeHttpFetch();
 * const client = new EloquaBulkClient({ auth: { type: "bearer", token: "…" }, fetch });
 * // … use the client, then:
 * fetch.close();
 * ```
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): NodeHttpFetch {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(WHERE, "options", "an object", options);
  }
  const keepAlive = options.keepAlive ?? true;
  if (typeof keepAlive !== "boolean")
    throw new InvalidOptionError(WHERE, "keepAlive", "a boolean", keepAlive);
  const idleTimeoutMs = checkInteger(WHERE, "idleTimeoutMs", options.idleTimeoutMs ?? 4000, 1, 2_147_483_647);
  const maxSockets = options.maxSockets ?? Number.POSITIVE_INFINITY;
  if (maxSockets !== Number.POSITIVE_INFINITY) checkInteger(WHERE, "maxSockets", maxSockets, 1, 65_535);
  if (options.httpAgent !== undefined && !(options.httpAgent instanceof HttpAgent)) {
    throw new InvalidOptionError(WHERE, "httpAgent", "an http.Agent", options.httpAgent);
  }
  if (options.httpsAgent !== undefined && !(options.httpsAgent instanceof HttpsAgent)) {
    throw new InvalidOptionError(WHERE, "httpsAgent", "an https.Agent", options.httpsAgent);
  }
  const agentOptions = { keepAlive, maxSockets, timeout: idleTimeoutMs };
  let ownHttp: HttpAgent | undefined;
  let ownHttps: HttpsAgent | undefined;
  const agentFor = (protocol: string): HttpAgent => {
    if (protocol === "https:") {
      if (options.httpsAgent !== undefined) return options.httpsAgent;
      ownHttps ??= new HttpsAgent(agentOptions);
      return ownHttps;
    }
    if (options.httpAgent !== undefined) return options.httpAgent;
    ownHttp ??= new HttpAgent(agentOptions);
    return ownHttp;
  };
  const fetch = (input: Request | URL | string, init?: RequestInit): Promise<Response> =>
    nodeFetch(input, init, agentFor);
  return Object.assign(fetch, {
    sendsBodySource: true as const,
    close(): void {
      ownHttp?.destroy();
      ownHttps?.destroy();
      ownHttp = undefined;
      ownHttps = undefined;
    },
  });
}

/** What fetch rejects with when there is no answer: a TypeError whose cause says why. */
function networkError(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

function hasRequestInit(init: RequestInit | undefined): boolean {
  if (init === undefined || init === null) return false;
  const record = init as Record<string, unknown>;
  return INIT_KEYS.some((key) => record[key] !== undefined);
}

async function nodeFetch(
  input: Request | URL | string,
  init: RequestInit | undefined,
  agentFor: (protocol: string) => HttpAgent,
): Promise<Response> {
  // The Request to send, and the body as given when it can be sent without reading a copy of it.
  let request: Request;
  let source: Uint8Array | string | undefined;
  const initBody = init?.body;
  if (input instanceof Request && !hasRequestInit(init)) {
    request = input;
    source = requestBodySource(input);
  } else if (
    !(input instanceof Request) &&
    (typeof initBody === "string" || initBody instanceof Uint8Array)
  ) {
    const { body: _given, ...rest } = init as RequestInit;
    request = new Request(input, rest);
    if (request.method === "GET" || request.method === "HEAD") {
      throw new TypeError("Request with GET/HEAD method cannot have body.");
    }
    source = initBody;
    if (typeof initBody === "string" && !request.headers.has("content-type")) {
      request.headers.set("content-type", "text/plain;charset=UTF-8");
    }
  } else {
    request = new Request(input, init);
  }
  const signal = request.signal;
  signal.throwIfAborted();

  let body: BodyPlan;
  if (source !== undefined) body = { kind: "whole", data: source };
  else if (request.body === null) body = { kind: "none" };
  else body = await planStream(request.body, signal);

  let url = new URL(request.url);
  let method = request.method;
  const headers = outgoingHeaders(request.headers, url);
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw networkError(new Error(`Cannot fetch ${url.protocol} URLs`));
    }
    const response = await exchange(url, method, headers, body, signal, agentFor(url.protocol));
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || location === undefined || request.redirect === "manual") {
      return toResponse(response, method, url, redirects > 0, signal);
    }
    response.resume(); // drained, so that the connection can serve the next request
    if (request.redirect === "error") throw networkError(new Error(`Unexpected redirect (${status})`));
    if (redirects >= MAX_REDIRECTS) throw networkError(new Error("Too many redirects"));
    let next: URL;
    try {
      next = new URL(location, url);
    } catch (error) {
      throw networkError(error);
    }
    if (((status === 301 || status === 302) && method === "POST") || (status === 303 && method !== "HEAD")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = { kind: "none" };
      for (const name of [
        "content-type",
        "content-length",
        "content-encoding",
        "content-language",
        "content-location",
      ])
        delete headers[name];
    } else if (body.kind === "stream") {
      throw networkError(new Error(`Cannot follow a ${status} redirect with a streamed body`));
    }
    if (next.origin !== url.origin) {
      for (const name of ["authorization", "cookie", "proxy-authorization", "host"]) delete headers[name];
    }
    url = next;
  }
}

/** Reads up to two chunks: a body that is one chunk (a Request built from bytes) gets a Content-Length. */
async function planStream(stream: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<BodyPlan> {
  const reader = stream.getReader();
  const onAbort = (): void => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const first = await reader.read();
    signal.throwIfAborted();
    if (first.done) return { kind: "whole", data: new Uint8Array(0) };
    const second = await reader.read();
    signal.throwIfAborted();
    if (second.done) return { kind: "whole", data: first.value };
    return { kind: "stream", read: [first.value, second.value], reader };
  } catch (error) {
    reader.cancel(error).catch(() => {});
    if (signal.aborted) throw signal.reason;
    throw networkError(error);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function outgoingHeaders(headers: Headers, url: URL): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  out.accept ??= "*/*";
  out["user-agent"] ??= "node";
  out["accept-encoding"] ??= url.protocol === "https:" ? "br, gzip, deflate" : "gzip, deflate";
  return out;
}

/** Sends one request and resolves with the answer's head; the body is left to read. */
function exchange(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: BodyPlan,
  signal: AbortSignal,
  agent: HttpAgent,
): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const sent: OutgoingHttpHeaders = { ...headers };
    if (body.kind === "whole") {
      sent["content-length"] =
        typeof body.data === "string" ? Buffer.byteLength(body.data) : body.data.byteLength;
    } else if (body.kind === "none" && (method === "POST" || method === "PUT")) {
      sent["content-length"] = 0;
    }
    let settled = false;
    let req: ClientRequest | undefined;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (body.kind === "stream") body.reader.cancel(error).catch(() => {});
      reject(error);
    };
    const onAbort = (): void => {
      req?.destroy();
      fail(signal.reason);
    };
    try {
      req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { method, headers: sent, agent });
    } catch (error) {
      fail(networkError(error));
      return;
    }
    const started = req;
    signal.addEventListener("abort", onAbort, { once: true });
    started.on("error", (error) => fail(signal.aborted ? signal.reason : networkError(error)));
    started.on("response", (response) => {
      // Errors of the answer are reported through its body; this keeps one arriving unheard from throwing.
      response.on("error", () => {});
      if (settled) {
        response.destroy();
        return;
      }
      settled = true;
      signal.removeEventListener("abort", onAbort);
      resolve(response);
    });
    if (body.kind === "none") started.end();
    else if (body.kind === "whole") started.end(body.data);
    else {
      pump(started, body.read, body.reader).catch((error: unknown) => {
        started.destroy();
        fail(signal.aborted ? signal.reason : networkError(error));
      });
    }
  });
}

/** Writes a streamed body chunk by chunk, waiting for the socket to drain. */
async function pump(
  req: ClientRequest,
  read: readonly Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<void> {
  const queue = [...read];
  for (;;) {
    const chunk = queue.shift() ?? (await next(reader));
    if (chunk === undefined) break;
    if (req.destroyed) return;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          req.off("drain", done);
          req.off("close", done);
          resolve();
        };
        req.on("drain", done);
        req.on("close", done);
      });
    }
  }
  if (!req.destroyed) req.end();
}

async function next(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array | undefined> {
  const { done, value } = await reader.read();
  return done ? undefined : value;
}

function toResponse(
  message: IncomingMessage,
  method: string,
  url: URL,
  redirected: boolean,
  signal: AbortSignal,
): Response {
  const status = message.statusCode ?? 0;
  const headers = new Headers();
  const raw = message.rawHeaders;
  let response: Response;
  try {
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    const empty = method === "HEAD" || NULL_BODY.has(status);
    if (empty) message.resume();
    response = new Response(empty ? null : bodyStream(message, decoded(message), signal), {
      status,
      statusText: message.statusMessage ?? "",
      headers,
    });
  } catch (error) {
    message.destroy();
    throw networkError(error);
  }
  Object.defineProperty(response, "url", { value: url.href });
  if (redirected) Object.defineProperty(response, "redirected", { value: true });
  return response;
}

/**
 * The answer's body decoded as fetch does: gzip, deflate and br, codings listed undone in reverse order;
 * with a coding it does not know, the body as it came.
 */
function decoded(message: IncomingMessage): Readable {
  const codings = (message.headers["content-encoding"] ?? "")
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity")
    .reverse();
  if (codings.some((coding) => !["gzip", "x-gzip", "deflate", "br"].includes(coding))) return message;
  let stream: Readable = message;
  for (const coding of codings) {
    const decoder =
      coding === "deflate" ? createInflate() : coding === "br" ? createBrotliDecompress() : createGunzip();
    stream.on("error", (error) => decoder.destroy(error));
    stream = stream.pipe(decoder);
  }
  return stream;
}

/**
 * The body as a web stream, chunk for chunk (views of Node's buffers, no copies), pausing the socket
 * while the reader lags. A connection closed before the end, or the signal, errors the stream.
 */
function bodyStream(
  message: IncomingMessage,
  source: Readable,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  let done = false;
  let onAbort: (() => void) | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const finish = (error?: unknown): void => {
          if (done) return;
          done = true;
          if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
          if (error === undefined) controller.close();
          else controller.error(error);
        };
        onAbort = () => {
          finish(signal.reason);
          message.destroy();
          if (source !== message) source.destroy();
        };
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener("abort", onAbort, { once: true });
        source.on("data", (chunk: Buffer) => {
          if (done) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.on("end", () => finish());
        source.on("error", (error) => finish(networkError(error)));
        message.on("close", () => {
          if (!message.complete)
            finish(networkError(new Error("The connection closed before the answer ended")));
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        done = true;
        if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
        message.destroy();
        if (source !== message) source.destroy();
      },
    },
    { highWaterMark: 16 },
  );
}
