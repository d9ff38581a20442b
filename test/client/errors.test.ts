import { describe, expect, it } from "vitest";
import {
  codeForStatus,
  EloquaAuthError,
  EloquaBodyTooLargeError,
  EloquaHttpError,
  EloquaNetworkError,
  EloquaTimeoutError,
  isEloquaAuthError,
  isEloquaBodyTooLargeError,
  isEloquaHttpError,
  isEloquaNetworkError,
  isEloquaTimeoutError,
  isRetryableError,
  isSyncWaitTimeoutError,
  SyncWaitTimeoutError,
} from "../../lib/client/mod.ts";
import { EloquaBulkError } from "../../lib/errors.ts";

const base = { method: "POST", path: "/api/bulk/2.0/opportunities/contacts/imports/1/data", attempts: 1 };

describe("EloquaHttpError", () => {
  it("should give each documented status its stable code", () => {
    const codes = [400, 401, 403, 404, 409, 410, 412, 413, 429, 500, 502, 503, 504, 418].map(codeForStatus);
    expect(codes).toEqual([
      "ELOQUA_BAD_REQUEST",
      "ELOQUA_UNAUTHORIZED",
      "ELOQUA_FORBIDDEN",
      "ELOQUA_NOT_FOUND",
      "ELOQUA_CONFLICT",
      "ELOQUA_GONE",
      "ELOQUA_HAS_DEPENDENCIES",
      "ELOQUA_STORAGE_FULL",
      "ELOQUA_TOO_MANY_REQUESTS",
      "ELOQUA_SERVER_ERROR",
      "ELOQUA_BAD_GATEWAY",
      "ELOQUA_SERVICE_UNAVAILABLE",
      "ELOQUA_SERVER_ERROR",
      "ELOQUA_HTTP_ERROR",
    ]);
  });

  it("should flag a 404 as maybe too large only on data POSTs", () => {
    const data = new EloquaHttpError({ ...base, status: 404, operation: "data" });
    const control = new EloquaHttpError({ ...base, method: "GET", status: 404, operation: "control" });
    expect(data.mayBeBodyTooLarge).toBe(true);
    expect(data.hint).toContain("32,000,000 bytes");
    expect(control.mayBeBodyTooLarge).toBe(false);
    expect(control.hint).not.toContain("32");
  });

  it("should hint at the 500-files limit on a data POST answered 400", () => {
    const error = new EloquaHttpError({ ...base, status: 400, operation: "data" });
    expect(error.hint).toContain("500 data POSTs per sync");
  });

  it("should mark 429, 500, 502 and 503 retryable and nothing else", () => {
    const retryable = [400, 404, 409, 413, 429, 500, 502, 503].filter(
      (status) => new EloquaHttpError({ ...base, status, operation: "data" }).retryable,
    );
    expect(retryable).toEqual([429, 500, 502, 503]);
  });

  it("should put Eloqua's failures in the message", () => {
    const error = new EloquaHttpError({
      ...base,
      status: 400,
      operation: "control",
      failures: [{ field: "fields", value: "x", constraint: "Must be a valid field statement." }],
    });
    expect(error.message).toBe(
      'POST /api/bulk/2.0/opportunities/contacts/imports/1/data failed with HTTP 400: field "fields" (value "x"): Must be a valid field statement.: Eloqua rejected the request as invalid: see failures',
    );
  });

  it("should say how many attempts were made", () => {
    const error = new EloquaHttpError({ ...base, status: 503, operation: "data", attempts: 6 });
    expect(error.message).toMatch(/failed with HTTP 503 after 6 attempts/);
    expect(error.code).toBe("ELOQUA_SERVICE_UNAVAILABLE");
  });
});

describe("guards", () => {
  const errors = [
    new EloquaHttpError({ ...base, status: 500, operation: "data" }),
    new EloquaNetworkError({ ...base, cause: new TypeError("fetch failed") }),
    new EloquaTimeoutError({ ...base, timeoutMs: 5 }),
    new EloquaAuthError("ELOQUA_UNAUTHORIZED", "no"),
    new SyncWaitTimeoutError({ syncUri: "/syncs/1", maxWaitMs: 1, waitedMs: 2, lastStatus: "active" }),
    new EloquaBodyTooLargeError(33, 32),
  ];
  const guards = [
    isEloquaHttpError,
    isEloquaNetworkError,
    isEloquaTimeoutError,
    isEloquaAuthError,
    isSyncWaitTimeoutError,
    isEloquaBodyTooLargeError,
  ];

  it("should recognise each error by its own guard only", () => {
    const matrix = errors.map((error) => guards.map((guard) => guard(error)));
    expect(matrix).toEqual(errors.map((_, i) => guards.map((_, j) => i === j)));
  });

  it("should not be fooled by a plain error with the same name", () => {
    const fake = Object.assign(new Error("x"), { name: "EloquaHttpError", code: "ELOQUA_NOT_FOUND" });
    expect(isEloquaHttpError(fake)).toBe(false);
  });

  it("should extend EloquaBulkError and keep the cause", () => {
    const cause = new TypeError("fetch failed");
    const error = new EloquaNetworkError({ ...base, cause });
    expect(error).toBeInstanceOf(EloquaBulkError);
    expect(error.cause).toBe(cause);
    expect(error.code).toBe("ELOQUA_NETWORK_ERROR");
  });

  it("should tell which errors are worth retrying", () => {
    expect(errors.map(isRetryableError)).toEqual([true, true, true, false, false, false]);
  });
});
