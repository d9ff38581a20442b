// Hostile input through the real CLI (issue 5, "Nothing lost … hostile input"): every file of
// test/fixtures/hostile/ and the large ones of test/fixtures/generate_hostile.ts is imported by
// `node bin/eloqua-bulk.mjs import …` as a user would, and each run must end on its own (a watchdog kills
// it after 90 s), without a stack trace, within 400 MB of peak RSS, with the exit code of the CLI
// contract, a message naming the line, and the good rows around the bad ones batched or staged. The same
// for an import of records (issue 14: hostile-input tests for every kind): `import opportunities` of the
// files of ./_hostile_opportunities.ts (the cases that make sense for records, and a 50 MB field), and
// `import contacts` and `import accounts` of the files of ./_hostile_records.ts (bad e-mail addresses,
// values too long, binary lines, repeated identifiers, a missing identifying or required column), each
// run into an emulator of this process and judged by the records it holds.
// HOSTILE_INPUT_SUMMARY=1 prints a table of exit codes, rejects, peak RSS and times at the end.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvParser } from "../../lib/csv/csv_parser.ts";
import type { ImportReport } from "../../lib/import/report.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import {
  COMMAS_WITHIN_LIMIT,
  generateHostile,
  LARGE_FIXTURES,
  type LargeFixtureName,
} from "../fixtures/generate_hostile.ts";
import {
  BINARY_LINES,
  type HostileOpportunityFile,
  writeHostileOpportunities,
} from "./_hostile_opportunities.ts";
import {
  type HostileAccountFile,
  type HostileContactFile,
  RECORD_BINARY_LINES,
  writeHostileRecords,
} from "./_hostile_records.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin", "eloqua-bulk.mjs");
const hostile = join(root, "test", "fixtures", "hostile");
const rssHook = pathToFileURL(join(root, "test", "fixtures", "report_rss.mjs")).href;

/** A run that takes longer than this is taken for a hang: killed, and the test fails. */
const WATCHDOG_MS = 90_000;
/** Peak RSS allowed to any run, the 200 MB and 50 MB inputs included. */
const MAX_RSS_BYTES = 400_000_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the CLI's process, in bytes (undefined if it did not exit on its own). */
  peakRss: number | undefined;
  ms: number;
  hung: boolean;
}

let dir: string;
let runs = 0;
const summary: {
  fixture: string;
  run: string;
  exit: number | null;
  rejects: number;
  rssMB: number;
  s: number;
}[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-hostile-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (process.env.HOSTILE_INPUT_SUMMARY) console.table(summary);
});

