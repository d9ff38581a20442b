// A job of the page on its own: stopped through its AbortSignal, it keeps the checkpoint; a rerun with
// another file is refused and leaves the checkpoint for the right one, which then finishes the import.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EloquaBulkClient } from "../../../lib/client/client.ts";
import { type EmulatorServer, startEmulatorServer } from "../../../lib/node/emulator_server.ts";
import { ImportJob, JobBusyError } from "../../../lib/node/ui/import_job.ts";
import { LINKAGES } from "../../import/_import_kinds.ts";

let server: EmulatorServer;
const folder = mkdtempSync(join(tmpdir(), "eloqua-ui-job-"));

beforeAll(async () => {
  server = await startEmulatorServer({
    mode: "store",
    syncTiming: { pendingMs: 5, activeMs: 20 },
    faults: [{ route: "data.post", action: { delayMs: 30 } }],
  });
});
afterAll(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

function upload(text: string): [ReadableStream<Uint8Array>, number] {
  const bytes = new TextEncoder().encode(text);
  return [new Blob([bytes]).stream(), bytes.byteLength];
}

describe("ImportJob", () => {
  it("should stop cleanly, refuse another file, and resume from its checkpoint with the same one", {
    timeout: 60_000,
  }, async () => {
    const { site, user, password } = server.emulator.credentials;
    const client = new EloquaBulkClient({
      auth: { type: "basic", site, user, password },
      baseUrl: server.url,
      loginUrl: server.url,
    });
    const job = new ImportJob(
      "1",
      { kind: { name: "linkages" }, linkTo: "contacts", map: {} },
      {
        client,
        fieldsOf: async () => [],
        folder,
        importOptions: { maxBatchBytes: 3_000, maxFilesPerSync: 8 },
      },
    );
    const file = LINKAGES.file(8_000, 3);
    const stopOnce = job.subscribe((snapshot) => {
      if (snapshot.state !== "running" || snapshot.rows.staged === 0) return;
      stopOnce();
      job.stop();
    });
    const first = await job.run(...upload(file.csv), "links.csv");
    expect(first.state).toBe("stopped");
    expect(first.rows.notSent).toBeGreaterThan(0);
    expect(first.checkpointLine).not.toBeNull();

    const other = await job.run(...upload(file.csv.replace("OpportunityID", "OpportunityId")), "other.csv");
    expect(other.state).toBe("failed");
    expect(other.problem?.code).toBe("CHECKPOINT_MISMATCH");
    expect(other.problem?.message).toMatch(/^This is not the file the stopped import read/);
    expect(other.checkpointLine).toBe(first.checkpointLine);

    const running = job.run(...upload(file.csv), "links.csv");
    expect(() => job.run(...upload(file.csv), "links.csv")).toThrow(JobBusyError);
    const last = await running;
    expect(last.state).toBe("done");
    expect(last.report?.resumed?.fromLine).toBeGreaterThan(0);
    expect(last.rows.read).toBe(file.rows);
    expect(last.rows.staged).toBe(file.expected.size);
    expect(last.rows.notSent).toBe(0);
  });
});
