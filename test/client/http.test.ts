import { describe, expect, it } from "vitest";
import { isEloquaHttpError, isEloquaNetworkError, isEloquaTimeoutError } from "../../lib/client/mod.ts";
import { BULK, empty, json, never } from "./_fakes.ts";
import { rejection, setup } from "./_setup.ts";

const LINK = "/opportunities/contacts/imports/7";
const none = { jitter: "none" as const };

describe("retries", () => {
  it("should retry 503 with exponential backoff, then succeed", async () => {
    const { client, fetch, retries } = setup((_, i) => (i < 2 ? empty(503) : empty(204)), { retry: none });
    await client.postData(LINK, "[1]");
    expect(fetch.calls).toHaveLength(3);
    expect(retries.map((r) => [r.attempt, r.delayMs, (r.error as { status?: number }).status])).toEqual([
      [1, 1000, 503],
      [2, 2000, 503],
    ]);
    expect(retries[0]).toMatchObject({ method: "POST", path: `${BULK}${LINK}/data`, operation: "data" });
  });

  it("should send the same bytes on every attempt", async () => {
    const { client, fetch } = setup((_, i) =>
      i < 3 ? empty(i === 0 ? 500 : i === 1 ? 502 : 429) : empty(204),
    );
    const body = new TextEncoder().encode('[{"OpportunityID":"1","EmailAddress":"a@b.c"}]');
    await client.postData(LINK, body);
    expect(fetch.calls.map((c) => c.body)).toEqual(Array(4).fill(new TextDecoder().decode(body)));
  });

  it("should apply full jitter with the injected random numbers", async () => {
    const { client, retries } = setup((_, i) => (i < 3 ? empty(500) : empty(204)), { random: () => 0.25 });
    await client.getImport(LINK).catch(() => undefined);
    expect(retries.map((r) => r.delayMs)).toEqual([250, 500, 1000]);
  });

  it("should honour Retry-After in seconds and as an HTTP date, capped at maxRetryAfterMs", async () => {
    let date = "";
    const { client, retries, timers } = setup((_, i) =>
      i === 0
        ? empty(429, { "retry-after": "7" })
        : i === 1
          ? empty(503, { "retry-after": date })
          : i === 2
            ? empty(503, { "retry-after": "3600" })
            : empty(204),
    );
    date = new Date(timers.now() + 7000 + 42_000).toUTCString();
    await client.deleteData(LINK);
    expect(retries.map((r) => r.delayMs)).toEqual([7000, 42_000, 120_000]);
  });

  it("should give up after `attempts` sends with the last status's error", async () => {
    const { client, fetch } = setup(() => empty(429), { retry: { attempts: 3 } });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(fetch.calls).toHaveLength(3);
    expect(isEloquaHttpError(error)).toBe(true);
    expect(error).toMatchObject({
      code: "ELOQUA_TOO_MANY_REQUESTS",
      status: 429,
      attempts: 3,
      retryable: true,
    });
  });

  it("should not retry statuses outside the policy", async () => {
    for (const status of [400, 403, 404, 409, 410, 412, 413]) {
      const { client, fetch } = setup(() => empty(status));
      await rejection(client.postData(LINK, "[]"));
      expect(fetch.calls, String(status)).toHaveLength(1);
    }
  });

  it("should retry network errors, keeping the runtime's error as cause", async () => {
    const cause = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const { client, fetch } = setup(() => Promise.reject(cause), { retry: { attempts: 2 } });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(fetch.calls).toHaveLength(2);
    expect(isEloquaNetworkError(error)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      `GET ${BULK}/syncs/1 got no answer from secure.p99.eloqua.test after 2 attempts: connection refused (ECONNREFUSED): ` +
        "check the network, that secure.p99.eloqua.test is the right host (the Eloqua base URL), and that no proxy or firewall blocks it",
    );
    expect(error).toMatchObject({ host: "secure.p99.eloqua.test", reason: "connection refused" });
  });

  it("should keep the runtime's words when no error code says more", async () => {
    const { client } = setup(() => Promise.reject(new TypeError("fetch failed")), { retry: { attempts: 1 } });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(error.message).toMatch(
      / got no answer from secure\.p99\.eloqua\.test: fetch failed: check the network/,
    );
    expect(error).toMatchObject({ reason: undefined });
  });

  it("should tell onRetry the host, the URL without its query, and the attempts allowed", async () => {
    const { client, retries } = setup(() => Promise.reject(new TypeError("fetch failed")), {
      retry: { attempts: 3 },
    });
    await rejection(client.syncRejects("/syncs/1").next());
    const url = `https://secure.p99.eloqua.test${BULK}/syncs/1/rejects`;
    expect(retries.map((r) => [r.attempt, r.maxAttempts, r.host, r.url])).toEqual([
      [1, 3, "secure.p99.eloqua.test", url],
      [2, 3, "secure.p99.eloqua.test", url],
    ]);
  });

  it("should not retry network errors when retryOnNetworkError is false", async () => {
    const { client, fetch } = setup(() => Promise.reject(new TypeError("fetch failed")), {
      retry: { retryOnNetworkError: false },
    });
    await rejection(client.getSync("/syncs/1"));
    expect(fetch.calls).toHaveLength(1);
  });

  it("should retry creating a sync or a definition only after a 429", async () => {
    const a = setup(() => empty(503));
    await rejection(a.client.createSync({ syncedInstanceUri: LINK }));
    await rejection(a.client.createLinkageImport());
    await rejection(a.client.createSync({ syncedInstanceUri: LINK }));
    expect(a.fetch.calls).toHaveLength(3);
    const b = setup((_, i) => (i === 0 ? empty(429) : json({ uri: "/syncs/5", status: "pending" }, 201)));
    await expect(b.client.createSync({ syncedInstanceUri: LINK })).resolves.toMatchObject({
      uri: "/syncs/5",
    });
    expect(b.fetch.calls).toHaveLength(2);
  });

  it("should never re-send a streamed body", async () => {
    const { client, fetch } = setup(() => empty(503));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("[]"));
        controller.close();
      },
    });
    const error = await rejection(client.postData(LINK, stream));
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]!.body).toBe("[]");
    expect(error).toMatchObject({ status: 503, retryable: true, attempts: 1 });
  });
});

