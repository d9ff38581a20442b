import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { cli, root } from "./_cli.ts";

const OPPORTUNITIES = join(root, "examples", "data", "opportunities.csv");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-bulk-records-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each run spawns a Node process (~1 s with tsx): generous timeouts for a busy 2-core CI machine.
describe("eloqua-bulk import <kind> and fields <kind> (the CLI, spawned)", { timeout: 90_000 }, () => {
  it("fields should list the opportunity fields a mapping can use", async () => {
    const run = await cli(["fields", "opportunities"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^name\s+internal name\s+type\s+constraints\s+statement/);
    expect(run.stdout).toContain("{{Opportunity.Id}}");
    expect(run.stdout).toContain("{{Opportunity.Field(Amount)}}");
    expect(run.stderr).toContain("built-in Eloqua emulator");
  });

  it("a dry run should show the mapping and count what a real run would stage", async () => {
    const run = await cli(["import", "opportunities", OPPORTUNITIES, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Mapping (column → Eloqua field):");
    expect(run.stderr).toMatch(
      /"Opportunity ID"\s+→ .*\{\{Opportunity\.Id\}\} \(string, required, identifier, dedupe key\)/,
    );
    expect(run.stderr).toMatch(/"Amount"\s+→ .*\{\{Opportunity\.Field\(Amount\)\}\} \(number, required/);
    // OPP-1005's amount is words, OPP-1006's date has month 13, one row has no id; OPP-1002 comes twice.
    expect(run.stdout).toMatch(/rows read\s+10\n\s+invalid\s+3\n\s+duplicate\s+1\n\s+would be staged\s+6/);
  });

  it("should import opportunities into Eloqua (the emulator), with typed rejects in the rejects file", async () => {
    const server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
    try {
      const { site, user, password } = server.emulator.credentials;
      const report = join(dir, "report.json");
      const rejects = join(dir, "rejects.csv");
      const run = await cli(
        [
          "import",
          "opportunities",
          OPPORTUNITIES,
          "--base-url",
          server.url,
          "--report",
          report,
          "--rejects",
          rejects,
        ],
        { env: { ELOQUA_SITE: site, ELOQUA_USER: user, ELOQUA_PASSWORD: password } },
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const result = JSON.parse(readFileSync(report, "utf8")) as ImportReport;
      expect(result.definitionUri).toMatch(/^\/opportunities\/imports\/\d+$/);
      expect(result.rows).toMatchObject({ read: 10, invalid: 3, duplicate: 1, staged: 6, notSent: 0 });
      const ids = server.emulator.records().map((r) => r.row.OpportunityID);
      // OPP-1002 is repeated on line 9 with revised values: the file's last valid row is the one imported.
      expect(ids).toEqual(["OPP-1001", "OPP-1003", "OPP-1004", "OPP-1007", "OPP-1002", "OPP-1008"]);
      const revised = server.emulator.records().find((r) => r.row.OpportunityID === "OPP-1002");
      expect(revised?.row).toMatchObject({ Stage: "Negotiation", Amount: "52000" });
      const text = readFileSync(rejects, "utf8");
      expect(text).toContain("INVALID_NUMBER");
      expect(text).toContain("INVALID_DATE");
      expect(text).toContain("REQUIRED_FIELD_EMPTY");
    } finally {
      await server.close();
    }
  });

  it("should refuse a file that leaves a required field unfilled, with exit 2, the field and the fix", async () => {
    const file = join(dir, "no-stage.csv");
    writeFileSync(file, "Opportunity ID,Name,Amount\nOPP-1,A deal,100\n");
    const run = await cli(["import", "opportunities", file, "--dry-run"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs "Stage" \(\{\{Opportunity\.Field\(Stage\)\}\}\)/);
    expect(run.stderr).toContain('--map "Column=Stage"');
    expect(run.stderr).toContain('the file has: "Opportunity ID", "Name", "Amount"');
    const mapped = await cli([
      "import",
      "opportunities",
      file,
      "--dry-run",
      "--map",
      "Name=Stage",
      "--map",
      "Amount=Amount",
    ]);
    // Name now fills Stage, so Name itself is unfilled.
    expect(mapped.code).toBe(2);
    expect(mapped.stderr).toMatch(/needs "(Name|Opportunity Name)"/);
  });

  it("should read a mapping file, JSON or CSV, and let --map win over it", async () => {
    const file = join(dir, "deals.csv");
    writeFileSync(file, "Deal,Title,Phase,Value\nD-1,First,Proposal,10\nD-2,Second,Proposal,1e5\n");
    const json = join(dir, "map.json");
    writeFileSync(
      json,
      JSON.stringify({ Deal: "Opportunity ID", Title: "Name", Phase: "Stage", Value: "Wrong" }),
    );
    const csv = join(dir, "map.csv");
    writeFileSync(csv, "column,field\nDeal,{{Opportunity.Id}}\nTitle,Name\nPhase,Stage\nValue,Amount\n");
    for (const args of [
      ["--map-file", csv],
      ["--map-file", json, "--map", "Value=Amount"],
    ]) {
      const run = await cli(["import", "opportunities", file, "--dry-run", ...args]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(
        /"Value"\s+→ Amount \{\{Opportunity\.Field\(Amount\)\}\} \(number, required, by --map\)/,
      );
      // 1e5 is not a number Eloqua takes (no exponent).
      expect(run.stdout).toMatch(/rows read\s+2\n\s+invalid\s+1\n/);
    }
    const bad = await cli(["import", "opportunities", file, "--dry-run", "--map-file", json]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--map "Value=Wrong": the opportunity import has no field "Wrong"');
  });

  it("should link opportunities to accounts by a mapped column", async () => {
    const file = join(dir, "account-links.csv");
    writeFileSync(file, "Opportunity ID,Company\nOPP-1,Acme\nOPP-2,Globex\nopp-1,ACME\nOPP-3,\n");
    const run = await cli([
      "import",
      file,
      "--link-to",
      "accounts",
      "--map",
      "Company=M_CompanyName",
      "--dry-run",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/rows read\s+4\n\s+invalid\s+1\n\s+duplicate\s+1\n\s+would be staged\s+2/);
  });

  it("should read the delimiter from the header line (Excel's ; with a BOM and CRLF, tabs), or take --delimiter", async () => {
    const semi = join(dir, "excel.csv");
    writeFileSync(semi, "\uFEFFOpportunityID;EmailAddress\r\nO1;a@b.co\r\nO2;c@d.co\r\nO2;C@D.CO\r\n");
    const run = await cli(["import", semi, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Columns separated by ";"');
    expect(run.stdout).toMatch(/rows read\s+3\n\s+invalid\s+0\n\s+duplicate\s+1\n\s+would be staged\s+2/);
    const tabs = join(dir, "deals.tsv");
    writeFileSync(tabs, "Opportunity ID\tOpportunity Name\tStage\tAmount\nO1\tA, B\tProposal\t10\n");
    const tabbed = await cli(["import", "opportunities", tabs, "--dry-run"]);
    expect(tabbed.code, tabbed.stderr).toBe(0);
    expect(tabbed.stdout).toMatch(/would be staged\s+1/);
    const forced = await cli(["import", semi, "--dry-run", "--delimiter", ","]);
    expect(forced.code).toBe(2);
    expect((await cli(["import", semi, "--dry-run", "--delimiter", "ab"])).code).toBe(2);
  });

  it("should not call a run Done when every row was rejected: the reasons, and exit code 3", async () => {
    const file = join(dir, "all-bad.csv");
    writeFileSync(file, "OpportunityID,EmailAddress\nO1,not-an-address\nO2,\nO3,also bad\n");
    const run = await cli(["import", file, "--dry-run"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^Rejected: all-bad\.csv/);
    expect(run.stdout).toContain("rejects by reason: INVALID_EMAIL 2, REQUIRED_FIELD_EMPTY 1");
    expect(run.stdout).toContain("--rejects <file.csv> writes each rejected row");
    const fine = await cli(["import", join(root, "examples", "data", "linkages.csv"), "--dry-run"]);
    expect(fine.code).toBe(0);
    expect(fine.stdout).toMatch(/^Done: /);
    expect(fine.stdout).toContain("rejects by reason: INVALID_EMAIL 4, REQUIRED_FIELD_EMPTY 1");
  });

  it("should refuse a malformed --import-uri, or one of another kind, as a usage error", async () => {
    const file = join(root, "examples", "data", "linkages.csv");
    for (const uri of ["99", "/opportunities/imports/3"]) {
      const run = await cli(["import", file, "--import-uri", uri]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        'importUri must be a definition URI under /opportunities/contacts/imports, like "/opportunities/contacts/imports/12"',
      );
    }
  });

  it("should read gzip, UTF-16 (Excel's Unicode text) and --encoding windows-1252, and stop a non-UTF-8 file at once with the flag to give", async () => {
    const csv = "OpportunityID\tEmailAddress\r\nO-1\tann@example.com\r\nO-2\tbob@example.com\r\n";
    const u16 = join(dir, "unicode.txt");
    writeFileSync(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, "utf16le")]));
    const gz = join(dir, "links.csv.gz");
    writeFileSync(gz, gzipSync(Buffer.from(csv)));
    for (const file of [u16, gz]) {
      const run = await cli(["import", file, "--dry-run"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/would be staged\s+2/);
    }
    const latin1 = join(dir, "latin1.csv");
    writeFileSync(
      latin1,
      Buffer.from(
        "OpportunityID,EmailAddress\nOPP-\xe9,ann@example.com\nOPP-\xe8,bob@example.com\n",
        "latin1",
      ),
    );
    // Clearly not UTF-8: stopped before the import, with the likely encoding and the flag.
    const wrong = await cli(["import", latin1, "--dry-run"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      "latin1.csv line 2: the file is not UTF-8 text; it looks like windows-1252 (what Excel on Windows saves;",
    );
    expect(wrong.stderr).toContain("Run again with --encoding windows-1252, or --encoding utf-8");
    expect(wrong.stdout).toBe("");
    // Read as UTF-8 anyway, every row is rejected, and the summary says what to try.
    const forced = await cli(["import", latin1, "--dry-run", "--encoding", "utf-8"]);
    expect(forced.code).toBe(3);
    expect(forced.stdout).toContain("try --encoding windows-1252");
    const right = await cli(["import", latin1, "--dry-run", "--encoding", "windows-1252"]);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stderr).toContain("as windows-1252 text");
    expect(right.stdout).toMatch(/would be staged\s+2/);
    expect((await cli(["import", latin1, "--dry-run", "--encoding", "nope"])).code).toBe(2);
  });

  it("should keep linkage-only flags off other kinds, and the reverse", async () => {
    const a = await cli(["import", "opportunities", OPPORTUNITIES, "--dry-run", "--email-column", "x"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("--email-column is for linkage imports only");
    const b = await cli([
      "import",
      join(root, "examples", "data", "linkages.csv"),
      "--dry-run",
      "--identifier",
      "x",
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--identifier is for imports of records");
  });

  it("should import the first row of a repeated identifier with --keep first or from stdin, and say why for stdin", async () => {
    const run = async (args: string[], input?: string) => {
      const server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
      try {
        const { site, user, password } = server.emulator.credentials;
        const result = await cli(["import", "opportunities", ...args, "--base-url", server.url], {
          env: { ELOQUA_SITE: site, ELOQUA_USER: user, ELOQUA_PASSWORD: password },
          ...(input === undefined ? {} : { input }),
        });
        const held = server.emulator.records().find((r) => r.row.OpportunityID === "OPP-1002");
        return { ...result, held: held?.row };
      } finally {
        await server.close();
      }
    };
    const first = await run([OPPORTUNITIES, "--keep", "first"]);
    expect(first.code).toBe(0);
    expect(first.held).toMatchObject({ Stage: "Proposal", Amount: "48000.50" });
    const piped = await run(["-"], readFileSync(OPPORTUNITIES, "utf8"));
    expect(piped.code).toBe(0);
    expect(piped.held).toMatchObject({ Stage: "Proposal", Amount: "48000.50" });
    expect(piped.stderr).toContain("stdin is read once: the first row of a repeated identifier is imported");
    const last = await cli(["import", "opportunities", "-", "--dry-run", "--keep", "last"]);
    expect(last.code).toBe(2);
    expect(last.stderr).toContain("--keep last reads the input twice, which stdin cannot be");
    const bad = await cli(["import", "opportunities", OPPORTUNITIES, "--dry-run", "--keep", "latest"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--keep latest: say last (the default for a file) or first.");
    const links = await cli([
      "import",
      join(root, "examples", "data", "linkages.csv"),
      "--dry-run",
      "--keep",
      "last",
    ]);
    expect(links.code).toBe(2);
    expect(links.stderr).toContain("--keep is for imports of records");
  });
});
