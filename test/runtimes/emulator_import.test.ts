// The client and the whole import on every runtime of the matrix, workerd included: against the emulator
// the test process serves (vitest globalSetup, passed here with inject), over real HTTP on 127.0.0.1,
// and against an emulator running in the same isolate behind an injected fetch.
import { describe, expect, inject, it } from "vitest";
import type { FetchLike, Timers } from "../../lib/client/mod.ts";
import { EloquaBulkClient } from "../../lib/client/mod.ts";
import type { Emulator, EmulatorOptions } from "../../lib/emulator/mod.ts";
import { createEmulator, DEFAULT_CREDENTIALS, DROP_CONNECTION } from "../../lib/emulator/mod.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import type { Reject } from "../../lib/reject.ts";
import { RUNTIME } from "./runtime.ts";

const BASIC = {
  type: "basic",
  site: DEFAULT_CREDENTIALS.site,
  user: DEFAULT_CREDENTIALS.user,
  password: DEFAULT_CREDENTIALS.password,
} as const;

/** Backoff and sync polls return after a macrotask; request timeouts (long sleeps) wait for their signal. */
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

/** `count` rows: every 10th e-mail invalid, every 7th row a case-variant duplicate of the one before. */
function linkagesCsv(count: number): { csv: string; invalid: number; duplicate: number } {
  const lines = ["OpportunityID,EmailAddress"];
  let invalid = 0;
  let duplicate = 0;
  for (let i = 1; i <= count; i++) {
    if (i % 10 === 0) {
      lines.push(`OPP-${i},not-an-email-${i}`);
      invalid++;
    } else if (i % 7 === 0 && (i - 1) % 10 !== 0) {
      lines.push(`opp-${i - 1},USER${i - 1}@EXAMPLE.COM`);
      duplicate++;
    } else {
      lines.push(`OPP-${i},user${i}@example.com`);
    }
  }
  return { csv: `${lines.join("\r\n")}\r\n`, invalid, duplicate };
}

/** A byte stream of `text` in chunks of `size` bytes, as an upload or a file arrives. */
function chunked(text: string, size = 997): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** A transport to an emulator in this isolate: DROP_CONNECTION fails the fetch, as a reset would. */
function inProcess(emulator: Emulator): FetchLike {
  return async (input, init) => {
    const result = await emulator.handle(new Request(input, init));
    if (result === DROP_CONNECTION) throw new TypeError("fetch failed: the connection was closed");
    return result;
  };
}

describe(`the client and importLinkages on ${RUNTIME}`, () => {
  const emulatorUrl = inject("emulatorUrl");

  it("should discover, define, stage, sync and read rejects against the served emulator", async () => {
    const client = new EloquaBulkClient({ auth: BASIC, loginUrl: emulatorUrl, timers: instantTimers });
    expect(await client.resolveBaseUrl()).toBe(emulatorUrl);
    const definition = await client.createLinkageImport({ name: `runtime ${RUNTIME}` });
    await client.postData(
      definition.uri,
      JSON.stringify([
        { OpportunityID: "OPP-1", EmailAddress: "a@example.com" },
        { OpportunityID: "OPP-2", EmailAddress: "b@example.com" },
      ]),
    );
    const sync = await client.createSync({ syncedInstanceUri: definition.uri });
    const done = await client.waitForSync(sync.uri);
    expect(done.status).toBe("success");
    const rejects = [];
    for await (const reject of client.syncRejects(sync.uri)) rejects.push(reject);
    expect(rejects).toEqual([]);
    await client.deleteImport(definition.uri);
  });

  it("should stream a chunked CSV upload through importLinkages into the served emulator", async () => {
    const { csv, invalid, duplicate } = linkagesCsv(1200);
    const client = new EloquaBulkClient({
      auth: { type: "bearer", token: DEFAULT_CREDENTIALS.token },
      baseUrl: emulatorUrl,
      timers: instantTimers,
    });
    const rejects: Reject[] = [];
    const upload = new Request("http://upload.example/import", {
      method: "POST",
      body: chunked(csv),
      duplex: "half",
    } as RequestInit);
    const report = await importLinkages(upload.body!, {
      client,
      sourceName: "upload",
      maxBatchBytes: 8_000,
      maxFilesPerSync: 3,
      concurrency: 3,
      onReject: (reject) => rejects.push(reject),
    });
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.rows).toEqual({
      read: 1200,
      invalid,
      duplicate,
      staged: 1200 - invalid - duplicate,
      notSent: 0,
      rejectedByEloqua: 0,
    });
    expect(report.requests.dataPosts).toBeGreaterThan(6);
    expect(report.syncs.length).toBeGreaterThan(1);
    expect(report.syncs.every((sync) => sync.status === "success" && sync.files <= 3)).toBe(true);
    expect(report.syncs.reduce((sum, sync) => sum + sync.rows, 0)).toBe(report.rows.staged);
    expect(rejects.filter((r) => r.code === "INVALID_EMAIL")).toHaveLength(invalid);
    expect(rejects.filter((r) => r.code === "DUPLICATE")).toHaveLength(duplicate);
  });

  it("should import into an emulator in the same isolate, through faults, and map its rejects to lines", async () => {
    const options: EmulatorOptions = {
      syncTiming: { pendingMs: 0, activeMs: 0 },
      knownOpportunities: (id) => id.toLowerCase() !== "opp-31",
      faults: [
        { route: "data.post", action: { status: 503 }, schedule: [2] },
        { route: "data.post", action: "reset", schedule: [4] },
        { route: "data.post", action: "commitThenDrop", schedule: [6] },
      ],
    };
    const emulator = createEmulator(options);
    const client = new EloquaBulkClient({
      auth: BASIC,
      baseUrl: "http://emulator.invalid",
      fetch: inProcess(emulator),
      timers: instantTimers,
      random: () => 0.5,
    });
    const { csv, invalid, duplicate } = linkagesCsv(400);
    const elq: Reject[] = [];
    const report = await importLinkages(chunked(csv, 333), {
      client,
      maxBatchBytes: 3_000,
      concurrency: 2,
      onReject: (reject) => {
        if (reject.stage === "sync") elq.push(reject);
      },
    });
    expect(report.ok).toBe(true);
    expect(report.requests.retries).toBe(3);
    expect(report.rows).toMatchObject({ read: 400, invalid, duplicate, rejectedByEloqua: 1 });
    expect(elq.map((r) => [r.line, r.values.OpportunityID])).toEqual([[32, "OPP-31"]]);
    const staged = new Set(emulator.records().map((r) => r.row.OpportunityID));
    expect(staged.size).toBe(400 - invalid - duplicate);
  });
});