describe("timeouts", () => {
  it("should fail a request with no answer within the timeout", async () => {
    const { client, fetch } = setup(() => never(), { timeoutMs: 5000, retry: { attempts: 2 } });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(isEloquaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: "ELOQUA_TIMEOUT", timeoutMs: 5000, attempts: 2, retryable: true });
    expect(fetch.calls).toHaveLength(2);
  });

  it("should use dataTimeoutMs for data POSTs and the per-call timeout when given", async () => {
    const { client } = setup(() => never(), { dataTimeoutMs: 9000, retry: { attempts: 1 } });
    expect(await rejection(client.postData(LINK, "[]"))).toMatchObject({ timeoutMs: 9000 });
    expect(await rejection(client.postData(LINK, "[]", { timeoutMs: 1234 }))).toMatchObject({
      timeoutMs: 1234,
    });
  });

  it("should default to 60 s for control calls and 5 min for data POSTs", async () => {
    const { client } = setup(() => never(), {
      timeoutMs: undefined as never,
      dataTimeoutMs: undefined as never,
      retry: { attempts: 1 },
    });
    expect(await rejection(client.getSync("/syncs/1"))).toMatchObject({ timeoutMs: 60_000 });
    expect(await rejection(client.postData(LINK, "[]"))).toMatchObject({ timeoutMs: 300_000 });
  });

  it("should release the timer once the answer is in", async () => {
    const { client, timers } = setup(() => empty(204));
    await client.deleteData(LINK);
    await client.deleteData(LINK);
    expect(timers.released).toBe(2);
  });
});

describe("abort", () => {
  it("should reject with the signal's reason when aborted in flight", async () => {
    const controller = new AbortController();
    const reason = new Error("stop now");
    const { client } = setup(() => {
      queueMicrotask(() => controller.abort(reason));
      return never();
    });
    expect(await rejection(client.getSync("/syncs/1", { signal: controller.signal }))).toBe(reason);
  });

  it("should reject with the signal's reason when aborted while waiting to retry", async () => {
    const controller = new AbortController();
    const reason = new Error("enough");
    const { client, fetch } = setup(() => empty(503), {
      onRetry: () => controller.abort(reason),
    });
    expect(await rejection(client.postData(LINK, "[]", { signal: controller.signal }))).toBe(reason);
    expect(fetch.calls).toHaveLength(1);
  });

  it("should not send anything when already aborted", async () => {
    const { client, fetch } = setup(() => empty(204));
    const reason = new Error("before");
    expect(await rejection(client.deleteData(LINK, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(fetch.calls).toHaveLength(0);
  });
});

describe("status mapping", () => {
  it("should flag a 404 on a data POST as maybe over 32 MB", async () => {
    const { client } = setup(() => empty(404));
    const error = await rejection(client.postData(LINK, "[]"));
    expect(error).toMatchObject({
      code: "ELOQUA_NOT_FOUND",
      status: 404,
      mayBeBodyTooLarge: true,
      retryable: false,
    });
    expect(error.message).toContain("over 32 MB");
    const other = await rejection(client.getImport(LINK));
    expect(other).toMatchObject({ code: "ELOQUA_NOT_FOUND", mayBeBodyTooLarge: false });
  });

  it("should call a 413 storage full", async () => {
    const { client } = setup(() => json({ failures: [] }, 413));
    const error = await rejection(client.postData(LINK, "[]"));
    expect(error).toMatchObject({ code: "ELOQUA_STORAGE_FULL", status: 413 });
    expect(error.hint).toContain("sync the staged data");
  });

  it("should attach Eloqua's failures and hint at the 500-files limit on a data 400", async () => {
    const failures = [{ field: "data", constraint: "There was a validation error." }];
    const { client } = setup(() => json({ failures }, 400));
    const error = await rejection(client.postData(LINK, "[]"));
    expect(error).toMatchObject({ code: "ELOQUA_BAD_REQUEST", failures });
    expect(error.hint).toContain("501st");
  });

  it("should explain a 409 on deleting data during a sync", async () => {
    const { client } = setup(() => empty(409));
    const error = await rejection(client.deleteData(LINK));
    expect(error).toMatchObject({ code: "ELOQUA_CONFLICT", method: "DELETE", path: `${BULK}${LINK}/data` });
    expect(error.hint).toContain("waitForSync");
  });

  it("should keep the path free of the query", async () => {
    const { client } = setup(() => empty(400));
    const error = await rejection(client.syncRejects("/syncs/1").next());
    expect(error.path).toBe(`${BULK}/syncs/1/rejects`);
  });

  it("should report a success answer that is not the expected JSON", async () => {
    const { client } = setup(() => new Response("<html>proxy login</html>", { status: 200 }));
    const error = await rejection(client.getSync("/syncs/1"));
    expect(error).toMatchObject({ code: "ELOQUA_UNEXPECTED_RESPONSE", status: 200 });
  });
});
