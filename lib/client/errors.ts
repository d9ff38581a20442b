import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";

/** What kind of request failed: shapes the hints (a 404 on a data POST may mean "too big"). */
export type EloquaOperation = "data" | "control" | "discovery" | "token";

/** One entry of the `failures` array Eloqua sends with a 400. */
export interface EloquaFailure {
  readonly field?: string;
  readonly value?: string;
  readonly constraint?: string;
  readonly [key: string]: unknown;
}

/** The facts of an {@linkcode EloquaHttpError}. */
export interface EloquaHttpErrorInit {
  readonly status: number;
  readonly method: string;
  /** The URL path only: no origin, query or credentials. */
  readonly path: string;
  readonly operation: EloquaOperation;
  readonly attempts: number;
  readonly failures?: readonly EloquaFailure[] | undefined;
  /** Eloqua's own words, when the body had some (already redacted). */
  readonly detail?: string | undefined;
  readonly retryAfterMs?: number | undefined;
  /** Overrides the code derived from the status (e.g. `ELOQUA_UNEXPECTED_RESPONSE`). */
  readonly code?: string;
  readonly hint?: string;
}

const STATUS_CODES: Readonly<Record<number, string>> = {
  400: "ELOQUA_BAD_REQUEST",
  401: "ELOQUA_UNAUTHORIZED",
  403: "ELOQUA_FORBIDDEN",
  404: "ELOQUA_NOT_FOUND",
  409: "ELOQUA_CONFLICT",
  410: "ELOQUA_GONE",
  412: "ELOQUA_HAS_DEPENDENCIES",
  413: "ELOQUA_STORAGE_FULL",
  429: "ELOQUA_TOO_MANY_REQUESTS",
  500: "ELOQUA_SERVER_ERROR",
  502: "ELOQUA_BAD_GATEWAY",
  503: "ELOQUA_SERVICE_UNAVAILABLE",
};

/** Statuses Eloqua's status table calls transient. */
export const RETRYABLE_STATUSES: readonly number[] = Object.freeze([429, 500, 502, 503]);

/** The stable code for an HTTP status, e.g. `ELOQUA_STORAGE_FULL` for 413. */
export function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? "ELOQUA_SERVER_ERROR" : "ELOQUA_HTTP_ERROR");
}

function hintFor(status: number, operation: EloquaOperation): string | undefined {
  const data = operation === "data";
  switch (status) {
    case 400:
      return data
        ? "a data POST answered 400 may be the 501st file since the last sync (Eloqua takes at most 500 data POSTs per sync): sync the staged data, then post again; otherwise check the body matches the definition's fields"
        : "Eloqua rejected the request as invalid: see failures";
    case 403:
      return "the user lacks the permission, or the Bulk API is not enabled for this instance";
    case 404:
      return data
        ? "Eloqua answers 404 both when the import definition does not exist and when a data POST is over 32 MB: check the definition exists (getImport); if it does, send bodies under 32,000,000 bytes"
        : "the resource does not exist: check the URI";
    case 409:
      return "a sync on this definition is pending or active: wait for it to finish (waitForSync), then retry";
    case 410:
      return "the resource is no longer available";
    case 412:
      return "the resource has dependencies and cannot be deleted";
    case 413:
      return "Eloqua's staging area is full (not a payload limit): sync the staged data to drain it, then retry; splitting the body does not help";
    case 429:
      return "Eloqua is rate limiting this instance: back off and retry later";
    case 503:
      return "Eloqua timed out processing the request: retry later";
    default:
      return status >= 500 ? "Eloqua had a server error: retry later" : undefined;
  }
}

function summarize(failures: readonly EloquaFailure[]): string {
  const shown = failures.slice(0, 3).map((f) => {
    const field = typeof f.field === "string" ? `field ${JSON.stringify(f.field)}` : "a field";
    const value = typeof f.value === "string" ? ` (value ${JSON.stringify(f.value.slice(0, 80))})` : "";
    const constraint = typeof f.constraint === "string" ? `: ${f.constraint}` : "";
    return `${field}${value}${constraint}`;
  });
  const more = failures.length > 3 ? `; and ${failures.length - 3} more` : "";
  return `${shown.join("; ")}${more}`;
}

/** Eloqua answered with a status that is not a success (and the retries, if any, ran out). */
export class EloquaHttpError extends EloquaBulkError {
  override readonly name = "EloquaHttpError";
  /** The HTTP status of the last attempt. */
  readonly status: number;
  readonly method: string;
  /** The URL path only: no origin, query or credentials. */
  readonly path: string;
  readonly operation: EloquaOperation;
  /** How many times the request was sent. */
  readonly attempts: number;
  /** Eloqua's `failures`, when the body had them. */
  readonly failures: readonly EloquaFailure[] | undefined;
  /** What to do about it. */
  readonly hint: string | undefined;
  /** True for statuses Eloqua calls transient (429, 500, 502, 503). */
  readonly retryable: boolean;
  /** True only for a 404 on a data POST: the body may have been over 32 MB. */
  readonly mayBeBodyTooLarge: boolean;
  /** The wait the server asked for with `Retry-After`, if it did. */
  readonly retryAfterMs: number | undefined;

