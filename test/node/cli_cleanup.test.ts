// `eloqua-bulk import --cleanup`: what the emulator still holds after the run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { cli } from "./_cli.ts";

let dir: string;
let csvPath: string;
let server: EmulatorServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-bulk-cleanup-"));
  const lines = ["OpportunityID,EmailAddress"];
  for (let i = 0; i < 30; i++) lines.push(`OPP-${i},user${i}@example.com`);
  csvPath = join(dir, "links.csv");
  writeFileSync(csvPath, `${lines.join("\n")}\n`);
  server = await startEmulatorServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = () => ["--base-url", server.url, "--token", server.emulator.credentials.token];

/** The status of GET on a definition: 200 while the emulator has it, 404 once deleted. */
async function definitionStatus(uri: string): Promise<number> {
  const response = await fetch(`${server.url}/api/bulk/2.0${uri}`, {
    headers: { authorization: `Bearer ${server.emulator.credentials.token}` },
  });
  await response.body?.cancel();
  return response.status;
}

function report(path: string): ImportReport {
  return JSON.parse(readFileSync(path, "utf8")) as ImportReport;
}

describe("eloqua-bulk import --cleanup", { timeout: 90_000 }, () => {
  it("should delete the definition it created once the import is done, and say so", async () => {
    server.emulator.reset();
    const path = join(dir, "done.json");
    const run = await cli(["import", csvPath, ...auth(), "--cleanup", "--report", path]);
    expect(run.code).toBe(0);
    const uri = report(path).definitionUri!;
    expect(server.emulator.records().filter((r) => r.state === "synced")).toHaveLength(30);
    expect(await definitionStatus(uri)).toBe(404);
    expect(run.stdout).toContain(`cleaned up: deleted ${uri} and its staged data`);
    expect(server.emulator.history().some((c) => c.method === "DELETE" && c.path.endsWith("/data"))).toBe(
      true,
    );
  });

  it("should keep the definition without --cleanup", async () => {
    server.emulator.reset();
    const path = join(dir, "kept.json");
    const run = await cli(["import", csvPath, ...auth(), "--report", path]);
    expect(run.code).toBe(0);
    expect(await definitionStatus(report(path).definitionUri!)).toBe(200);
    expect(run.stdout).not.toContain("cleaned up");
  });

  it("should delete the definition and its staged rows when the import fails", async () => {
    server.emulator.reset();
    // Every sync ends in error: the run fails with its rows staged and never synced.
    server.emulator.setFaults([{ route: "sync.create", action: "syncError" }]);
    try {
      const path = join(dir, "failed.json");
      const run = await cli(["import", csvPath, ...auth(), "--cleanup", "--report", path]);
      expect(run.code).toBe(1);
      const uri = report(path).definitionUri!;
      expect(await definitionStatus(uri)).toBe(404);
      expect(server.emulator.records().length).toBeGreaterThan(0);
      expect(server.emulator.records().every((r) => r.state === "deleted")).toBe(true);
      expect(run.stdout).toContain(`cleaned up: deleted ${uri}`);
    } finally {
      server.emulator.setFaults([]);
    }
  });

  it("should keep a definition given with --import-uri, deleting only its staged data", async () => {
    server.emulator.reset();
    const first = join(dir, "first.json");
    expect((await cli(["import", csvPath, ...auth(), "--report", first])).code).toBe(0);
    const uri = report(first).definitionUri!;
    const run = await cli(["import", csvPath, ...auth(), "--import-uri", uri, "--cleanup"]);
    expect(run.code).toBe(0);
    expect(await definitionStatus(uri)).toBe(200);
    expect(run.stdout).toContain(
      `cleaned up: deleted the data staged on ${uri} (kept: given with --import-uri)`,
    );
  });

  it("should keep the definition of a failed run that has a checkpoint to resume from", async () => {
    server.emulator.reset();
    server.emulator.setFaults([{ route: "sync.create", action: "syncError" }]);
    try {
      const path = join(dir, "resumable.json");
      const checkpoint = join(dir, "resumable.checkpoint.json");
      const run = await cli([
        "import",
        csvPath,
        ...auth(),
        "--cleanup",
        "--checkpoint",
        checkpoint,
        "--report",
        path,
      ]);
      expect(run.code).toBe(1);
      const uri = report(path).definitionUri!;
      expect(await definitionStatus(uri)).toBe(200);
      expect(run.stdout).toContain(`kept ${uri}`);
    } finally {
      server.emulator.setFaults([]);
    }
    // The rerun completes, then cleans up.
    const checkpoint = join(dir, "resumable.checkpoint.json");
    const path = join(dir, "resumed.json");
    const rerun = await cli([
      "import",
      csvPath,
      ...auth(),
      "--cleanup",
      "--checkpoint",
      checkpoint,
      "--report",
      path,
    ]);
    expect(rerun.code).toBe(0);
    expect(await definitionStatus(report(path).definitionUri!)).toBe(404);
  });
});
