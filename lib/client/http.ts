// The one place requests are sent: auth header, per-request timeout, retries
// with backoff, one token refresh after a 401, and the mapping of every
// failure to this client's errors. ky builds and sends the request; its own
// retry and timeout are off so that waiting goes through the injected timers.
import ky, { isNetworkError as isKyNetworkError } from "ky";
import type { Authenticator } from "./auth.ts";
import type { EloquaFailure, EloquaOperation } from "./errors.ts";
import { EloquaAuthError, EloquaHttpError, EloquaNetworkError, EloquaTimeoutError } from "./errors.ts";
import type { RetryPolicy } from "./retry.ts";
import { parseRetryAfter, retryDelay } from "./retry.ts";
import type { Timers } from "./timers.ts";
import type { FetchLike } from "./transport.ts";
import { rememberBodySource, sendsBodySource } from "./transport.ts";

/** Told before each retry, e.g. to count retries. Must not throw (errors are ignored). */
export interface RetryEvent {
  /** The attempt that failed (1 for the first send). */
  readonly attempt: number;
  /** How long the client waits before the next attempt. */
  readonly delayMs: number;
  /** Why the attempt failed. */
  readonly error: Error;
  readonly method: string;
  /** The URL path only. */
  readonly path: string;
  /** The host (and port, when not the default) the request goes to, e.g. `secure.p03.eloqua.com`. */
  readonly host: string;
  /** The origin and path, e.g. `https://secure.p03.eloqua.com/api/bulk/2.0/syncs/12`: no query, no user info. */
  readonly url: string;
  /** How many times the request is sent at most, the first time included (the policy's `attempts`). */
  readonly maxAttempts: number;
  readonly operation: EloquaOperation;
}

/** Shared by every request of one client. Internal. */
export interface HttpSettings {
  readonly fetch: FetchLike;
  readonly timers: Timers;
  readonly random: () => number;
  readonly retry: RetryPolicy;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly redact: (text: string) => string;
}

/** One logical request (possibly sent several times). Internal. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: string;
  readonly operation: EloquaOperation;
  readonly timeoutMs: number;
  readonly body?: Uint8Array | string | ReadableStream<Uint8Array> | undefined;
  readonly contentType?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the settings' policy (e.g. create requests retry only on 429). */
  readonly retry?: RetryPolicy | undefined;
  /** Adds `Authorization` and handles 401 by refreshing once. */
  readonly auth?: Authenticator | undefined;
  /**
   * Tells a success answer that means "credentials refused" (discovery's
   * 200 "Not authenticated."): handled like a 401, refresh included.
   */
  readonly isRefusal?: ((answer: { status: number; text: string; json: unknown }) => boolean) | undefined;
  /** A fixed `Authorization` value (the token endpoint's client credentials). */
  readonly authorization?: string | undefined;
  /** Told of each retry of this request, besides the client's own `onRetry`. */
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** A successful answer, body read. */
export interface HttpResult {
  readonly method: string;
  /** The URL path only. */
  readonly path: string;
  readonly operation: EloquaOperation;
  /** How many times the request was sent. */
  readonly attempts: number;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or `undefined` when empty or not JSON. */
  readonly json: unknown;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function redactFailures(failures: unknown[], redact: (t: string) => string): EloquaFailure[] {
  return failures.map((failure) => {
    if (typeof failure !== "object" || failure === null) return { constraint: redact(String(failure)) };
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(failure))
      out[key] = typeof value === "string" ? redact(value) : value;
    return out as EloquaFailure;
  });
}

function statusError(
  request: HttpRequest,
  path: string,
  attempts: number,
  status: number,
  text: string,
  retryAfterMs: number | undefined,
  redact: (t: string) => string,
): EloquaHttpError {
  const body = parseJson(text);
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
  const rawFailures = Array.isArray(record?.failures)
    ? record.failures
    : Array.isArray(body)
      ? body
      : undefined;
  let detail: string | undefined;
  if (typeof body === "string") detail = body;
  else if (typeof record?.message === "string") detail = record.message;
  else if (typeof record?.error_description === "string") detail = record.error_description;
  else if (typeof record?.error === "string") detail = record.error;
  else if (body === undefined && text.trim() !== "") detail = text.trim().slice(0, 300);
  return new EloquaHttpError({
    status,
    method: request.method,
    path,
    operation: request.operation,
    attempts,
    failures: rawFailures === undefined ? undefined : redactFailures(rawFailures as unknown[], redact),
    detail: detail === undefined ? undefined : redact(detail),
    retryAfterMs,
  });
}

/**
 * The transport's error, kept as it is unless its message (or its cause's)
 * contains a secret: then a copy with the text redacted and no deeper cause.
 */
function sanitizeCause(cause: unknown, redact: (text: string) => string): unknown {
  let leaks = false;
  for (let e = cause, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (redact(e.message) !== e.message || redact(e.stack ?? "") !== (e.stack ?? "")) leaks = true;
  }
  if (!leaks || !(cause instanceof Error)) return cause;
  const copy = new Error(redact(cause.message));
  copy.name = cause.name;
  copy.stack = redact(cause.stack ?? "");
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  return copy;
}

