import { InvalidOptionError } from "../errors.ts";
import { checkInteger, checkNumber, checkObject } from "./_options.ts";

/**
 * When and how long the client waits before sending a failed request again.
 * Plain data: log it, compare it, override one field.
 *
 * Which requests use it: every GET and DELETE, and data POSTs (re-sending a
 * body stages its rows again; for linkage imports a pair linked twice is
 * harmless, and the upload can count it through `onRetry`). Requests that
 * create something (an import definition, a sync) are only retried after a
 * 429, which means Eloqua did not process them: after a 5xx, a network error
 * or a timeout their outcome is unknown and a blind re-send could start a
 * second sync on the same definition. Bodies given as a `ReadableStream` are
 * never re-sent (a stream can be read once).
 */
export interface RetryPolicy {
  /**
   * How many times a request is sent at most, the first time included
   * (1 disables retries).
   * @default 6
   */
  readonly attempts: number;
  /**
   * HTTP statuses worth sending again.
   * @default [429, 500, 502, 503]
   */
  readonly statuses: readonly number[];
  /**
   * Whether network errors (connection refused or reset, DNS) and per-request
   * timeouts are sent again.
   * @default true
   */
  readonly retryOnNetworkError: boolean;
  /**
   * The delay before the first retry, before jitter.
   * @default 1000
   */
  readonly baseDelayMs: number;
  /**
   * How much the delay grows with each retry: `baseDelayMs * factor ** (retry - 1)`.
   * @default 2
   */
  readonly factor: number;
  /**
   * The longest backoff delay, before jitter.
   * @default 30000
   */
  readonly maxDelayMs: number;
  /**
   * `"full"`: wait a uniformly random time between 0 and the backoff delay
   * (spreads out clients that failed together); `"none"`: wait exactly the
   * backoff delay.
   * @default "full"
   */
  readonly jitter: "full" | "none";
  /**
   * The longest wait taken from a `Retry-After` header (Eloqua documents none,
   * but one is honoured if it comes); longer values are capped to this.
   * @default 120000
   */
  readonly maxRetryAfterMs: number;
}

/** The defaults of {@linkcode RetryPolicy}, in one place. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 6,
  statuses: Object.freeze([429, 500, 502, 503]),
  retryOnNetworkError: true,
  baseDelayMs: 1000,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: "full",
  maxRetryAfterMs: 120_000,
});

/** The policy for requests whose outcome is unknown after a failure: only a 429 is sent again. */
export function createOnlyPolicy(policy: RetryPolicy): RetryPolicy {
  return Object.freeze({
    ...policy,
    statuses: policy.statuses.filter((s) => s === 429),
    retryOnNetworkError: false,
  });
}

/** Merges `overrides` into the defaults, checking every field. */
export function resolveRetryPolicy(where: string, overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (overrides === undefined) return DEFAULT_RETRY_POLICY;
  checkObject(where, "retry", overrides);
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  checkInteger(where, "retry.attempts", policy.attempts, 1, 100);
  if (
    !Array.isArray(policy.statuses) ||
    !policy.statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)
  ) {
    throw new InvalidOptionError(
      where,
      "retry.statuses",
      "an array of HTTP statuses from 400 to 599",
      policy.statuses,
    );
  }
  if (typeof policy.retryOnNetworkError !== "boolean") {
    throw new InvalidOptionError(where, "retry.retryOnNetworkError", "a boolean", policy.retryOnNetworkError);
  }
  checkNumber(where, "retry.baseDelayMs", policy.baseDelayMs, 0, 3_600_000);
  checkNumber(where, "retry.factor", policy.factor, 1, 100);
  checkNumber(where, "retry.maxDelayMs", policy.maxDelayMs, 0, 3_600_000);
  if (policy.jitter !== "full" && policy.jitter !== "none") {
    throw new InvalidOptionError(where, "retry.jitter", '"full" or "none"', policy.jitter);
  }
  checkNumber(where, "retry.maxRetryAfterMs", policy.maxRetryAfterMs, 0, 3_600_000);
  return Object.freeze({ ...policy, statuses: Object.freeze([...policy.statuses]) });
}

/**
 * The backoff delay before retry number `retry` (1 for the first retry).
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (retry - 1));
  if (policy.jitter === "none") return raw;
  return Math.floor(raw * Math.min(Math.max(random(), 0), 1));
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date.
 * Returns the wait in milliseconds (never negative), or `undefined` when the
 * header is absent or malformed.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP dates always name the weekday or month in letters; this keeps plain garbage out.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The wait before the next attempt: `Retry-After` if any (capped), else backoff with jitter. */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(policy, retry, random);
}
