import { afterAll, afterEach, describe, expect, it } from "vitest";
import { IMPORT_KINDS, isEloquaNetworkError, isEloquaTimeoutError } from "../../lib/client/mod.ts";
import type { EmulatorOptions } from "../../lib/emulator/mod.ts";
import { testTransports } from "../runtimes/transports.ts";
import type { Harness } from "./_emulator.ts";
import { harness, rows } from "./_emulator.ts";
import { rejection } from "./_setup.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.server.close();
  h = undefined;
});

// Every behaviour with each transport of this runtime: the runtime's fetch, and node:http on Node or
// the no-reuse Deno transport on Deno (test/runtimes/transports.ts).
const TRANSPORTS = await testTransports();
afterAll(() => {
  for (const transport of TRANSPORTS) transport.close();
});

describe.each(TRANSPORTS)("through $name", (transport) => {
  const start = (options: EmulatorOptions = {}): Promise<Harness> =>
    harness(options, transport.fetch === undefined ? {} : { fetch: transport.fetch });

  describe("the workflow against the emulator", () => {
    it("should define, stage, sync, wait and read the logs", async () => {
      h = await start();
      const client = h.client();
      const definition = await client.createLinkageImport({ autoDeleteDuration: "P1D" });
      await expect(client.getImport(definition.uri)).resolves.toMatchObject({
        uri: definition.uri,
        isSyncTriggeredOnImport: false,
        autoDeleteDuration: "P1D",
      });
      await client.postData(definition.uri, rows(3));
      await client.postData(definition.uri, "OpportunityID,EmailAddress\nopp-9,c9@example.com\n", {
        contentType: "text/csv",
      });
      const sync = await client.createSync({ syncedInstanceUri: definition.uri });
      expect(sync.status).toBe("pending");
      const done = await client.waitForSync(sync.uri);
      expect(done.status).toBe("success");
      expect(h.timers.sleeps.length).toBeGreaterThan(0);
      const logs = [];
      for await (const log of client.syncLogs(sync.uri)) logs.push(log);
      expect(logs.length).toBeGreaterThan(0);
      expect(h.server.emulator.records()).toHaveLength(4);
      await client.deleteData(definition.uri);
      await client.deleteImport(definition.uri);
      const gone = await rejection(client.getImport(definition.uri));
      expect(gone).toMatchObject({ code: "ELOQUA_NOT_FOUND", status: 404, mayBeBodyTooLarge: false });
    });

    it("should list definitions page by page", async () => {
      h = await start();
      const client = h.client();
      for (let i = 0; i < 5; i++) await client.createLinkageImport({ name: `d${i}` });
      const names: unknown[] = [];
      for await (const d of client.listImports(IMPORT_KINDS.opportunityContactLinkage, { limit: 2 }))
        names.push(d.name);
      expect(names).toEqual(["d0", "d1", "d2", "d3", "d4"]);
      expect(h.calls("definition.list")).toBe(3);
    });

    it("should return the sync a data POST starts when the definition triggers syncs", async () => {
      h = await start();
      const client = h.client();
      const definition = await client.createLinkageImport({ isSyncTriggeredOnImport: true });
      const sync = await client.postData(definition.uri, rows(2));
      expect(sync?.uri).toMatch(/^\/syncs\/\d+$/);
      await expect(client.waitForSync(sync!.uri)).resolves.toMatchObject({ status: "success" });
    });

    it("should page through rejects with limit and offset", async () => {
      const known = new Set(Array.from({ length: 200 }, (_, i) => `c${i}@example.com`));
      h = await start({ knownContacts: known });
      const client = h.client();
      const definition = await client.createLinkageImport();
      await client.postData(definition.uri, rows(2500));
      const sync = await client.waitForSync(
        (await client.createSync({ syncedInstanceUri: definition.uri })).uri,
      );
      expect(sync.status).toBe("warning");
      const indexes: number[] = [];
      for await (const reject of client.syncRejects(sync.uri)) {
        expect(reject.statusCode).toBe("ELQ-00085");
        indexes.push(reject.recordIndex);
      }
      expect(indexes).toEqual(Array.from({ length: 2300 }, (_, i) => i + 201));
      expect(h.calls("rejects")).toBe(3);
      const tail: number[] = [];
      for await (const reject of client.syncRejects(sync.uri, { limit: 500, offset: 2000 }))
        tail.push(reject.recordIndex);
      expect(tail).toEqual(indexes.slice(2000));
    });
  });

  describe("status handling against the emulator", () => {
    it("should flag a data POST over the body limit (404) as maybe too large", async () => {
      h = await start({ maxBodyBytes: 1000 });
      const client = h.client();
      const definition = await client.createLinkageImport();
      const error = await rejection(client.postData(definition.uri, "x".repeat(1001)));
      expect(error).toMatchObject({
        code: "ELOQUA_NOT_FOUND",
        status: 404,
        mayBeBodyTooLarge: true,
        attempts: 1,
      });
    });

    it("should hint at the files-per-sync limit on the file past it (400)", async () => {
      h = await start({ maxFilesPerSync: 3 });
      const client = h.client();
      const definition = await client.createLinkageImport();
      for (let i = 0; i < 3; i++) await client.postData(definition.uri, rows(1));
      const error = await rejection(client.postData(definition.uri, rows(1)));
      expect(error).toMatchObject({ code: "ELOQUA_BAD_REQUEST", status: 400, retryable: false });
      expect(error.hint).toContain("500 data POSTs per sync");
      expect(h.calls("data.post")).toBe(4);
    });

    it("should call a full staging area storage full (413)", async () => {
      h = await start({ maxStagedBytes: 200 });
      const client = h.client();
      const definition = await client.createLinkageImport();
      const error = await rejection(client.postData(definition.uri, rows(10)));
      expect(error).toMatchObject({ code: "ELOQUA_STORAGE_FULL", status: 413 });
    });

    it("should explain a 409 when deleting data during a sync, and succeed after it", async () => {
      h = await start({ syncTiming: { pendingMs: 1000, activeMs: 1000 } });
      const client = h.client();
      const definition = await client.createLinkageImport();
      await client.postData(definition.uri, rows(2));
      const sync = await client.createSync({ syncedInstanceUri: definition.uri });
      const error = await rejection(client.deleteData(definition.uri));
      expect(error).toMatchObject({ code: "ELOQUA_CONFLICT", status: 409 });
      await client.waitForSync(sync.uri);
      await client.deleteData(definition.uri);
    });
  });

  describe("retries against the emulator's faults", () => {
    it("should retry 503s on data POSTs with backoff, staging the rows once", async () => {
      h = await start({ faults: [{ route: "data.post", action: { status: 503 }, schedule: [1, 2] }] });
      const client = h.client({ retry: { jitter: "none" } });
      const definition = await client.createLinkageImport();
      await client.postData(definition.uri, rows(5));
      expect(h.retries.map((r) => [r.attempt, r.delayMs])).toEqual([
        [1, 1000],
        [2, 2000],
      ]);
      expect(h.calls("data.post")).toBe(3);
      expect(h.server.emulator.records()).toHaveLength(5);
    });

    it("should honour Retry-After on a 429", async () => {
      h = await start({
        faults: [{ route: "sync.get", action: { status: 429, retryAfterSeconds: 7 }, times: 1 }],
      });
      const client = h.client();
      const definition = await client.createLinkageImport();
      const sync = await client.createSync({ syncedInstanceUri: definition.uri });
      await client.getSync(sync.uri);
      expect(h.retries.map((r) => r.delayMs)).toEqual([7000]);
    });

    // Deno's and Bun's fetch send a request again when a reused connection closes unanswered.
    it.skipIf(!transport.reportsDroppedGet)(
      "should retry a reset connection as a network error",
      async () => {
        h = await start({ faults: [{ route: "definition.get", action: "reset", schedule: [1] }] });
        const client = h.client();
        const definition = await client.createLinkageImport();
        await client.getImport(definition.uri);
        expect(h.retries).toHaveLength(1);
        expect(isEloquaNetworkError(h.retries[0]!.error)).toBe(true);
        // Sent twice in all, both counted: the drop was not hidden by a re-send of the transport's own.
        expect(h.calls("definition.get")).toBe(2);
      },
    );

    it.skipIf(!transport.reportsDroppedPost)(
      "should re-send a data POST whose answer was lost, staging its rows twice (counted by onRetry)",
      async () => {
        h = await start({ faults: [{ route: "data.post", action: "commitThenDrop", schedule: [1] }] });
        const client = h.client();
        const definition = await client.createLinkageImport();
        await client.postData(definition.uri, rows(3));
        expect(h.retries).toHaveLength(1);
        expect(h.calls("data.post")).toBe(2);
        expect(h.server.emulator.records()).toHaveLength(6);
      },
    );

    it("should reject with the signal's reason when aborted in flight, then send the next POST", async () => {
      h = await start({ faults: [{ route: "data.post", action: { delayMs: 1000 }, schedule: [1] }] });
      const client = h.client();
      const definition = await client.createLinkageImport();
      const controller = new AbortController();
      const reason = new Error("stopped by the test");
      const posting = client.postData(definition.uri, rows(2), { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      expect(await rejection(posting)).toBe(reason);
      expect(h.retries).toHaveLength(0);
      await expect(client.postData(definition.uri, rows(1))).resolves.toBeUndefined();
    });

    it("should not retry creating a sync after a 503, but should after a 429", async () => {
      h = await start({ faults: [{ route: "sync.create", action: { status: 503 }, schedule: [1] }] });
      const client = h.client();
      const definition = await client.createLinkageImport();
      const error = await rejection(client.createSync({ syncedInstanceUri: definition.uri }));
      expect(error).toMatchObject({ code: "ELOQUA_SERVICE_UNAVAILABLE", attempts: 1, retryable: true });
      h.server.emulator.setFaults([{ route: "sync.create", action: { status: 429 }, schedule: [1] }]);
      await expect(client.createSync({ syncedInstanceUri: definition.uri })).resolves.toMatchObject({
        status: "pending",
      });
      expect(h.calls("sync.create")).toBe(3);
    });

    it("should give up after the policy's attempts with the last status", async () => {
      h = await start({ faults: [{ route: "definition.get", action: { status: 500 } }] });
      const client = h.client({ retry: { attempts: 4 } });
      const error = await rejection(client.getImport("/opportunities/contacts/imports/1"));
      expect(error).toMatchObject({ code: "ELOQUA_SERVER_ERROR", status: 500, attempts: 4 });
      expect(h.calls("definition.get")).toBe(4);
    });

    it("should time out a slow answer without sleeping for real", async () => {
      h = await start({ faults: [{ route: "sync.get", action: { delayMs: 2000 } }] });
      const client = h.client({ timeoutMs: 5, retry: { attempts: 2 } });
      const started = Date.now();
      const error = await rejection(client.getSync("/syncs/1"));
      expect(isEloquaTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ attempts: 2, timeoutMs: 5 });
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });
});
