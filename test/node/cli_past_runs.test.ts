// The commands that read what an import left in Eloqua, run as a user would against an emulator of this
// process: status and rejects of a past sync, definitions list and delete; and what they say without
// credentials or with a uri they cannot read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import { type EmulatorServer, startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { cli } from "./_cli.ts";

let dir: string;
let server: EmulatorServer;
let credentials: Record<string, string>;
let report: ImportReport;
const target = () => ["--base-url", server.url];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-past-"));
  server = await startEmulatorServer({
    syncTiming: { pendingMs: 0, activeMs: 0 },
    knownContacts: (email) => !email.endsWith("@unknown.org"),
  });
  const { site, user, password } = server.emulator.credentials;
  credentials = { ELOQUA_SITE: site, ELOQUA_USER: user, ELOQUA_PASSWORD: password };
  const file = join(dir, "links.csv");
  const rows = Array.from({ length: 30 }, (_, i) =>
    i % 10 === 3 ? `OPP-${i},=cmd${i}@unknown.org` : `OPP-${i},c${i}@example.com`,
  );
  writeFileSync(file, `OpportunityID,EmailAddress\n${rows.join("\n")}\n`);
  const run = await cli(["import", file, ...target(), "--report", join(dir, "report.json"), "-q"], {
    env: credentials,
  });
  expect(run.stderr).toBe("");
  report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as ImportReport;
  expect(report.rows.rejectedByEloqua).toBe(3);
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("eloqua-bulk status, rejects and definitions", () => {
  it("should show a past sync's status and logs, by its uri or its number", async () => {
    const uri = report.syncs[0]!.uri;
    for (const given of [uri, uri.slice("/syncs/".length), `${server.url}/api/bulk/2.0${uri}`]) {
      const run = await cli(["status", given, ...target()], { env: credentials });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^${uri}: warning \\(of ${report.definitionUri}\\); created `));
      expect(run.stdout).toMatch(/Logs:\n( {2}(information|warning|error) ELQ-\d{5}: .+\(count \d+\)\n)+/);
    }
  });

  it("should write a past sync's rejects as CSV, to stdout or --out, with formulas defused", async () => {
    const uri = report.syncs[0]!.uri;
    const printed = await cli(["rejects", uri, ...target()], { env: credentials });
    expect(printed.code).toBe(0);
    const out = join(dir, "sync-rejects.csv");
    const written = await cli(["rejects", uri, ...target(), "--out", out], { env: credentials });
    expect(written.code).toBe(0);
    expect(written.stderr).toBe(`3 rejects of ${uri} written to ${out}.\n`);
    const text = readFileSync(out, "utf8");
    expect(text).toBe(printed.stdout);
    const [header, ...lines] = text.trimEnd().split("\r\n");
    expect(header).toBe("recordIndex,code,message,invalidFields,OpportunityID,EmailAddress,other");
    expect(lines).toHaveLength(3);
    for (const [k, line] of lines.entries()) {
      const i = 3 + 10 * k;
      expect(line).toMatch(new RegExp(`^\\d+,ELQ-\\d{5},.+,OPP-${i},'=cmd${i}@unknown.org,$`));
    }
  });

  it("should list the import definitions, and delete one", async () => {
    const listed = await cli(["definitions", "list", ...target()], { env: credentials });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^${report.definitionUri}  ".+"  created .+  auto-delete P\\w+\\n$`),
    );
    expect(listed.stderr).toBe("1 definition.\n");
    const opportunitiesOnly = await cli(["definitions", "list", "opportunities", ...target()], {
      env: credentials,
    });
    expect(opportunitiesOnly.stdout).toBe("");
    const deleted = await cli(["definitions", "delete", report.definitionUri!, ...target()], {
      env: credentials,
    });
    expect(deleted.stdout).toBe(`Deleted ${report.definitionUri}.\n`);
    expect(deleted.code).toBe(0);
    const again = await cli(["definitions", "list", "linkages", ...target()], { env: credentials });
    expect(again.stdout).toBe("");
    expect(again.stderr).toBe("0 definitions.\n");
  });

  it("should say what is missing, with exit 2, without credentials or with a uri it cannot read", async () => {
    const none = await cli(["status", "/syncs/1"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^eloqua-bulk: A past sync lives in Eloqua: give credentials/);
    const bad = await cli(["rejects", "sync-one", ...target()], { env: credentials });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/A sync is named by its uri.*"\/syncs\/12" \(or 12\): got "sync-one"/);
    const notDefinition = await cli(["definitions", "delete", "/syncs/1", ...target()], { env: credentials });
    expect(notDefinition.code).toBe(2);
    expect(notDefinition.stderr).toMatch(/An import definition is named by its uri/);
    const gone = await cli(["status", "999", ...target()], { env: credentials });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/404/);
    expect(`${none.stderr}${bad.stderr}${gone.stderr}`).not.toContain(credentials.ELOQUA_PASSWORD);
  });
});
