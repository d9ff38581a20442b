// The emulator on Deno's and Bun's own servers, the client and importLinkages against it, faults
// included. Runs in the Deno and Bun entries of the matrix only (Node serves it with node:http, tested
// everywhere else; workerd cannot listen).
import { afterEach, describe, expect, it } from "vitest";
import type { Timers } from "../../lib/client/mod.ts";
import { EloquaBulkClient, isEloquaNetworkError } from "../../lib/client/mod.ts";
import type { EmulatorOptions } from "../../lib/emulator/mod.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import type { RetryEvent } from "../../lib/mod.ts";
import type { NativeEmulatorServer } from "./native_serve.ts";
import { serveNative } from "./native_serve.ts";
import { RUNTIME } from "./runtime.ts";

const instantTimers: Timers = {
  sleep: (ms, signal) => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms >= 30_000) {
      return new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true }),
      );
    }
    return new Promise((resolve) => setTimeout(resolve, 0));
  },
  now: () => Date.now(),
};

let server: NativeEmulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function start(options: EmulatorOptions = {}) {
  server = serveNative({ syncTiming: { pendingMs: 0, activeMs: 0 }, ...options });
  const retries: RetryEvent[] = [];
  const client = new EloquaBulkClient({
    baseUrl: server.url,
    auth: { type: "bearer", token: server.emulator.credentials.token },
    timers: instantTimers,
    random: () => 0.5,
    onRetry: (event) => retries.push(event),
  });
  return { server, client, retries };
}

function csv(count: number): ReadableStream<Uint8Array<ArrayBuffer>> {
  const lines = ["OpportunityID,EmailAddress"];
  for (let i = 1; i <= count; i++) lines.push(`OPP-${i},u${i}@example.com`);
  return new Blob([`${lines.join("\n")}\n`]).stream();
}

const NATIVE = RUNTIME === "deno" ? "Deno.serve" : RUNTIME === "bun" ? "Bun.serve" : "no native server";

describe.skipIf(RUNTIME !== "deno" && RUNTIME !== "bun")(`the emulator on ${NATIVE}`, () => {
  it("should answer discovery and the bulk routes through the same handler as on Node", async () => {
    const { server, client } = start();
    const id = await fetch(`${server.url}/id`, { headers: { authorization: "Bearer emulator-token" } });
    expect(id.status).toBe(200);
    const definition = await client.createLinkageImport({ name: NATIVE });
    await client.postData(definition.uri, JSON.stringify([{ OpportunityID: "1", EmailAddress: "a@b.co" }]));
    const sync = await client.waitForSync(
      (await client.createSync({ syncedInstanceUri: definition.uri })).uri,
    );
    expect(sync.status).toBe("success");
    expect(server.emulator.records()).toHaveLength(1);
  });

  it("should take a streamed import in several files and syncs", async () => {
    const { server, client } = start();
    const report = await importLinkages(csv(2000), { client, maxBatchBytes: 10_000, maxFilesPerSync: 4 });
    expect(report.ok).toBe(true);
    expect(report.rows.staged).toBe(2000);
    expect(report.syncs.length).toBeGreaterThan(1);
    expect(server.emulator.stats.maxFilesPerSync).toBeLessThanOrEqual(4);
    expect(server.emulator.records()).toHaveLength(2000);
  });

  it('should drop a "reset" GET: the client (Deno) or Bun\'s fetch itself sends it again', async () => {
    const { server, client, retries } = start({
      faults: [{ route: "definition.get", action: "reset", schedule: [1] }],
    });
    const definition = await client.createLinkageImport();
    await client.getImport(definition.uri);
    expect(server.emulator.history().filter((call) => call.route === "definition.get")).toHaveLength(2);
    if (RUNTIME === "bun") {
      // Bun.serve closes the connection before the head; Bun's fetch re-sends a GET on a reused
      // connection that closes unanswered, so the client never sees the failure.
      expect(retries).toEqual([]);
    } else {
      // Deno.serve sent a head, then the body failed: the client retried a network error.
      expect(retries).toHaveLength(1);
      expect(isEloquaNetworkError(retries[0]!.error)).toBe(true);
    }
  });

  it('should stage a "commitThenDrop" POST and cut its answer short: the client sends it again', async () => {
    const { server, client, retries } = start({
      faults: [{ route: "data.post", action: "commitThenDrop", schedule: [1] }],
    });
    const definition = await client.createLinkageImport();
    await client.postData(definition.uri, JSON.stringify([{ OpportunityID: "1", EmailAddress: "a@b.co" }]));
    expect(retries).toHaveLength(1);
    expect(server.emulator.records()).toHaveLength(2);
  });
});
