import { describe, expect, it } from "vitest";
import type { Sync } from "../../lib/client/mod.ts";
import { isFinalSyncStatus, isSyncWaitTimeoutError } from "../../lib/client/mod.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";
import { BULK, json } from "./_fakes.ts";
import { rejection, setup } from "./_setup.ts";

const LINK = "/opportunities/contacts/imports/7";

function sync(status: string): Sync {
  return { uri: "/syncs/3", status, syncedInstanceUri: LINK } as Sync;
}

describe("createSync", () => {
  it("should post the definition URI and the callback URL", async () => {
    const { client, fetch } = setup(() => json(sync("pending"), 201));
    await client.createSync({ syncedInstanceUri: LINK, callbackUrl: "https://app.test/done" });
    expect(fetch.calls[0]!.path).toBe(`${BULK}/syncs`);
    expect(JSON.parse(fetch.calls[0]!.body)).toEqual({
      syncedInstanceUri: LINK,
      callbackUrl: "https://app.test/done",
    });
  });
});

describe("waitForSync", () => {
  it("should poll with growing waits until the status is final", async () => {
    const statuses = ["pending", "active", "active", "active", "success"];
    const { client, timers, fetch } = setup((_, i) => json(sync(statuses[i] ?? "success")));
    const seen: string[] = [];
    const done = await client.waitForSync("/syncs/3", { onPoll: (s) => seen.push(s.status) });
    expect(done.status).toBe("success");
    expect(seen).toEqual(statuses);
    expect(timers.sleeps.filter((ms) => ms < 10_000_000)).toEqual([250, 375, 563, 845]);
    expect(fetch.calls.every((c) => c.path === `${BULK}/syncs/3`)).toBe(true);
  });

  it("should cap the wait at maxPollIntervalMs", async () => {
    let n = 0;
    const { client, timers } = setup(() => json(sync(n++ < 20 ? "active" : "warning")));
    await expect(client.waitForSync("/syncs/3")).resolves.toMatchObject({ status: "warning" });
    const waits = timers.sleeps.filter((ms) => ms < 10_000_000);
    expect(Math.max(...waits)).toBe(10_000);
    expect(waits.slice(-3)).toEqual([10_000, 10_000, 10_000]);
  });

  it("should resolve with an errored sync rather than throw", async () => {
    const { client } = setup(() => json(sync("error")));
    await expect(client.waitForSync("/syncs/3")).resolves.toMatchObject({ status: "error" });
  });

  it("should give up after maxWaitMs with the last status", async () => {
    const { client, timers } = setup(() => json(sync("active")));
    const error = await rejection(client.waitForSync("/syncs/3", { maxWaitMs: 2000 }));
    expect(isSyncWaitTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: "ELOQUA_SYNC_WAIT_TIMEOUT", lastStatus: "active", maxWaitMs: 2000 });
    expect(error.waitedMs).toBe(2000);
    const waits = timers.sleeps.filter((ms) => ms < 10_000_000);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(2000);
  });

  it("should reject with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled");
    let n = 0;
    const { client } = setup(() => {
      if (++n === 3) controller.abort(reason);
      return json(sync("active"));
    });
    expect(await rejection(client.waitForSync("/syncs/3", { signal: controller.signal }))).toBe(reason);
  });

  it("should check its options", async () => {
    const { client } = setup(() => json(sync("success")));
    for (const options of [
      { pollIntervalMs: 0 },
      { pollFactor: 0.5 },
      { maxWaitMs: -1 },
      { maxPollIntervalMs: 10, pollIntervalMs: 20 },
    ]) {
      expect(isInvalidOptionError(await rejection(client.waitForSync("/syncs/3", options)))).toBe(true);
    }
  });

  it("should know which statuses are final", () => {
    expect(["pending", "active", "success", "warning", "error", "errored"].map(isFinalSyncStatus)).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe("syncRejects and syncLogs", () => {
  function rejects(total: number) {
    return setup((request) => {
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get("limit"));
      const offset = Number(url.searchParams.get("offset"));
      const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({
        fieldValues: { OpportunityID: `o${offset + i}` },
        invalidFields: [],
        message: "Opportunity does not exist",
        recordIndex: offset + i + 1,
        statusCode: "ELQ-00084",
      }));
      return json({
        items,
        totalResults: total,
        limit,
        offset,
        count: items.length,
        hasMore: offset + items.length < total,
      });
    });
  }

  it("should follow hasMore page after page, in order", async () => {
    const { client, fetch } = rejects(2500);
    const indexes: number[] = [];
    for await (const reject of client.syncRejects("/syncs/3")) indexes.push(reject.recordIndex);
    expect(indexes).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(fetch.calls.map((c) => c.path)).toEqual([
      `${BULK}/syncs/3/rejects?limit=1000&offset=0`,
      `${BULK}/syncs/3/rejects?limit=1000&offset=1000`,
      `${BULK}/syncs/3/rejects?limit=1000&offset=2000`,
    ]);
  });

  it("should start at offset and use limit", async () => {
    const { client, fetch } = rejects(10);
    const indexes: number[] = [];
    for await (const reject of client.syncRejects("/syncs/3", { limit: 4, offset: 3 }))
      indexes.push(reject.recordIndex);
    expect(indexes).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(fetch.calls).toHaveLength(2);
  });

  it("should stop on an empty page even if hasMore says otherwise", async () => {
    const { client, fetch } = setup(() =>
      json({ items: [], hasMore: true, limit: 1000, offset: 0, count: 0 }),
    );
    const logs: unknown[] = [];
    for await (const log of client.syncLogs("/syncs/3")) logs.push(log);
    expect(logs).toEqual([]);
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]!.path).toBe(`${BULK}/syncs/3/logs?limit=1000&offset=0`);
  });

  it("should reject a bad limit where it is passed, not at the first page", () => {
    const { client } = rejects(1);
    for (const limit of [0, 1001, 2.5]) {
      let caught: unknown;
      try {
        client.syncRejects("/syncs/3", { limit });
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught), String(limit)).toBe(true);
    }
    expect(() => client.syncLogs("/syncs/3", { offset: -1 })).toThrow(
      "Cannot construct syncLogs as offset must be an integer at least 0: current value is -1",
    );
  });
});
