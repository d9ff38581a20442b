// Resume after a crash: the CLI is killed with SIGKILL at seeded points of a run against the emulator,
// then run again with the same checkpoint until it completes; the rows the emulator's syncs took must then be
// every valid unique row, no invalid row, and no more rows twice than the report says might be. For each
// kind (test/import/_import_kinds.ts): `import links.csv` (linkages, the default kind), and `import
// opportunities deals.csv`, `import contacts people.csv`, `import accounts companies.csv` (records: the
// last valid row of each identifier held, with its own values).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { type ImportKindCase, KINDS } from "../import/_import_kinds.ts";
import { FILES_PER_SYNC, resumeArgs } from "./_resume_cli.ts";

const bin = new URL("../../bin/eloqua-bulk.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "eloqua-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 6,000 linkage rows, or as many opportunity rows as make about as many bodies. */
const LINKAGE_ROWS = 6000;
/**
 * Seeds per kind: 20 for one kind alone once, 12 each for linkages and opportunities, for about the same
 * run time; 4 each for contacts and accounts, which take the path of opportunities through importRows.
 */
const seedsOf = (kind: ImportKindCase): number =>
  kind.name === "contacts" || kind.name === "accounts" ? 4 : 12;

/** The kind's file, written once for all its seeds. */
function writeKindFile(kind: ImportKindCase) {
  const made = kind.file(kind.rowsLike(LINKAGE_ROWS), 42);
  const path = join(dir, `${kind.name}.csv`);
  writeFileSync(path, made.csv);
  return { ...made, path };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Run the CLI; with `killAfterMs`, SIGKILL it then. */
function cli(args: string[], killAfterMs?: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ELOQUA_BULK_FROM_SOURCE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    // A run that hangs must fail the test, not outlive it.
    const watchdog = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      clearTimeout(watchdog);
      resolve({ code, signal, stderr });
    });
  });
}

/** A deterministic delay for a seed, spread over the run. */
function killPoint(seed: number): number {
  let x = seed * 2654435761;
  x ^= x >>> 13;
  return 600 + (Math.abs(x) % 2400);
}

const commands = KINDS.map((kind) => ({ kind, command: ["import", ...kind.cli].join(" ") }));

describe.each(commands)("resume after a crash (eloqua-bulk $command <file> --checkpoint)", ({ kind }) => {
  const file = writeKindFile(kind);
  const seeds = Array.from({ length: seedsOf(kind) }, (_, i) => i + 1);
  it.each(seeds)("should finish the import after a SIGKILL (seed %i)", { timeout: 120_000 }, async (seed) => {
    const server = await startEmulatorServer({
      syncTiming: { pendingMs: 5, activeMs: 20 },
      faults: [{ route: "data.post", action: { delayMs: 15 } }],
    });
    try {
      const checkpoint = join(dir, `checkpoint-${kind.name}-${seed}.json`);
      const report = join(dir, `report-${kind.name}-${seed}.json`);
      const args = resumeArgs(server, file.path, { checkpoint, report }, kind);
      const first = await cli(args, killPoint(seed));
      expect(first.signal === "SIGKILL" || first.code === 0).toBe(true);
      let last = first;
      for (let attempt = 0; attempt < 3 && last.code !== 0; attempt++) last = await cli(args);
      expect(last.stderr).not.toContain("eloqua-bulk:");
      expect(last.code).toBe(0);

      const final = JSON.parse(readFileSync(report, "utf8")) as ImportReport;
      const r = final.rows;
      expect(r.read).toBe(file.rows);
      expect(r.read).toBe(r.invalid + r.duplicate + r.staged + r.notSent);
      expect(r.notSent).toBe(0);
      expect(r.staged).toBe(file.expected.size);
      expect(r.invalid).toBe(file.invalidLines.length);
      expect(r.duplicate).toBe(file.duplicateLines.length);

      // What Eloqua holds: rows a sync took. Rows deleted from staging by a rerun are not held.
      const records = server.emulator.records();
      expect(records.filter((x) => x.state === "staged")).toEqual([]);
      const staged = records
        .filter((x) => x.state === "synced" || x.state === "rejected")
        .map((x) => kind.heldKey(x.row));
      const expected = file.expected;
      expect(new Set(staged)).toEqual(expected);
      const twice = staged.length - expected.size;
      expect(twice).toBeLessThanOrEqual(final.resumed?.mayBeStagedTwice ?? 0);
      const stats = server.emulator.stats;
      expect(stats.maxFilesPerSync).toBeLessThanOrEqual(FILES_PER_SYNC);
      expect(stats.overlappingSyncs).toBe(0);
    } finally {
      await server.close();
    }
  });
});