  constructor(init: EloquaHttpErrorInit) {
    const hint = init.hint ?? hintFor(init.status, init.operation);
    const tries = init.attempts === 1 ? "" : ` after ${init.attempts} attempts`;
    const parts = [`${init.method} ${init.path} failed with HTTP ${init.status}${tries}`];
    if (init.failures !== undefined && init.failures.length > 0) parts.push(summarize(init.failures));
    else if (init.detail !== undefined && init.detail !== "") parts.push(init.detail);
    if (hint !== undefined) parts.push(hint);
    super(init.code ?? codeForStatus(init.status), parts.join(": "));
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.operation = init.operation;
    this.attempts = init.attempts;
    this.failures = init.failures;
    this.hint = hint;
    this.retryable = RETRYABLE_STATUSES.includes(init.status);
    this.mayBeBodyTooLarge = init.status === 404 && init.operation === "data";
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The request never got an answer: connection refused or reset, DNS failure. `cause` is the runtime's error. */
export class EloquaNetworkError extends EloquaBulkError {
  override readonly name = "EloquaNetworkError";
  readonly method: string;
  readonly path: string;
  /** The host (and port, when not the default) that could not be reached, e.g. `login.eloqua.com`. */
  readonly host: string | undefined;
  /** Why, in a few words, when the runtime said: `connection refused`, `host not found`, … */
  readonly reason: string | undefined;
  readonly attempts: number;
  readonly retryable = true;

  /** `detail` replaces the cause's message in this error's message (pass it redacted). */
  constructor(init: {
    method: string;
    path: string;
    attempts: number;
    cause: unknown;
    detail?: string | undefined;
    host?: string | undefined;
  }) {
    const tries = init.attempts === 1 ? "" : ` after ${init.attempts} attempts`;
    const detail = init.detail ?? (init.cause instanceof Error ? init.cause.message : undefined);
    const reason = networkReason(init.cause);
    // The runtime's own words ("fetch failed") say less than its error code: the code's words come first.
    const said =
      reason === undefined
        ? detail
        : `${reason.words}${reason.code === undefined ? "" : ` (${reason.code})`}`;
    const why = said === undefined || said === "" ? "" : `: ${said}`;
    const from = init.host === undefined ? "" : ` from ${init.host}`;
    const check =
      init.host === undefined
        ? "check the network and the Eloqua base URL"
        : `check the network, that ${init.host} is the right host (the Eloqua base URL), and that no proxy or firewall blocks it`;
    super(
      "ELOQUA_NETWORK_ERROR",
      `${init.method} ${init.path} got no answer${from}${tries}${why}: ${check}`,
      {
        cause: init.cause,
      },
    );
    this.method = init.method;
    this.path = init.path;
    this.host = init.host;
    this.reason = reason?.words;
    this.attempts = init.attempts;
  }
}

/** Error codes of Node, undici and TLS, in words a user knows. */
const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "connection closed",
  UND_ERR_SOCKET: "connection closed",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS certificate not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS certificate not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "TLS certificate not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate is for another host",
};

/** Messages of runtimes without error codes (Deno, Bun), matched loosely. */
const NETWORK_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/connection refused/i, "connection refused"],
  [/connection reset/i, "connection reset"],
  [/dns error|failed to lookup|name or service not known|getaddrinfo/i, "host not found"],
  [/certificate/i, "TLS certificate not trusted"],
];

/** The first known code (or message) in `cause`'s chain, in words. */
function networkReason(cause: unknown): { words: string; code: string | undefined } | undefined {
  for (let e = cause, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES[code] !== undefined)
      return { words: NETWORK_CODES[code], code };
  }
  for (let e = cause, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    for (const [pattern, words] of NETWORK_MESSAGES)
      if (pattern.test(e.message)) return { words, code: undefined };
  }
  return undefined;
}

/** No complete answer within the per-request timeout. */
export class EloquaTimeoutError extends EloquaBulkError {
  override readonly name = "EloquaTimeoutError";
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly timeoutMs: number;
  readonly retryable = true;

  constructor(init: { method: string; path: string; attempts: number; timeoutMs: number }) {
    const tries = init.attempts === 1 ? "" : ` (${init.attempts} attempts)`;
    super(
      "ELOQUA_TIMEOUT",
      `${init.method} ${init.path} got no complete answer within ${init.timeoutMs} ms${tries}: Eloqua may be slow; raise timeoutMs (or dataTimeoutMs for data POSTs) or retry later`,
    );
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    this.timeoutMs = init.timeoutMs;
  }
}