/** The process environment without any ELOQUA_* variable: no run may reach a real Eloqua. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("ELOQUA_")) out[key] = value;
  return { ...out, ELOQUA_BULK_FROM_SOURCE: "1", ...extra };
}

/** Runs the CLI with its peak RSS recorded at exit; SIGKILLs it after {@linkcode WATCHDOG_MS}. */
function cli(args: readonly string[]): Promise<Run> {
  const rssFile = join(dir, `rss-${++runs}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", rssHook, bin, ...args], {
      cwd: dir,
      env: env({ REPORT_RSS_FILE: rssFile }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let hung = false;
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const watchdog = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, WATCHDOG_MS);
    child.on("error", (error) => {
      clearTimeout(watchdog);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      const peakRss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : undefined;
      resolve({ code, signal, stdout, stderr, peakRss, ms: performance.now() - started, hung });
    });
  });
}

/** No hang, no crash, bounded memory: what every run must show whatever its input. */
function expectSane(run: Run, notices: readonly RegExp[] = []): void {
  expect(run.hung, "the run was killed by the watchdog").toBe(false);
  expect(run.signal).toBeNull();
  // Every line of stderr is the CLI's own: one-sentence errors, or the note that the emulator is used
  // (or a notice the case names).
  for (const line of run.stderr.split("\n").filter((l) => l !== "")) {
    if (notices.some((notice) => notice.test(line))) continue;
    expect(line).toMatch(/^(eloqua-bulk: |No credentials and no --base-url: )/);
  }
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.peakRss).toBeGreaterThan(0);
  expect(run.peakRss!).toBeLessThan(MAX_RSS_BYTES);
}

function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const parser = new CsvParser();
  const handler = { record: () => records.push(parser.fields()), malformed: () => {} };
  parser.push(text, handler);
  parser.end(handler);
  return records;
}

interface RejectLine {
  line: number;
  /** The row's values, by the file's field columns. */
  values: Record<string, string>;
  code: string;
  message: string;
}

/** The field columns of a linkage rejects file. */
const LINKAGE_FIELDS = ["OpportunityID", "EmailAddress"];
/** The field columns of the rejects file of an opportunity file of ./_hostile_opportunities.ts. */
const OPPORTUNITY_FIELDS = ["OpportunityID", "Name", "Stage", "Amount", "CloseDate", "AccountName"];

/** The rejects file's rows (without its header), in line order. */
function readRejects(path: string, fields: readonly string[] = LINKAGE_FIELDS): RejectLine[] {
  const [header, ...rows] = parseCsv(readFileSync(path, "utf8"));
  expect(header).toEqual(["line", ...fields, "code", "stage", "message", "other"]);
  const at = (name: string) => header!.indexOf(name);
  return rows
    .map((cells) => ({
      line: Number(cells[0]),
      values: Object.fromEntries(fields.map((field) => [field, cells[at(field)]!])),
      code: cells[at("code")]!,
      message: cells[at("message")]!,
    }))
    .sort((a, b) => a.line - b.line);
}

function readReport(path: string): ImportReport {
  return JSON.parse(readFileSync(path, "utf8")) as ImportReport;
}

/** What a fixture must give. */
interface Expected {
  /** 0: the import completed (rejects included); 2: a usage error, nothing sent. */
  exit: 0 | 2;
  /** For exit 2: the one sentence on stderr. */
  error?: RegExp;
  /** For exit 0: every reject, as `[line, code]`, in line order. */
  rejects?: [number, string][];
  /** For exit 0: message fragments of some rejects, by line (the line itself is always checked). */
  messages?: Record<number, RegExp>;
  /** For exit 0: data rows read. */
  read?: number;
  /** For exit 0: the rows that go through, as `OpportunityID|EmailAddress`. */
  good?: string[];
}

/**
 * Runs `import <file> --dry-run --report r.json --rejects x.csv --quiet` and checks it against `expected`;
 * with `real`, also a real import into the embedded emulator (no flags but the files) and checks the
 * same rejects and that the good rows were staged.
 */
async function check(path: string, name: string, expected: Expected, real: boolean): Promise<void> {
  const modes = real ? (["dry", "real"] as const) : (["dry"] as const);
  for (const mode of modes) {
    const report = join(dir, `${name}.${mode}.report.json`);
    const rejects = join(dir, `${name}.${mode}.rejects.csv`);
    const flags = mode === "dry" ? ["--dry-run", "--quiet"] : ["--quiet"];
    const run = await cli(["import", path, ...flags, "--report", report, "--rejects", rejects]);
    expectSane(run);
    const written = existsSync(rejects) ? readRejects(rejects) : [];
    summary.push({
      fixture: name,
      run: mode,
      exit: run.code,
      rejects: written.length,
      rssMB: Math.round((run.peakRss ?? 0) / 1e6),
      s: Math.round(run.ms / 100) / 10,
    });
    expect(run.code, run.stderr).toBe(expected.exit);
    if (expected.exit === 2) {
      expect(run.stderr).toMatch(expected.error!);
      expect(run.stderr).toMatch(new RegExp(`^eloqua-bulk: ${name.replaceAll(".", "\\.")} line \\d+: `, "m"));
      expect(written).toEqual([]);
      expect(existsSync(report)).toBe(false);
      continue;
    }
    expect(written.map((r) => [r.line, r.code])).toEqual(expected.rejects);
    for (const reject of written) {
      expect(reject.message.startsWith(`${name} line ${reject.line}: `), reject.message).toBe(true);
      const fragment = expected.messages?.[reject.line];
      if (fragment !== undefined) expect(reject.message).toMatch(fragment);
    }
    const parsed = readReport(report);
    expect(parsed.ok).toBe(true);
    const { read, invalid, duplicate, staged, notSent, rejectedByEloqua } = parsed.rows;
    expect(read).toBe(expected.read);
    expect(read).toBe(invalid + duplicate + staged + notSent);
    expect(invalid).toBe(expected.rejects!.length);
    expect(duplicate).toBe(0);
    if (mode === "dry") {
      // A dry run batches the good rows and sends nothing: the report counts them as not sent.
      expect(staged).toBe(0);
      expect(notSent).toBe(expected.good!.length);
    } else {
      expect(staged).toBe(expected.good!.length);
      expect(notSent).toBe(0);
      expect(rejectedByEloqua).toBe(0);
      expect(parsed.syncs.every((s) => s.status === "success")).toBe(true);
      expect(parsed.syncs.reduce((sum, s) => sum + s.rows, 0)).toBe(staged);
    }
  }
}

const utf8In = (field: number) => new RegExp(`field ${field} holds bytes that are not valid UTF-8`);

/** The committed fixtures (test/fixtures/hostile/), with what each must give. */
const SMALL: Record<string, Expected & { real?: boolean }> = {
  "empty.csv": {
    exit: 2,
    error:
      /empty\.csv line 1: the input is empty; expected a header row naming the columns OpportunityID, EmailAddress\./,
  },
  "header_only.csv": { exit: 0, rejects: [], read: 0, good: [], real: true },
  "missing_column.csv": {
    exit: 2,
    error:
      /missing_column\.csv line 1: the required column "EmailAddress" is missing \(the header has: "OpportunityID", "Email"\); name the source column with --email-column <name>\./,
  },
  "duplicate_header.csv": {
    exit: 2,
    error:
      /duplicate_header\.csv line 1: the column "EmailAddress" for EmailAddress appears more than once in the header \(columns 2 and 3\)/,
  },
  // UTF-16 ("Unicode text" from Excel): read by its byte order mark.
  "utf16le.csv": {
    exit: 0,
    rejects: [],
    read: 2,
    good: ["OPP-1|a@example.com", "OPP-2|b@example.com"],
  },
  // The quote opened on line 4 swallows the rest of the file into one rejected record.
  "unterminated_quote.csv": {
    exit: 0,
    rejects: [[4, "CSV_UNTERMINATED_QUOTE"]],
    messages: { 4: /a quoted field opened on line 4 is not closed before the end of the input/ },
    read: 3,
    good: ["OPP-1|a@example.com", "OPP-2|b@example.com"],
    real: true,
  },
  // Short and long rows, an all-empty row, a blank line (not a record) and a last line without a break.
  "ragged_rows.csv": {
    exit: 0,
    rejects: [
      [3, "CSV_FIELD_COUNT"],
      [4, "CSV_FIELD_COUNT"],
      [6, "REQUIRED_FIELD_EMPTY"],
      [7, "CSV_FIELD_COUNT"],
      [10, "CSV_FIELD_COUNT"],
    ],
    messages: {
      3: /the record has 1 field, the header has 2, and it ends before the mapped column "EmailAddress"$/,
      4: /the record has 3 fields, the header has 2$/,
      6: /OpportunityID is empty$/,
      7: /the record has 5 fields, the header has 2$/,
    },
    read: 9,
    good: ["OPP-1|a@example.com", "OPP-4|d@example.com", "OPP-8|h@example.com", "OPP-10|j@example.com"],
    real: true,
  },
  // NUL is a character like any other to CSV and UTF-8: in an e-mail address it makes the address
  // invalid; a line of NULs alone is one field; in an OpportunityID it is kept (the linkage schema has
  // no rule against control characters there), and Eloqua would reject an unknown opportunity.
  "nul_bytes.csv": {
    exit: 0,
    rejects: [
      [3, "INVALID_EMAIL"],
      [4, "CONTROL_CHARACTER"],
      [5, "CSV_FIELD_COUNT"],
      [6, "INVALID_EMAIL"],
      [7, "CONTROL_CHARACTER"],
    ],
    messages: {
      3: /EmailAddress "b\\u0000@example\.com" is not a valid e-mail address$/,
      4: /OpportunityID holds a control character \(U\+0000\) at character 5$/,
    },
    read: 7,
    good: ["OPP-1|a@example.com", "OPP-7|g@example.com"],
    real: true,
  },
  // 0xFF, a bad continuation, an encoded surrogate, a multi-byte sequence cut by the line break and an
  // overlong "/" are all rejected; valid non-ASCII UTF-8 is kept (é) or judged by the e-mail rule (✓).
  "invalid_utf8.csv": {
    exit: 0,
    rejects: [
      [3, "CSV_INVALID_UTF8"],
      [4, "CSV_INVALID_UTF8"],
      [6, "CSV_INVALID_UTF8"],
      [7, "CSV_INVALID_UTF8"],
      [9, "CSV_INVALID_UTF8"],
      [10, "INVALID_EMAIL"],
    ],
    messages: { 3: utf8In(2), 4: utf8In(1), 6: utf8In(2), 7: utf8In(2), 9: utf8In(1) },
    read: 10,
    good: ["OPP-1|a@example.com", "OPP-4|d@example.com", "OPP-7|g@example.com", "OPP-é10|j@example.com"],
    real: true,
  },
  // Windows-1252 with CRLF: é as 0xE9 in an OpportunityID and an e-mail, curly quotes as 0x93/0x94.
  // Not UTF-8 at all: stopped before anything is read, with the encoding to give.
  "windows_1252.csv": {
    exit: 2,
    error:
      /windows_1252\.csv line 3: the file is not UTF-8 text; it looks like windows-1252 .* Run again with --encoding windows-1252/,
  },
  // A BOM, CRLF, a blank line, a quoted line break (OPP-3 spans lines 5–6), no break at the end: the
  // invalid e-mail on line 8 shows the lines are counted right.
  "bom_crlf.csv": {
    exit: 0,
    // A line break inside a quoted OpportunityID is read as one record, and rejected: no ID holds one.
    rejects: [
      [5, "CONTROL_CHARACTER"],
      [8, "INVALID_EMAIL"],
    ],
    read: 6,
    good: ["OPP-1|a@example.com", "OPP-2|b@example.com", "OPP-4|d@example.com", "OPP-6|f@example.com"],
    real: true,
  },
};

describe("eloqua-bulk import of hostile input", { timeout: 4 * WATCHDOG_MS }, () => {
  it.each(Object.entries(SMALL))("should survive %s", async (name, expected) => {
    await check(join(hostile, name), name, expected, expected.real === true);
  });

  // Runs against an emulator of this process, whose record shows which rows were staged, exactly.
  describe("staging exactly the good rows", () => {
    let server: EmulatorServer;
    beforeAll(async () => {
      server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
    });
    afterAll(() => server.close());

    const completing = Object.entries(SMALL).filter(([, e]) => e.exit === 0 && e.good!.length > 0);
    it.each(completing)("should stage the good rows of %s and no other", async (name, expected) => {
      server.emulator.reset();
      const { site, user, password } = server.emulator.credentials;
      const run = await cli(
        ["import", join(hostile, name), "--base-url", server.url, "--quiet"].concat([
          "--site",
          site,
          "--user",
          user,
          "--password",
          password,
        ]),
      );
      expectSane(run);
      expect(run.code, run.stderr).toBe(0);
      const staged = server.emulator.records().map((r) => `${r.row.OpportunityID}|${r.row.EmailAddress}`);
      expect(staged.sort()).toEqual([...expected.good!].sort());
    });
  });

  const large = (name: LargeFixtureName, expected: Expected, real: boolean) => async () => {
    const path = await generateHostile(dir, name);
    try {
      expect(statSync(path).size).toBe(LARGE_FIXTURES[name].bytes);
      await check(path, LARGE_FIXTURES[name].name, expected, real);
    } finally {
      rmSync(path, { force: true });
    }
  };

  it(
    "should reject a 50 MB field as one record too large, and count the lines after it right",
    large(
      "huge_field",
      {
        exit: 0,
        rejects: [
          [3, "CSV_RECORD_TOO_LARGE"],
          [9, "INVALID_EMAIL"],
        ],
        messages: { 3: /field 2 makes the record longer than 1048576 bytes \(maxRecordLength\)$/ },
        read: 4,
        good: ["OPP-1|before@example.com", "OPP-3|after@example.com"],
      },
      true,
    ),
  );

  it(
    "should reject lines of millions of commas, past maxRecordLength and within it, in bounded memory",
    large(
      "millions_of_commas",
      {
        exit: 0,
        rejects: [
          [3, "CSV_RECORD_TOO_LARGE"],
          [5, "CSV_FIELD_COUNT"],
          [7, "INVALID_EMAIL"],
        ],
        messages: {
          3: /field \d+ makes the record longer than 1048576 bytes/,
          5: new RegExp(`the record has ${COMMAS_WITHIN_LIMIT + 1} fields, the header has 2$`),
        },
        read: 6,
        good: ["OPP-1|before@example.com", "OPP-2|middle@example.com", "OPP-3|after@example.com"],
      },
      false,
    ),
  );

  it(
    "should read 5,000 columns, and reject a row one field too many with its own values",
    large(
      "thousands_of_columns",
      {
        exit: 0,
        rejects: [[102, "CSV_FIELD_COUNT"]],
        messages: { 102: /the record has 5001 fields, the header has 5000$/ },
        read: 102,
        good: Array.from({ length: 100 }, (_, r) => `OPP-${r}|user${r}@example.com`).concat(
          "OPP-LAST|last@example.com",
        ),
      },
      false,
    ),
  );

  it("should keep a wide row's own OpportunityID and EmailAddress in its reject", async () => {
    const path = await generateHostile(dir, "thousands_of_columns");
    const rejects = join(dir, "wide.rejects.csv");
    try {
      const run = await cli(["import", path, "--dry-run", "--quiet", "--rejects", rejects]);
      expectSane(run);
      expect(
        readRejects(rejects).map((r) => [r.line, r.values.OpportunityID, r.values.EmailAddress]),
      ).toEqual([[102, "OPP-WIDE", "wide@example.com"]]);
    } finally {
      rmSync(path, { force: true });
    }
  });

  // 200 MB, as the issue asks: each run takes 2–4 s here (2 cores), far under the watchdog.
  it(
    "should refuse 200 MB of white space without a line break as a header that cannot be read (exit 2)",
    large(
      "whitespace_no_newline",
      {
        exit: 2,
        error:
          /whitespace_no_newline\.csv line 1: the header row cannot be read: field 1 makes the record longer than 1048576 bytes/,
      },
      false,
    ),
  );

  it.skipIf(!existsSync("/dev/zero"))(
    "should refuse an endless input without line breaks (/dev/zero) once its header passes 1 MiB",
    async () => {
      const run = await cli(["import", "/dev/zero", "--dry-run", "--quiet"]);
      expectSane(run);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^eloqua-bulk: zero line 1: the header row cannot be read: field 1 makes the record longer than 1048576 bytes/,
      );
    },
  );

  it(
    "should stage the rows before 200 MB of white space without a line break, and reject that",
    large(
      "whitespace_tail",
      {
        exit: 0,
        rejects: [[4, "CSV_RECORD_TOO_LARGE"]],
        read: 3,
        good: ["OPP-1|a@example.com", "OPP-2|b@example.com"],
      },
      true,
    ),
  );
});

/** What an opportunity file of ./_hostile_opportunities.ts must give. */
interface RecordsExpected {
  /** 0: the import completed (rejects included); 2: a usage error, nothing sent. */
  exit: 0 | 2;
  /** For exit 2: the one sentence on stderr. */
  error?: RegExp;
  /** For exit 0: every reject, as `[line, code]`, in line order. */
  rejects?: [number, string][];
  /** For exit 0: message fragments of some rejects, by line (the line itself is always checked). */
  messages?: Record<number, RegExp>;
  /** For exit 0: data rows read. */
  read?: number;
  /** For exit 0: the opportunities Eloqua holds in the end, as `OpportunityID|Name`. */
  held?: string[];
}

/** Nothing but a header can be read from these: the import stops at the header, before anything is sent. */
const NO_HEADER = (name: string) =>
  new RegExp(
    `^eloqua-bulk: ${name.replaceAll(".", "\\.")} line 1: .*the first line must name the columns\\.$`,
    "m",
  );

const deals = (...ids: number[]) => ids.map((id) => `OPP-${id}|Deal ${id}`);

/** The opportunity files, with what each must give. */
const OPPORTUNITY_CASES: Record<Exclude<HostileOpportunityFile, "utf16le.csv">, RecordsExpected> = {
  "empty.csv": { exit: 2, error: NO_HEADER("empty.csv") },
  "header_only.csv": { exit: 0, rejects: [], read: 0, held: [] },
  // The first row is data, so no column names a field: the usage error lists what the file has.
  "no_header.csv": {
    exit: 2,
    error:
      /^eloqua-bulk: no column of the file names a field of the opportunity import \(the file has: "OPP-1", "Deal 1", "Proposal", "1000", "2027-01-31", "Acme Corp"\)/m,
  },
  // A spreadsheet given for its CSV: its first line is binary, not a header.
  "deals.xlsx": { exit: 2, error: NO_HEADER("deals.xlsx") },
  "binary_rows.csv": {
    exit: 0,
    rejects: Array.from({ length: BINARY_LINES.last - BINARY_LINES.first + 1 }, (_, i): [number, string] => [
      BINARY_LINES.first + i,
      "CSV_INVALID_UTF8",
    ]),
    read: 32,
    held: deals(...Array.from({ length: 20 }, (_, i) => i + 1)),
  },
  "invalid_utf8.csv": {
    exit: 0,
    rejects: [
      [3, "CSV_INVALID_UTF8"],
      [4, "CSV_INVALID_UTF8"],
      [5, "CSV_INVALID_UTF8"],
      [7, "CSV_INVALID_UTF8"],
      [8, "CSV_INVALID_UTF8"],
    ],
    messages: { 3: utf8In(2), 4: utf8In(1), 5: utf8In(3), 7: utf8In(6), 8: utf8In(4) },
    read: 8,
    held: [...deals(1), "OPP-5|Café 🚀 deal", ...deals(8)],
  },
  "windows_1252.csv": {
    exit: 2,
    error:
      /windows_1252\.csv line 3: the file is not UTF-8 text; it looks like windows-1252 .* Run again with --encoding windows-1252/,
  },
  // A line break inside a quoted name is read as one record (line 4), and rejected: no value holds one.
  "bom_crlf.csv": {
    exit: 0,
    rejects: [
      [4, "CONTROL_CHARACTER"],
      [7, "INVALID_DATE"],
    ],
    messages: { 4: /Name holds a control character \(U\+000D\)/, 7: /CloseDate "2027-02-30" is not a date/ },
    read: 5,
    held: ["OPP-1|Deal 1, renewal", ...deals(3, 5)],
  },
  "ragged_rows.csv": {
    exit: 0,
    rejects: [
      [3, "CSV_FIELD_COUNT"],
      [4, "CSV_FIELD_COUNT"],
      [5, "REQUIRED_FIELD_EMPTY"],
      [7, "REQUIRED_FIELD_EMPTY"],
    ],
    messages: {
      3: /the record has 5 fields, the header has 6, and it ends before the mapped column "Account Name"$/,
      4: /the record has 7 fields, the header has 6$/,
      5: /OpportunityID is empty$/,
      7: /Name is empty$/,
    },
    read: 8,
    held: deals(1, 5, 8, 9),
  },
  "nul_bytes.csv": {
    exit: 0,
    rejects: [
      [3, "CONTROL_CHARACTER"],
      [4, "INVALID_NUMBER"],
      [5, "CSV_FIELD_COUNT"],
      [6, "CONTROL_CHARACTER"],
    ],
    messages: {
      3: /Name holds a control character \(U\+0000\) at character 5$/,
      4: /Amount "30\\u000000" is not a number/,
      6: /OpportunityID holds a control character \(U\+0000\) at character 5$/,
    },
    read: 6,
    held: deals(1, 6),
  },
  "unterminated_quote.csv": {
    exit: 0,
    rejects: [[4, "CSV_UNTERMINATED_QUOTE"]],
    messages: { 4: /a quoted field opened on line 4 is not closed before the end of the input/ },
    read: 3,
    held: deals(1, 2),
  },
  "huge_field.csv": {
    exit: 0,
    rejects: [
      [3, "CSV_RECORD_TOO_LARGE"],
      [9, "INVALID_NUMBER"],
    ],
    messages: { 3: /field 2 makes the record longer than 1048576 bytes \(maxRecordLength\)$/ },
    read: 4,
    held: ["OPP-1|Before", "OPP-3|After"],
  },
};

describe("eloqua-bulk import opportunities of hostile input", { timeout: 2 * WATCHDOG_MS }, () => {
  let server: EmulatorServer;
  beforeAll(async () => {
    server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
  });
  afterAll(() => server.close());

  /** Imports the file into the emulator with a report and a rejects file; the emulator starts empty. */
  async function importOpportunities(name: HostileOpportunityFile, notices: readonly RegExp[] = []) {
    server.emulator.reset();
    const path = await writeHostileOpportunities(dir, name);
    const report = join(dir, `opportunities-${name}.report.json`);
    const rejects = join(dir, `opportunities-${name}.rejects.csv`);
    const { site, user, password } = server.emulator.credentials;
    const run = await cli(
      ["import", "opportunities", path, "--base-url", server.url, "--site", site, "--user", user].concat([
        "--password",
        password,
        "--quiet",
        "--report",
        report,
        "--rejects",
        rejects,
      ]),
    );
    rmSync(path, { force: true });
    expectSane(run, notices);
    const written = existsSync(rejects) ? readRejects(rejects, OPPORTUNITY_FIELDS) : [];
    summary.push({
      fixture: `opportunities ${name}`,
      run: "real",
      exit: run.code,
      rejects: written.length,
      rssMB: Math.round((run.peakRss ?? 0) / 1e6),
      s: Math.round(run.ms / 100) / 10,
    });
    const held = server.emulator.records();
    const stats = server.emulator.stats;
    return { run, report, written, held, stats };
  }

  /** Nothing was sent: no definition, no data. */
  function expectNothingSent(stats: EmulatorServer["emulator"]["stats"]): void {
    expect(stats.requestsByRoute["definition.create"] ?? 0).toBe(0);
    expect(stats.requestsByRoute["data.post"] ?? 0).toBe(0);
  }

  it.each(
    Object.entries(OPPORTUNITY_CASES) as [Exclude<HostileOpportunityFile, "utf16le.csv">, RecordsExpected][],
  )("should survive %s, and Eloqua hold exactly its good opportunities", async (name, expected) => {
    const { run, report, written, held, stats } = await importOpportunities(name);
    expect(run.code, run.stderr).toBe(expected.exit);
    if (expected.exit === 2) {
      expect(run.stderr).toMatch(expected.error!);
      expect(written).toEqual([]);
      expect(existsSync(report)).toBe(false);
      expectNothingSent(stats);
      return;
    }
    expect(written.map((r) => [r.line, r.code])).toEqual(expected.rejects);
    for (const reject of written) {
      expect(reject.message.startsWith(`${name} line ${reject.line}: `), reject.message).toBe(true);
      const fragment = expected.messages?.[reject.line];
      if (fragment !== undefined) expect(reject.message).toMatch(fragment);
    }
    const parsed = readReport(report);
    expect(parsed.ok).toBe(true);
    const { read, invalid, duplicate, staged, notSent, rejectedByEloqua } = parsed.rows;
    expect(read).toBe(expected.read);
    expect(read).toBe(invalid + duplicate + staged + notSent);
    expect(invalid).toBe(expected.rejects!.length);
    expect(duplicate).toBe(0);
    expect(staged).toBe(expected.held!.length);
    expect(notSent).toBe(0);
    expect(rejectedByEloqua).toBe(0);
    expect(parsed.syncs.every((s) => s.status === "success")).toBe(true);
    // What Eloqua holds: the good opportunities, each once, with their own values; nothing else.
    expect(held.filter((r) => r.state !== "synced")).toEqual([]);
    expect(held.map((r) => `${r.row.OpportunityID}|${r.row.Name}`).sort()).toEqual(
      [...expected.held!].sort(),
    );
  });

  // UTF-16 with its byte order mark: refused as a header that cannot be read (exit 2, nothing sent), or
  // read as UTF-16, then its two rows held as they are: never rows of UTF-16 bytes taken for UTF-8.
  it("should refuse utf16le.csv, or read it as UTF-16, and never import its bytes as UTF-8", async () => {
    const { run, report, held, stats } = await importOpportunities("utf16le.csv", [
      /^Reading utf16le\.csv as utf-16le text\.$/,
    ]);
    if (run.code === 2) {
      expect(run.stderr).toMatch(NO_HEADER("utf16le.csv"));
      expectNothingSent(stats);
      return;
    }
    expect(run.code, run.stderr).toBe(0);
    expect(readReport(report).rows).toMatchObject({ read: 2, invalid: 0, staged: 2, notSent: 0 });
    expect(held.map((r) => [r.state, r.row.OpportunityID, r.row.Name, r.row.Amount])).toEqual([
      ["synced", "OPP-1", "Deal 1", "1000"],
      ["synced", "OPP-2", "Deal 2", "2000"],
    ]);
  });
});

/** What a contact or account file of ./_hostile_records.ts must give. */
interface KindExpected extends RecordsExpected {
  /** The field columns of the rejects file: the fields the file's columns fill. */
  fields: readonly string[];
  /** For exit 0: rows left out as duplicates of a later valid row (not in the rejects file). */
  duplicate?: number;
  /** For exit 0: the records Eloqua holds in the end, their values by `fields`, in any order. */
  records?: (readonly string[])[];
}

const CONTACT_FIELDS = ["C_EmailAddress", "C_FirstName", "C_LastName", "C_Company"];
const ACCOUNT_FIELDS = ["M_CompanyName", "M_SFDCAccountID", "M_Country", "M_City"];
const contact = (i: number) => [`user${i}@example.com`, `First${i}`, `Last${i}`, "Acme"];
const account = (i: number) => [`Company ${i}`, `001-${i}`, "France", "Paris"];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const binaryRejects = range(RECORD_BINARY_LINES.first, RECORD_BINARY_LINES.last).map(
  (line): [number, string] => [line, "CSV_INVALID_UTF8"],
);
const notAnEmail = (value: string) =>
  new RegExp(`C_EmailAddress "${value.replaceAll('"', '\\\\"')}" is not a valid e-mail address$`);
const tooLong = (field: string, length: number, most: number) =>
  new RegExp(`${field} has ${length} characters, more than the ${most} allowed$`);

const CONTACT_CASES: Record<HostileContactFile, KindExpected> = {
  "bad_emails.csv": {
    fields: CONTACT_FIELDS,
    exit: 0,
    rejects: [3, 4, 5, 7, 8, 9, 10].map((line): [number, string] => [line, "INVALID_EMAIL"]),
    messages: {
      3: notAnEmail("no-at-sign.example.com"),
      5: notAnEmail("dee@example..com"),
      8: notAnEmail("güs@example.com"),
      9: notAnEmail('"Hal" <hal@example.com>'),
    },
    read: 10,
    records: [
      ["ann@example.com", "Ann", "A", "Acme"],
      ["eve@example.com", "Eve", "E", "Acme"],
      ["JOE@EXAMPLE.COM", "Joe", "J", "Acme"],
    ],
  },
  "overlong.csv": {
    fields: CONTACT_FIELDS,
    exit: 0,
    rejects: [
      [3, "FIELD_TOO_LONG"],
      [4, "FIELD_TOO_LONG"],
    ],
    messages: { 3: tooLong("C_EmailAddress", 255, 254), 4: tooLong("C_FirstName", 32_001, 32_000) },
    read: 6,
    records: [
      contact(1),
      [`${"x".repeat(242)}@example.com`, "Longest", "Address", "Acme"],
      ["user5@example.com", "First5", "n".repeat(32_000), "Acme"],
      contact(6),
    ],
  },
  "binary_rows.csv": {
    fields: CONTACT_FIELDS,
    exit: 0,
    rejects: binaryRejects,
    read: 22,
    records: range(1, 10).map(contact),
  },
  // The last valid row of each address, compared without case: line 5 for ann, line 7 for bob.
  "repeated.csv": {
    fields: CONTACT_FIELDS,
    exit: 0,
    rejects: [[6, "CONTROL_CHARACTER"]],
    messages: { 6: /C_FirstName holds a control character \(U\+0009\) at character 2$/ },
    read: 6,
    duplicate: 3,
    records: [
      ["Ann@Example.com", "Ann", "Third", "Globex"],
      ["Bob@Example.COM", "Bob", "Second", "Initech"],
    ],
  },
  // No field of a contact is required, so the file is imported; without the identifier, rows are deduped
  // on all their values (README "Dedupe on the identifier"): the last of lines 2 and 4 is held.
  "no_email_column.csv": {
    fields: ["C_FirstName", "C_LastName", "C_Company"],
    exit: 0,
    rejects: [],
    read: 3,
    duplicate: 1,
    records: [
      ["Bob", "B", "Acme"],
      ["ANN", "a", "ACME"],
    ],
  },
};

const ACCOUNT_CASES: Record<HostileAccountFile, KindExpected> = {
  "overlong.csv": {
    fields: ACCOUNT_FIELDS,
    exit: 0,
    rejects: [
      [3, "FIELD_TOO_LONG"],
      [4, "FIELD_TOO_LONG"],
    ],
    messages: { 3: tooLong("M_CompanyName", 32_001, 32_000), 4: tooLong("M_City", 32_001, 32_000) },
    read: 5,
    records: [account(1), ["C".repeat(32_000), "001-4", "France", "Paris"], account(5)],
  },
  "binary_rows.csv": {
    fields: ACCOUNT_FIELDS,
    exit: 0,
    rejects: binaryRejects,
    read: 22,
    records: range(1, 10).map(account),
  },
  // The last valid row of each company name, compared without case and trimmed: lines 5 and 7.
  "repeated.csv": {
    fields: ACCOUNT_FIELDS,
    exit: 0,
    rejects: [[6, "CONTROL_CHARACTER"]],
    messages: { 6: /M_City holds a control character \(U\+0000\) at character 3$/ },
    read: 6,
    duplicate: 3,
    records: [
      ["acme", "001-1", "France", "Nice"],
      ["globex", "001-2", "Deutschland", "Bonn"],
    ],
  },
  "bad_values.csv": {
    fields: ACCOUNT_FIELDS,
    exit: 0,
    rejects: [
      [3, "REQUIRED_FIELD_EMPTY"],
      [4, "REQUIRED_FIELD_EMPTY"],
      [5, "CONTROL_CHARACTER"],
      [6, "CSV_FIELD_COUNT"],
    ],
    messages: {
      3: /M_CompanyName is empty$/,
      4: /M_CompanyName is empty$/,
      5: /M_Country holds a control character \(U\+0007\) at character 3$/,
      6: /the record has 3 fields, the header has 4, and it ends before the mapped column "City"$/,
    },
    read: 6,
    records: [account(1), account(6)],
  },
  // The company name is required: a usage error naming it and what the file has, nothing sent.
  "no_company_column.csv": {
    fields: ACCOUNT_FIELDS,
    exit: 2,
    error:
      /^eloqua-bulk: the account import needs "Company Name" \(\{\{Account\.Field\(M_CompanyName\)\}\}\), and no column fills it \(the file has: "SFDC Account ID", "Country", "City"\); name the column with --map "Column=Company Name"\.$/m,
  },
};

for (const { kind, cases } of [
  { kind: "contacts" as const, cases: CONTACT_CASES as Record<string, KindExpected> },
  { kind: "accounts" as const, cases: ACCOUNT_CASES as Record<string, KindExpected> },
]) {
  describe(`eloqua-bulk import ${kind} of hostile input`, { timeout: 2 * WATCHDOG_MS }, () => {
    let server: EmulatorServer;
    beforeAll(async () => {
      server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
    });
    afterAll(() => server.close());

    it.each(Object.entries(cases))(
      `should survive %s, and Eloqua hold exactly its good ${kind}`,
      async (name, expected) => {
        server.emulator.reset();
        const path = await writeHostileRecords(dir, kind, name);
        const report = join(dir, `${kind}-${name}.report.json`);
        const rejects = join(dir, `${kind}-${name}.rejects.csv`);
        const { site, user, password } = server.emulator.credentials;
        const run = await cli(
          ["import", kind, path, "--base-url", server.url, "--site", site, "--user", user].concat([
            "--password",
            password,
            "--quiet",
            "--report",
            report,
            "--rejects",
            rejects,
          ]),
        );
        rmSync(path, { force: true });
        expectSane(run);
        const written = existsSync(rejects) ? readRejects(rejects, expected.fields) : [];
        summary.push({
          fixture: `${kind} ${name}`,
          run: "real",
          exit: run.code,
          rejects: written.length,
          rssMB: Math.round((run.peakRss ?? 0) / 1e6),
          s: Math.round(run.ms / 100) / 10,
        });
        const stats = server.emulator.stats;
        expect(run.code, run.stderr).toBe(expected.exit);
        if (expected.exit === 2) {
          expect(run.stderr).toMatch(expected.error!);
          expect(written).toEqual([]);
          expect(existsSync(report)).toBe(false);
          expect(stats.requestsByRoute["definition.create"] ?? 0).toBe(0);
          expect(stats.requestsByRoute["data.post"] ?? 0).toBe(0);
          return;
        }
        expect(written.map((r) => [r.line, r.code])).toEqual(expected.rejects);
        for (const reject of written) {
          expect(reject.message.startsWith(`${kind}-${name} line ${reject.line}: `), reject.message).toBe(
            true,
          );
          const fragment = expected.messages?.[reject.line];
          if (fragment !== undefined) expect(reject.message).toMatch(fragment);
        }
        const parsed = readReport(report);
        expect(parsed.ok).toBe(true);
        const { read, invalid, duplicate, staged, notSent, rejectedByEloqua } = parsed.rows;
        expect(read).toBe(expected.read);
        expect(read).toBe(invalid + duplicate + staged + notSent);
        expect(invalid).toBe(expected.rejects!.length);
        expect(duplicate).toBe(expected.duplicate ?? 0);
        expect(staged).toBe(expected.records!.length);
        expect(notSent).toBe(0);
        expect(rejectedByEloqua).toBe(0);
        expect(parsed.syncs.every((s) => s.status === "success")).toBe(true);
        // What Eloqua holds: the good records, each once, with their own values (the last valid row of a
        // repeated identifier's); nothing else, and no field the file has no column for.
        const held = server.emulator.records();
        expect(held.filter((r) => r.state !== "synced")).toEqual([]);
        for (const record of held)
          expect(Object.keys(record.row).sort()).toEqual([...expected.fields].sort());
        const values = (row: readonly string[]) => JSON.stringify(row);
        expect(held.map((r) => values(expected.fields.map((f) => r.row[f] ?? ""))).sort()).toEqual(
          expected.records!.map(values).sort(),
        );
      },
    );
  });
}
