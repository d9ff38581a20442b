// `eloqua-bulk import <file> --checkpoint cp.json` without credentials: the built-in emulator's state is
// kept beside the checkpoint, so a run stopped with SIGINT, then the same command again, ends with every
// valid unique row in the emulator once (as the saved state holds them), as against a real Eloqua.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEmulator } from "../../lib/emulator/mod.ts";
import type { ImportReport } from "../../lib/import/report.ts";
import { readEmulatorState } from "../../lib/node/emulator_state_file.ts";
import { LINKAGES } from "../import/_import_kinds.ts";
import { bin, cli, env, root } from "./_cli.ts";

const dir = mkdtempSync(join(tmpdir(), "eloqua-embedded-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = LINKAGES.file(20_000, 11);
const csv = join(dir, "links.csv");
writeFileSync(csv, file.csv);

const args = (checkpoint: string, report: string) => [
  "import",
  csv,
  "--checkpoint",
  checkpoint,
  "--report",
  report,
  "--max-batch-bytes",
  "6000",
  "--files-per-sync",
  "7",
  "--concurrency",
  "3",
  "--quiet",
];

/** Runs the command and sends SIGINT once the checkpoint says a first row is done (or never, if it ends first). */
function stoppedRun(checkpoint: string, report: string) {
  return new Promise<{ code: number | null; stderr: string; signalled: boolean }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args(checkpoint, report)], { cwd: root, env: env() });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    let signalled = false;
    const watcher = setInterval(() => {
      if (signalled || !existsSync(checkpoint)) return;
      // Written by a rename: always whole.
      const { acknowledgedLine } = JSON.parse(readFileSync(checkpoint, "utf8")) as {
        acknowledgedLine: number;
      };
      if (acknowledgedLine <= 0) return;
      signalled = true;
      child.kill("SIGINT");
    }, 2);
    child.on("close", (code) => {
      clearInterval(watcher);
      resolve({ code, stderr, signalled });
    });
  });
}

describe("resume against the built-in emulator (no credentials, --checkpoint)", { timeout: 180_000 }, () => {
  it("should continue a run stopped with SIGINT when the same command runs again", async () => {
    const checkpoint = join(dir, "cp.json");
    const first = await stoppedRun(checkpoint, join(dir, "report-1.json"));
    expect(first.signalled).toBe(true);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain("interrupted by SIGINT");
    expect(first.stderr).toContain(`kept in ${checkpoint}.emulator.json`);
    expect(existsSync(`${checkpoint}.emulator.json`)).toBe(true);

    const report = join(dir, "report-2.json");
    const second = await cli(args(checkpoint, report));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`goes on from its state in ${checkpoint}.emulator.json`);
    const final = JSON.parse(readFileSync(report, "utf8")) as ImportReport;
    expect(final.ok).toBe(true);
    expect(final.resumed).toBeDefined();
    expect(final.rows).toMatchObject({ read: file.rows, staged: file.expected.size, notSent: 0 });

    // What the emulator holds, as the rerun left it.
    const emulator = createEmulator({ state: readEmulatorState(`${checkpoint}.emulator.json`)! });
    const records = emulator.records();
    const held = records
      .filter((r) => r.state === "synced" || r.state === "rejected")
      .map((r) => LINKAGES.heldKey(r.row));
    expect(new Set(held)).toEqual(file.expected);
    expect(held.length - new Set(held).size).toBeLessThanOrEqual(final.resumed?.mayBeStagedTwice ?? 0);
    expect(records.filter((r) => r.state === "staged")).toHaveLength(0);
    // The first run's definition is the one the rerun finished.
    const firstReport = JSON.parse(readFileSync(join(dir, "report-1.json"), "utf8")) as ImportReport;
    expect(final.definitionUri).toBe(firstReport.definitionUri);
  });

  it("should refuse, before sending anything, a checkpoint whose emulator state is missing or older", async () => {
    const checkpoint = join(dir, "cp-lost.json");
    const first = await stoppedRun(checkpoint, join(dir, "lost-1.json"));
    expect(first.code).toBe(1);
    const statePath = `${checkpoint}.emulator.json`;
    // As if the run had been killed after its last checkpoint: the state saved is older.
    const older = new Date(statSync(checkpoint).mtimeMs - 60_000);
    utimesSync(statePath, older, older);
    const stale = await cli(args(checkpoint, join(dir, "lost-2.json")));
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(`${statePath} is older than ${checkpoint}`);
    rmSync(statePath);
    const missing = await cli(args(checkpoint, join(dir, "lost-3.json")));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`there is no ${statePath}`);
  });
});
