import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from "../../lib/client/mod.ts";
import { resolveRetryPolicy, retryDelay } from "../../lib/client/retry.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";

const none = { ...DEFAULT_RETRY_POLICY, jitter: "none" as const };

describe("backoffDelay", () => {
  it("should grow by factor from baseDelayMs and stop at maxDelayMs without jitter", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelay(none, retry, () => 0.5));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("should stay between 0 and the capped exponential delay with full jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, r) => {
          const delay = backoffDelay(DEFAULT_RETRY_POLICY, retry, () => r);
          const cap = Math.min(30_000, 1000 * 2 ** (retry - 1));
          return delay >= 0 && delay <= cap && Number.isInteger(delay);
        },
      ),
    );
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-28T12:00:00Z");

  it("should read delay-seconds", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
  });

  it("should read an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("should ignore absent or malformed values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
  });
});

describe("retryDelay", () => {
  it("should prefer Retry-After to backoff and cap it at maxRetryAfterMs", () => {
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 5000, () => 0)).toBe(5000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 10_000_000, () => 0)).toBe(120_000);
    expect(retryDelay(none, 3, undefined, () => 0)).toBe(4000);
  });
});

describe("resolveRetryPolicy", () => {
  it("should return the defaults when nothing is overridden", () => {
    expect(resolveRetryPolicy("X", undefined)).toBe(DEFAULT_RETRY_POLICY);
    expect(DEFAULT_RETRY_POLICY).toEqual({
      attempts: 6,
      statuses: [429, 500, 502, 503],
      retryOnNetworkError: true,
      baseDelayMs: 1000,
      factor: 2,
      maxDelayMs: 30_000,
      jitter: "full",
      maxRetryAfterMs: 120_000,
    });
  });

  it("should merge overrides field by field", () => {
    expect(resolveRetryPolicy("X", { attempts: 2 })).toEqual({ ...DEFAULT_RETRY_POLICY, attempts: 2 });
  });

  it("should name the option and the value of a bad field", () => {
    expect(() => resolveRetryPolicy("EloquaBulkClient", { attempts: 0 })).toThrow(
      "Cannot construct EloquaBulkClient as retry.attempts must be an integer from 1 to 100: current value is 0",
    );
    for (const bad of [
      { statuses: [200] },
      { jitter: "half" },
      { factor: 0.5 },
      { baseDelayMs: -1 },
      { retryOnNetworkError: "yes" },
    ]) {
      let caught: unknown;
      try {
        resolveRetryPolicy("X", bad as never);
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught)).toBe(true);
    }
  });
});