/**
 * Eloqua did not accept the credentials. Codes: `ELOQUA_NOT_AUTHENTICATED`
 * (discovery answered "Not authenticated."), `ELOQUA_UNAUTHORIZED` (401, after
 * one token refresh when one was possible), `ELOQUA_TOKEN_REFRESH_FAILED` (the
 * OAuth token endpoint refused or failed; `cause` has the details).
 */
export class EloquaAuthError extends EloquaBulkError {
  override readonly name = "EloquaAuthError";
  /** The HTTP status, when there was one. */
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** True only when the failure itself was transient (e.g. the token endpoint answered 503). */
  readonly retryable: boolean;

  constructor(
    code: "ELOQUA_NOT_AUTHENTICATED" | "ELOQUA_UNAUTHORIZED" | "ELOQUA_TOKEN_REFRESH_FAILED",
    message: string,
    facts: {
      status?: number | undefined;
      method?: string | undefined;
      path?: string | undefined;
      retryable?: boolean | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.status = facts.status;
    this.method = facts.method;
    this.path = facts.path;
    this.retryable = facts.retryable ?? false;
  }
}

/** `waitForSync` gave up: the sync did not finish within `maxWaitMs`. It may still finish later. */
export class SyncWaitTimeoutError extends EloquaBulkError {
  override readonly name = "SyncWaitTimeoutError";
  readonly syncUri: string;
  readonly maxWaitMs: number;
  readonly waitedMs: number;
  /** The status seen at the last poll. */
  readonly lastStatus: string;
  readonly retryable = false;

  constructor(init: { syncUri: string; maxWaitMs: number; waitedMs: number; lastStatus: string }) {
    super(
      "ELOQUA_SYNC_WAIT_TIMEOUT",
      `Sync ${init.syncUri} was still "${init.lastStatus}" after ${init.waitedMs} ms (maxWaitMs ${init.maxWaitMs}): it may still finish; wait longer with waitForSync or check it later with getSync`,
    );
    this.syncUri = init.syncUri;
    this.maxWaitMs = init.maxWaitMs;
    this.waitedMs = init.waitedMs;
    this.lastStatus = init.lastStatus;
  }
}

/** A data body was larger than Eloqua accepts; checked before sending, since Eloqua would answer a confusing 404. */
export class EloquaBodyTooLargeError extends EloquaBulkError {
  override readonly name = "EloquaBodyTooLargeError";
  readonly byteLength: number;
  readonly maxBytes: number;
  readonly retryable = false;

  constructor(byteLength: number, maxBytes: number) {
    super(
      "ELOQUA_BODY_TOO_LARGE",
      `Cannot post a data body of ${byteLength} bytes as Eloqua accepts at most ${maxBytes} bytes per data POST (over that it answers 404): split the rows over several POSTs`,
    );
    this.byteLength = byteLength;
    this.maxBytes = maxBytes;
  }
}

function hasName(error: unknown, name: string): boolean {
  return isEloquaBulkError(error) && error.name === name;
}

/** True when `error` is an {@linkcode EloquaHttpError}. */
export function isEloquaHttpError(error: unknown): error is EloquaHttpError {
  return hasName(error, "EloquaHttpError");
}
/** True when `error` is an {@linkcode EloquaNetworkError}. */
export function isEloquaNetworkError(error: unknown): error is EloquaNetworkError {
  return hasName(error, "EloquaNetworkError");
}
/** True when `error` is an {@linkcode EloquaTimeoutError}. */
export function isEloquaTimeoutError(error: unknown): error is EloquaTimeoutError {
  return hasName(error, "EloquaTimeoutError");
}
/** True when `error` is an {@linkcode EloquaAuthError}. */
export function isEloquaAuthError(error: unknown): error is EloquaAuthError {
  return hasName(error, "EloquaAuthError");
}
/** True when `error` is a {@linkcode SyncWaitTimeoutError}. */
export function isSyncWaitTimeoutError(error: unknown): error is SyncWaitTimeoutError {
  return hasName(error, "SyncWaitTimeoutError");
}
/** True when `error` is an {@linkcode EloquaBodyTooLargeError}. */
export function isEloquaBodyTooLargeError(error: unknown): error is EloquaBodyTooLargeError {
  return hasName(error, "EloquaBodyTooLargeError");
}
/** True when `error` is one of this client's errors that a later attempt may get past. */
export function isRetryableError(error: unknown): boolean {
  return isEloquaBulkError(error) && (error as { retryable?: unknown }).retryable === true;
}
