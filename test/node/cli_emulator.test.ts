// `eloqua-bulk emulator` with its knobs: --state, --strict, --fault-rate, --faults, --latency, --sync-ms,
// --token-lifetime; each checked through what an import against it sees.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import { cli } from "./_cli.ts";
import { emulatorRefusal, spawnEmulator } from "./_emulator_cli.ts";

let dir: string;
let links: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-bulk-emulator-cli-"));
  links = join(dir, "links.csv");
  const lines = ["OpportunityID,EmailAddress"];
  for (let i = 0; i < 40; i++) lines.push(`OPP-${i},user${i}@example.com`);
  writeFileSync(links, `${lines.join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const auth = (url: string) => ["--base-url", url, "--token", "emulator-token"];
const readReport = (path: string) => JSON.parse(readFileSync(path, "utf8")) as ImportReport;

async function get(url: string, path: string) {
  const response = await fetch(`${url}/api/bulk/2.0${path}`, {
    headers: { authorization: "Bearer emulator-token" },
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON of many shapes
  return { status: response.status, body: (text.startsWith("{") ? JSON.parse(text) : text) as any };
}

describe("eloqua-bulk emulator (spawned), its knobs", { timeout: 120_000 }, () => {
  it("should save its state on SIGINT with --state, and go on from it when started again", async () => {
    const state = join(dir, "state.json");
    const first = await spawnEmulator(["--state", state]);
    expect(first.stdout()).toContain(`State:        new; saved on stop to ${state}`);
    const report = join(dir, "state-report.json");
    expect((await cli(["import", links, ...auth(first.url), "--report", report])).code).toBe(0);
    const { definitionUri, syncs } = readReport(report);
    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain(`State saved to ${state}`);
    expect(existsSync(state)).toBe(true);

    const second = await spawnEmulator(["--state", state]);
    try {
      expect(second.stdout()).toContain(`State:        loaded from ${state}`);
      expect((await get(second.url, definitionUri!)).status).toBe(200);
      const sync = await get(second.url, syncs[0]!.uri);
      expect(sync.body).toMatchObject({ status: "success", syncedInstanceUri: definitionUri });
      // A second import goes on from the first: its definition and sync get the next ids.
      const again = join(dir, "state-report-2.json");
      expect((await cli(["import", links, ...auth(second.url), "--report", again])).code).toBe(0);
      expect(readReport(again).definitionUri).not.toBe(definitionUri);
    } finally {
      const end = await second.stop();
      expect(end.stdout).toMatch(/80 rows staged, 2 syncs/);
    }
  });

  it("should know only imported records with --strict", async () => {
    const emulator = await spawnEmulator(["--strict"]);
    try {
      expect(emulator.stdout()).toContain("Strict:");
      const before = join(dir, "strict-before.json");
      const linkage = ["import", "examples/data/opportunity_contacts.csv", ...auth(emulator.url)];
      expect((await cli([...linkage, "--report", before])).code).toBe(0);
      const rows = readReport(before).rows;
      expect(rows.staged).toBeGreaterThan(0);
      expect(rows.rejectedByEloqua).toBe(rows.staged);
      for (const kind of ["opportunities", "contacts"]) {
        const run = await cli(["import", kind, `examples/data/${kind}.csv`, ...auth(emulator.url)]);
        expect(run.code, run.stderr).toBe(0);
      }
      const after = join(dir, "strict-after.json");
      expect((await cli([...linkage, "--report", after])).code).toBe(0);
      // The file links OPP-9999 (no such opportunity) and nobody@nowhere.example (no such contact).
      expect(readReport(after).rows).toMatchObject({ staged: rows.staged, rejectedByEloqua: 2 });
    } finally {
      await emulator.stop();
    }
  });

  it("should fail a seeded share of requests with --fault-rate, which the import retries", async () => {
    const emulator = await spawnEmulator(["--fault-rate", "0.15", "--seed", "7"]);
    const report = join(dir, "faults.json");
    const run = await cli(["import", links, ...auth(emulator.url), "--report", report]);
    const end = await emulator.stop();
    expect(run.code, run.stderr).toBe(0);
    expect(readReport(report).requests.retries).toBeGreaterThan(0);
    expect(end.stdout).toMatch(/[1-9]\d* faults injected/);
  });

  it("should take fault rules from --faults and delay every request with --latency", async () => {
    const faults = join(dir, "faults.json");
    writeFileSync(faults, JSON.stringify([{ route: "sync.create", action: "syncError" }]));
    const emulator = await spawnEmulator(["--faults", faults, "--latency", "1"]);
    const run = await cli(["import", links, ...auth(emulator.url)]);
    const end = await emulator.stop();
    // Every sync ends in error; and every request that did not fail was delayed, a fault too.
    expect(run.code).toBe(1);
    const requests = Number(/after (\d+) requests/.exec(end.stdout)?.[1]);
    const injected = Number(/(\d+) faults injected/.exec(end.stdout)?.[1]);
    expect(requests).toBeGreaterThan(3);
    expect(injected).toBeGreaterThanOrEqual(requests);
  });

  it("should time syncs by --sync-ms", async () => {
    const emulator = await spawnEmulator(["--sync-ms", "500"]);
    try {
      const report = join(dir, "sync-ms.json");
      expect((await cli(["import", links, ...auth(emulator.url), "--report", report])).code).toBe(0);
      const sync = (await get(emulator.url, readReport(report).syncs[0]!.uri)).body;
      const ms = (at: string) => Date.parse(at.replace(/(\.\d{3})\d*Z$/, "$1Z"));
      expect(ms(sync.syncStartedAt) - ms(sync.createdAt)).toBe(100);
      expect(ms(sync.syncEndedAt) - ms(sync.createdAt)).toBe(500);
    } finally {
      await emulator.stop();
    }
  });

  it.each([
    [["--fault-rate", "2"], /--fault-rate must be a number from 0 to 1/],
    [["--strict", "--mode", "count"], /--strict needs --mode store/],
    [["--mode", "fast"], /--mode "fast": say store/],
    [["--latency", "-5"], /--latency/],
  ])("should exit 2 for %j", async (args, message) => {
    const run = await emulatorRefusal(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("should exit 2 for a faults file with a bad rule, or a file that is not a state", async () => {
    const faults = join(dir, "bad-faults.json");
    writeFileSync(faults, JSON.stringify([{ route: "nowhere", action: { status: 503 } }]));
    const bad = await emulatorRefusal(["--faults", faults]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/faults\[0\]\.route/);
    const notState = join(dir, "not-state.json");
    writeFileSync(notState, "{}");
    const state = await emulatorRefusal(["--state", notState]);
    expect(state.code).not.toBe(0);
    expect(state.stderr).toContain("is not an emulator state file");
  });
});
