// The files marketing teams really export (test/fixtures/exports/, README there), imported as opportunities
// by the real CLI into an emulator server: judged by what the emulator holds, value for value.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatorServer, startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { cli, root } from "./_cli.ts";

const exports = join(root, "test", "fixtures", "exports");

/** The three opportunities every fixture holds, as Eloqua must hold them. */
const HELD = [
  ["OPP-2001", "Müller Großhandel renewal", "125000", "Müller GmbH"],
  ["OPP-2002", "Café du Nord; expansion", "48000", "Café du Nord"],
  ["OPP-2003", "Søren’s pilot", "9900", "Nordisk A/S"],
];

let server: EmulatorServer;
let dir: string;

beforeAll(async () => {
  server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
  dir = mkdtempSync(join(tmpdir(), "eloqua-exports-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function importFile(name: string, ...flags: string[]) {
  server.emulator.reset();
  const { site, user, password } = server.emulator.credentials;
  const run = await cli(
    ["import", "opportunities", join(exports, name), "--base-url", server.url, ...flags],
    {
      env: { ELOQUA_SITE: site, ELOQUA_USER: user, ELOQUA_PASSWORD: password },
    },
  );
  const held = server.emulator
    .records()
    .filter((r) => r.state === "synced")
    .map((r) => [r.row.OpportunityID, r.row.Name, r.row.Amount, r.row.AccountName]);
  return { run, held };
}

describe("eloqua-bulk import of real exports", { timeout: 60_000 }, () => {
  it.each([
    ["excel_csv_utf8_semicolon.csv", 'Columns separated by ";"'],
    ["google_sheets.tsv", "Columns separated by tab"],
    ["excel_unicode_text.txt", "as utf-16le text"],
    ["export.csv.gz", "as gzip-compressed text"],
    ["trailing_cells_dropped.csv", ""],
  ])("should import %s as Eloqua must hold it", async (name, notice) => {
    const { run, held } = await importFile(name);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(notice);
    expect(held).toEqual(HELD);
  });

  it("should stop a Windows-1252 file at once with the flag to give, and import it with that flag", async () => {
    const refused = await importFile("excel_windows_1252.csv");
    expect(refused.run.code).toBe(2);
    expect(refused.run.stderr).toContain(
      "excel_windows_1252.csv line 2: the file is not UTF-8 text; it looks like windows-1252",
    );
    expect(refused.run.stderr).toContain("Run again with --encoding windows-1252");
    expect(server.emulator.history().filter((call) => call.method === "POST")).toEqual([]);
    expect(refused.held).toEqual([]);
    const { run, held } = await importFile("excel_windows_1252.csv", "--encoding", "windows-1252");
    expect(run.code, run.stderr).toBe(0);
    expect(held).toEqual(HELD);
  });
});