/** Sends `request`, retrying per policy; resolves with a 2xx answer or throws one of the client's errors. */
export async function send(settings: HttpSettings, request: HttpRequest): Promise<HttpResult> {
  const policy = request.retry ?? settings.retry;
  const url = new URL(request.url);
  const path = url.pathname;
  // The origin only, never the user info or query: what a message may show.
  const host = url.host;
  const shown = `${url.origin}${path}`;
  const replayable = !(request.body instanceof ReadableStream);
  const signal = request.signal;
  let attempt = 0;
  let refreshed = false;
  for (;;) {
    attempt++;
    signal?.throwIfAborted();
    let authorization = request.authorization;
    if (request.auth !== undefined) authorization = await request.auth.authorization();

    const outcome = await sendOnce(settings, request, authorization);
    if (outcome.kind === "aborted") throw signal?.reason;

    let error: Error;
    let retryAfterMs: number | undefined;
    let allowed: boolean;
    if (outcome.kind === "response") {
      const result = outcome.result;
      const refused = result.status === 401 || request.isRefusal?.(result) === true;
      if (refused && request.auth !== undefined && authorization !== undefined) {
        if (!refreshed && (await request.auth.recover(authorization))) {
          refreshed = true;
          if (replayable) {
            attempt--;
            continue;
          }
        }
        const said = typeof result.json === "string" ? result.json : result.text.trim();
        const answered = result.status === 401 ? "401" : JSON.stringify(settings.redact(said.slice(0, 100)));
        throw new EloquaAuthError(
          result.status === 401 ? "ELOQUA_UNAUTHORIZED" : "ELOQUA_NOT_AUTHENTICATED",
          refreshed && !replayable
            ? `${request.method} ${path} answered ${answered}; the token was refreshed, but a streamed body cannot be sent again: retry the call`
            : `${request.method} ${path} answered ${answered}: ${request.auth.rejectedMessage}`,
          { status: result.status, method: request.method, path, retryable: refreshed && !replayable },
        );
      }
      if (result.status >= 200 && result.status < 300) {
        return { ...result, method: request.method, path, operation: request.operation, attempts: attempt };
      }
      retryAfterMs = parseRetryAfter(result.headers.get("retry-after"), settings.timers.now());
      error = statusError(request, path, attempt, result.status, result.text, retryAfterMs, settings.redact);
      allowed = policy.statuses.includes(result.status);
    } else if (outcome.kind === "timeout") {
      error = new EloquaTimeoutError({
        method: request.method,
        path,
        attempts: attempt,
        timeoutMs: request.timeoutMs,
      });
      allowed = policy.retryOnNetworkError;
    } else {
      const cause = sanitizeCause(outcome.cause, settings.redact);
      const detail = cause instanceof Error ? cause.message : undefined;
      error = new EloquaNetworkError({
        method: request.method,
        path,
        host,
        attempts: attempt,
        cause,
        detail,
      });
      allowed = policy.retryOnNetworkError;
    }

    if (!allowed || !replayable || attempt >= policy.attempts) throw error;
    const delayMs = retryDelay(policy, attempt, retryAfterMs, settings.random);
    const event: RetryEvent = {
      attempt,
      delayMs,
      error,
      method: request.method,
      path,
      host,
      url: shown,
      maxAttempts: policy.attempts,
      operation: request.operation,
    };
    for (const observer of [settings.onRetry, request.onRetry]) {
      try {
        observer?.(event);
      } catch {
        // An observer's bug must not change the request's outcome.
      }
    }
    await settings.timers.sleep(delayMs, signal);
  }
}

type Answer = Pick<HttpResult, "status" | "headers" | "text" | "json">;
type Outcome =
  | { kind: "response"; result: Answer }
  | { kind: "aborted" }
  | { kind: "timeout" }
  | { kind: "network"; cause: unknown };

async function sendOnce(
  settings: HttpSettings,
  request: HttpRequest,
  authorization: string | undefined,
): Promise<Outcome> {
  const headers = new Headers({ accept: "application/json" });
  if (authorization !== undefined) headers.set("authorization", authorization);
  if (request.contentType !== undefined) headers.set("content-type", request.contentType);

  const timeout = new AbortController();
  const stopTimer = new AbortController();
  let timedOut = false;
  settings.timers.sleep(request.timeoutMs, stopTimer.signal).then(
    () => {
      timedOut = true;
      timeout.abort(new DOMException("The per-request timeout elapsed", "TimeoutError"));
    },
    () => {},
  );
  const signal =
    request.signal === undefined ? timeout.signal : AbortSignal.any([request.signal, timeout.signal]);
  // Errors before the transport was called come from ky's own checks: bugs, not network failures.
  let transportCalled = false;
  const body = request.body;
  const fetch: FetchLike = (input, init) => {
    transportCalled = true;
    // Lets a transport send the bytes as they are instead of reading the Request's copy of them.
    if (input instanceof Request && (typeof body === "string" || body instanceof Uint8Array))
      rememberBodySource(input, body);
    return settings.fetch(input, init);
  };
  // Bytes handed to ky as they are get copied into its Request; a transport that sends the bytes it is
  // told of (requestBodySource) gets a Request around a stream of them instead: no copy.
  const kyBody = body instanceof Uint8Array && sendsBodySource(settings.fetch) ? streamOf(body) : body;
  try {
    const response = await ky(request.url, {
      method: request.method,
      headers,
      body: (kyBody ?? null) as BodyInit | null,
      fetch,
      signal,
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
    });
    const text = await response.text();
    return {
      kind: "response",
      result: { status: response.status, headers: response.headers, text, json: parseJson(text) },
    };
  } catch (error) {
    if (request.signal?.aborted === true) return { kind: "aborted" };
    if (timedOut) return { kind: "timeout" };
    if (!transportCalled) throw error;
    return { kind: "network", cause: isKyNetworkError(error) ? error.cause : error };
  } finally {
    stopTimer.abort();
  }
}

/** A stream yielding `bytes` (not a copy) once. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
