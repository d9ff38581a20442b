// A job of the page on its own: stopped through its AbortSignal, it keeps the checkpoint; a rerun with
// another file is refused and leaves the checkpoint for the right one, which then finishes the import.
// An opportunity import keeps the last valid row of a repeated id, as the CLI does for a file, also
// when stopped and resumed (the upload is read twice, and the copy kept meanwhile is deleted).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EloquaBulkClient } from "../../../lib/client/client.ts";
import type { ImportReport } from "../../../lib/import/report.ts";
import { fieldsOf, importKindOf } from "../../../lib/node/cli/import_kinds.ts";
import { type EmulatorServer, startEmulatorServer } from "../../../lib/node/emulator_server.ts";
import { ImportJob, JobBusyError } from "../../../lib/node/ui/import_job.ts";
import { LINKAGES, OPPORTUNITIES } from "../../import/_import_kinds.ts";
import { cli } from "../_cli.ts";

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

/** What the emulator holds from the definition `uri`: one identity per synced or rejected row. */
function held(uri: string | null): string[] {
  return server.emulator
    .records()
    .filter((x) => x.definitionUri === uri && (x.state === "synced" || x.state === "rejected"))
    .map((x) => OPPORTUNITIES.heldKey(x.row));
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

  it("should import the last valid row of a repeated opportunity id, as the CLI does for the same file, also when resumed", {
    timeout: 90_000,
  }, async () => {
    const { site, user, password } = server.emulator.credentials;
    const client = new EloquaBulkClient({
      auth: { type: "basic", site, user, password },
      baseUrl: server.url,
      loginUrl: server.url,
    });
    const made = OPPORTUNITIES.file(2_000, 13);
    // The file repeats ids with other values: keeping the first row would hold other values than these.
    expect(made.duplicateLines.length).toBeGreaterThan(0);
    const job = new ImportJob(
      "2",
      { kind: { name: "opportunities" }, linkTo: "contacts", map: {} },
      {
        client,
        fieldsOf: (choice) => fieldsOf(client, importKindOf(choice.kind), AbortSignal.timeout(30_000)),
        folder,
        importOptions: { maxBatchBytes: 3_000, maxFilesPerSync: 8 },
      },
    );
    const stopOnce = job.subscribe((snapshot) => {
      if (snapshot.state !== "running" || snapshot.rows.staged === 0) return;
      stopOnce();
      job.stop();
    });
    const first = await job.run(...upload(made.csv), "deals.csv");
    expect(first.state).toBe("stopped");
    expect(first.checkpointLine).not.toBeNull();
    expect(existsSync(job.spoolPath)).toBe(false);

    // The resumed run reads the whole upload first again: each id's last valid line is in the file's lines.
    const last = await job.run(...upload(made.csv), "deals.csv");
    expect(last.state).toBe("done");
    expect(last.report?.resumed?.fromLine).toBeGreaterThan(0);
    const size = new TextEncoder().encode(made.csv).byteLength;
    expect(last.reads).toBe(2);
    expect(last.bytesRead).toBe(2 * size);
    expect(existsSync(job.spoolPath)).toBe(false);
    const report = last.report!;
    expect(new Set(held(report.definitionUri))).toEqual(made.expected);

    const path = join(folder, "deals.csv");
    writeFileSync(path, made.csv);
    const reportPath = join(folder, "cli-report.json");
    const run = await cli([
      "import",
      "opportunities",
      path,
      "--base-url",
      server.url,
      "--site",
      site,
      "--user",
      user,
      "--password",
      password,
      "--report",
      reportPath,
      "--quiet",
    ]);
    expect(run.stderr).not.toContain("eloqua-bulk:");
    const cliReport = JSON.parse(readFileSync(reportPath, "utf8")) as ImportReport;
    expect(new Set(held(cliReport.definitionUri))).toEqual(new Set(held(report.definitionUri)));
    const { read, invalid, duplicate, staged, notSent } = cliReport.rows;
    expect(report.rows).toMatchObject({ read, invalid, duplicate, staged, notSent });
    expect(report.rows.staged).toBe(made.expected.size);
  });

  it("should keep the last valid row of an upload larger than the MiB the fingerprint holds", {
    timeout: 90_000,
  }, async () => {
    const { site, user, password } = server.emulator.credentials;
    const client = new EloquaBulkClient({
      auth: { type: "basic", site, user, password },
      baseUrl: server.url,
      loginUrl: server.url,
    });
    const made = OPPORTUNITIES.file(16_000, 17);
    const [body, size] = upload(made.csv);
    // Past the first MiB, the import's own read waits for the first read to have copied the whole upload.
    expect(size).toBeGreaterThan(1 << 20);
    const job = new ImportJob(
      "3",
      { kind: { name: "opportunities" }, linkTo: "contacts", map: {} },
      {
        client,
        fieldsOf: (choice) => fieldsOf(client, importKindOf(choice.kind), AbortSignal.timeout(30_000)),
        folder,
      },
    );
    const done = await job.run(body, size, "many-deals.csv");
    expect(done.problem).toBeNull();
    expect(done.state).toBe("done");
    expect(done.bytesRead).toBe(2 * size);
    expect(done.rows.read).toBe(made.rows);
    expect(done.rows.duplicate).toBe(made.duplicateLines.length);
    expect(new Set(held(done.report!.definitionUri))).toEqual(made.expected);
    expect(existsSync(job.spoolPath)).toBe(false);
  });
});
