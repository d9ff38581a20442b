import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EloquaHttpError, EloquaNetworkError } from "../../lib/client/errors.ts";
import type { RetryEvent } from "../../lib/client/http.ts";
import { CsvParser } from "../../lib/csv/csv_parser.ts";
import type { ImportProgress, ImportReport } from "../../lib/import/report.ts";
import type { CliIo } from "../../lib/node/cli/cli_io.ts";
import { ProgressReporter } from "../../lib/node/cli/progress.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { bin, cli, env, type Run, root } from "./_cli.ts";

const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;

const SITE = "TestSite";
const USER = "test.user";
const PASSWORD = "pw-Zq8-never-print-7731";
const TOKEN = "tok-Vx9-never-print-2245";
const WRONG_PASSWORD = "pw-wrong-never-print-5519";
const WRONG_TOKEN = "tok-wrong-never-print-6604";
const BASIC_B64 = Buffer.from(`${SITE}\\${USER}:${PASSWORD}`).toString("base64");

let dir: string;
let csvPath: string;
/** The rows of the generated CSV that are valid and first of their key: what Eloqua should get. */
let expectedRows: string[];

/**
 * A small linkage CSV: 41 valid unique rows (one with a quoted comma), 3 invalid (bad e-mail, empty
 * e-mail, empty id) and 3 duplicates (same key in other case or with spaces).
 */
function linkageCsv(): { text: string; valid: string[] } {
  const lines = ["OpportunityID,EmailAddress"];
  const valid: string[] = [];
  for (let i = 0; i < 40; i++) {
    lines.push(`OPP-${i % 10},user${i}@example.com`);
    valid.push(`OPP-${i % 10}|user${i}@example.com`);
  }
  lines.push('"OPP-9, EMEA",quoted@example.com');
  valid.push("OPP-9, EMEA|quoted@example.com");
  lines.push("OPP-1,not-an-email", "OPP-2,", ",nobody@example.com");
  lines.push("OPP-0,USER0@example.com", "opp-1,user1@example.com", "OPP-2, user2@example.com ");
  return { text: `${lines.join("\n")}\n`, valid };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-bulk-cli-"));
  const { text, valid } = linkageCsv();
  csvPath = join(dir, "links.csv");
  writeFileSync(csvPath, text);
  expectedRows = valid.sort();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readReport(path: string): ImportReport {
  return JSON.parse(readFileSync(path, "utf8")) as ImportReport;
}

function expectRowIdentity(report: ImportReport): void {
  const { read, invalid, duplicate, staged, notSent } = report.rows;
  expect(read).toBe(invalid + duplicate + staged + notSent);
}

function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const parser = new CsvParser();
  const handler = { record: () => records.push(parser.fields()), malformed: () => {} };
  parser.push(text, handler);
  parser.end(handler);
  return records;
}

// Each run spawns a Node process (~1 s with tsx): generous timeouts for a busy 2-core CI machine.
describe("eloqua-bulk (the CLI, spawned)", { timeout: 90_000 }, () => {
  it("should print the help with exit code 0, naming the environment variables", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("eloqua-bulk import [kind] <file.csv | ->");
    expect(run.stdout).toContain("eloqua-bulk emulator");
    for (const name of [
      "--base-url",
      "--dry-run",
      "--rejects",
      "--files-per-sync",
      "ELOQUA_PASSWORD",
      "ELOQUA_TOKEN",
      "--transport",
      "ELOQUA_TRANSPORT",
    ]) {
      expect(run.stdout).toContain(name);
    }
    expect(run.stderr).toBe("");
  });

  it("should print the package version with --version", async () => {
    const run = await cli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it("should exit 2 on an unknown flag, naming it", async () => {
    const run = await cli(["import", csvPath, "--frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option --frobnicate");
    expect(run.stderr).not.toContain("    at ");
  });

  it("should exit 2 without a command or without a file", async () => {
    expect((await cli([])).code).toBe(2);
    const run = await cli(["import"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Missing the input");
  });

  it.each([
    [["--concurrency", "0"], /--concurrency must be an integer from 1 to 64: got "0"/],
    [["--concurrency", "four"], /--concurrency must be an integer from 1 to 64: got "four"/],
    [["--max-batch-bytes", "40000000"], /--max-batch-bytes must be .* to 32,000,000: got "40000000"/],
    [["--files-per-sync", "501"], /--files-per-sync must be an integer from 1 to 500: got "501"/],
    [["--concurrency"], /--concurrency needs a value/],
  ])("should exit 2 on a bad number %j, naming the flag and the value", async (flags, message) => {
    const run = await cli(["import", csvPath, "--dry-run", ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("should exit 2 on an unknown transport, from the flag or the environment", async () => {
    const run = await cli(["import", csvPath, "--dry-run", "--transport", "curl"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--transport must be node-http or fetch: got "curl"');
    const fromEnv = await cli(["import", csvPath, "--dry-run"], { env: { ELOQUA_TRANSPORT: "http2" } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('ELOQUA_TRANSPORT must be node-http or fetch: got "http2"');
  });

  it("should exit 2 for a missing file, naming it", async () => {
    const missing = join(dir, "no-such-file.csv");
    const run = await cli(["import", missing, "--dry-run"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
    expect(run.stderr).toContain("no such file");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("should exit 2 for a directory", async () => {
    const run = await cli(["import", dir, "--dry-run"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a directory");
  });

  it("should exit 2 for a missing column, naming it, and send nothing", async () => {
    const path = join(dir, "wrong-header.csv");
    writeFileSync(path, "Opportunity,Mail\nOPP-1,a@example.com\n");
    const run = await cli(["import", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/required column "OpportunityID" is missing/);
    expect(run.stderr).not.toContain("    at ");
  });

  it("should exit 2 for partial credentials, and for plain http to another host", async () => {
    const partial = await cli(["import", csvPath], { env: { ELOQUA_SITE: SITE, ELOQUA_USER: USER } });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain("ELOQUA_PASSWORD is missing");
    const insecure = await cli([
      "import",
      csvPath,
      "--base-url",
      "http://eloqua.example.com",
      "--token",
      TOKEN,
    ]);
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toContain("--allow-insecure-http");
  });

  it("should dry-run: print the summary, write the report and the rejects, send nothing", async () => {
    const report = join(dir, "dry-report.json");
    const rejects = join(dir, "dry-rejects.csv");
    const run = await cli(["import", csvPath, "--dry-run", "--report", report, "--rejects", rejects]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("dry run: nothing was sent");
    expect(run.stdout).toMatch(/rows read\s+47\n/);
    expect(run.stdout).toMatch(/invalid\s+3\n/);
    expect(run.stdout).toMatch(/duplicate\s+3\n/);
    const parsed = readReport(report);
    expect(parsed.ok).toBe(true);
    expect(parsed.definitionUri).toBeNull();
    expect(parsed.rows).toMatchObject({ read: 47, invalid: 3, duplicate: 3 });
    expectRowIdentity(parsed);
    const records = parseCsv(readFileSync(rejects, "utf8"));
    expect(records[0]).toEqual([
      "line",
      "OpportunityID",
      "EmailAddress",
      "code",
      "stage",
      "message",
      "other",
    ]);
    expect(
      records
        .slice(1)
        .map((r) => r[3])
        .sort(),
    ).toEqual(["INVALID_EMAIL", "REQUIRED_FIELD_EMPTY", "REQUIRED_FIELD_EMPTY"]);
  });

  it("should read stdin for -, and map source columns with --opportunity-column and --email-column", async () => {
    const input = "opp,Mail\nA,a@example.com\nB,b@example.com\nB,B@EXAMPLE.COM\n";
    const report = join(dir, "stdin-report.json");
    const run = await cli(
      [
        "import",
        "-",
        "--dry-run",
        "--opportunity-column",
        "OPP",
        "--email-column",
        "mail",
        "--report",
        report,
      ],
      { input },
    );
    expect(run.code).toBe(0);
    expect(readReport(report).rows).toMatchObject({ read: 3, invalid: 0, duplicate: 1 });
    expect(run.stdout).toContain("stdin");
  });

  it("should run against the built-in emulator when given no credentials and no --base-url", async () => {
    const report = join(dir, "embedded-report.json");
    const run = await cli(["import", csvPath, "--report", report]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^No credentials and no --base-url: importing into the built-in Eloqua emulator at http:\/\/127\.0\.0\.1:\d+/m,
    );
    expect(run.stdout).toMatch(/staged\s+41\n/);
    const parsed = readReport(report);
    expect(parsed.ok).toBe(true);
    expect(parsed.rows).toMatchObject({ read: 47, invalid: 3, duplicate: 3, staged: 41, notSent: 0 });
    expect(parsed.definitionUri).toMatch(/^\/opportunities\/contacts\/imports\/\d+$/);
    expect(parsed.syncs.length).toBeGreaterThan(0);
    expectRowIdentity(parsed);
  });

  it("should import examples/data/linkages.csv as npm start does: 200 rows, 5 invalid, 6 duplicates", async () => {
    const report = join(dir, "example-report.json");
    const run = await cli(["import", "examples/data/linkages.csv", "--report", report]);
    expect(run.code).toBe(0);
    expect(readReport(report).rows).toEqual({
      read: 200,
      invalid: 5,
      duplicate: 6,
      staged: 189,
      notSent: 0,
      rejectedByEloqua: 0,
    });
  });

  it("should say it runs against the emulator even with --quiet", async () => {
    const run = await cli(["import", csvPath, "--quiet"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("built-in Eloqua emulator");
  });

  describe("against a separately started emulator", () => {
    let server: EmulatorServer;
    beforeAll(async () => {
      server = await startEmulatorServer({
        credentials: { site: SITE, user: USER, password: PASSWORD, token: TOKEN },
      });
    });
    afterAll(() => server.close());

    /** Every output of each run, and of the files written, to search for secrets. */
    const outputs: string[] = [];
    const record = (run: Run): Run => {
      outputs.push(run.stdout, run.stderr);
      return run;
    };

    it("should stage exactly the valid unique rows, with Basic auth from flags", async () => {
      server.emulator.reset();
      const report = join(dir, "remote-report.json");
      const rejects = join(dir, "remote-rejects.csv");
      const run = record(
        await cli([
          "import",
          csvPath,
          "--base-url",
          server.url,
          "--site",
          SITE,
          "--user",
          USER,
          "--password",
          PASSWORD,
          "--report",
          report,
          "--rejects",
          rejects,
          "--include-duplicates",
          "--debug",
        ]),
      );
      outputs.push(readFileSync(report, "utf8"), readFileSync(rejects, "utf8"));
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("transport node-http"); // the default
      const staged = server.emulator.records().map((r) => `${r.row.OpportunityID}|${r.row.EmailAddress}`);
      expect(staged.sort()).toEqual(expectedRows);
      const parsed = readReport(report);
      expect(parsed.rows).toMatchObject({ read: 47, staged: 41, notSent: 0 });
      expect(
        parseCsv(readFileSync(rejects, "utf8"))
          .slice(1)
          .filter((r) => r[3] === "DUPLICATE"),
      ).toHaveLength(3);
    });

    it("should stage with a bearer token from the environment, through fetch when ELOQUA_TRANSPORT says so", async () => {
      server.emulator.reset();
      const run = record(
        await cli(["import", csvPath, "--base-url", server.url, "--debug"], {
          env: { ELOQUA_TOKEN: TOKEN, ELOQUA_TRANSPORT: "fetch" },
        }),
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("transport fetch");
      expect(server.emulator.records()).toHaveLength(41);
    });

    it("should pass --max-batch-bytes, --files-per-sync and --concurrency on to the import", async () => {
      server.emulator.reset();
      const report = join(dir, "small-batches.json");
      const run = record(
        await cli(
          [
            "import",
            csvPath,
            "--base-url",
            server.url,
            "--max-batch-bytes",
            "1,000",
            "--files-per-sync",
            "2",
            "--concurrency",
            "1",
            "--report",
            report,
          ],
          { env: { ELOQUA_SITE: SITE, ELOQUA_USER: USER, ELOQUA_PASSWORD: PASSWORD } },
        ),
      );
      expect(run.code).toBe(0);
      const parsed = readReport(report);
      expect(parsed.requests.dataPosts).toBeGreaterThanOrEqual(3);
      expect(server.emulator.stats.bodyBytes.max).toBeLessThanOrEqual(1000);
      expect(server.emulator.stats.maxFilesPerSync).toBeLessThanOrEqual(2);
      expect(server.emulator.stats.maxInFlight).toBe(1);
      expect(parsed.syncs.length).toBeGreaterThanOrEqual(2);
      expect(server.emulator.records()).toHaveLength(41);
    });

    it("should stage into the definition given with --import-uri", async () => {
      server.emulator.reset();
      const first = join(dir, "first.json");
      const second = join(dir, "second.json");
      const auth = ["--base-url", server.url, "--token", TOKEN];
      expect(record(await cli(["import", csvPath, ...auth, "--report", first])).code).toBe(0);
      const uri = readReport(first).definitionUri!;
      expect(
        record(await cli(["import", csvPath, ...auth, "--import-uri", uri, "--report", second])).code,
      ).toBe(0);
      expect(readReport(second).definitionUri).toBe(uri);
      expect(new Set(server.emulator.records().map((r) => r.definitionUri))).toEqual(new Set([uri]));
    });

    it("should exit 1 with one clear sentence when Eloqua refuses the credentials", async () => {
      const basic = record(
        await cli([
          "import",
          csvPath,
          "--base-url",
          server.url,
          "--site",
          SITE,
          "--user",
          USER,
          "--password",
          WRONG_PASSWORD,
        ]),
      );
      expect(basic.code).toBe(1);
      expect(basic.stderr).toMatch(/did not accept the credentials/);
      expect(basic.stderr).not.toContain("    at ");
      const bearer = record(
        await cli(["import", csvPath, "--base-url", server.url, "--debug"], {
          env: { ELOQUA_TOKEN: WRONG_TOKEN },
        }),
      );
      expect(bearer.code).toBe(1);
      expect(bearer.stderr).toMatch(/did not accept the access token/);
    });

    it("should never print a password or a token: not in output, errors, report or rejects file", async () => {
      record(await cli(["import", csvPath, "--password", PASSWORD, "--concurrency", "0"]));
      record(await cli(["import", csvPath, "--password", PASSWORD, "--token", TOKEN]));
      record(await cli(["import", csvPath, "--password", PASSWORD]));
      record(await cli(["import", csvPath, "--password", `-${PASSWORD}`]));
      record(await cli(["--help"], { env: { ELOQUA_PASSWORD: PASSWORD, ELOQUA_TOKEN: TOKEN } }));
      const report = join(dir, "failed-report.json");
      record(
        await cli(["import", csvPath, "--base-url", server.url, "--report", report, "--debug"], {
          env: { ELOQUA_SITE: SITE, ELOQUA_USER: USER, ELOQUA_PASSWORD: WRONG_PASSWORD },
        }),
      );
      outputs.push(readFileSync(report, "utf8"));
      expect(outputs.length).toBeGreaterThan(15);
      const all = outputs.join("\n");
      for (const secret of [PASSWORD, TOKEN, WRONG_PASSWORD, WRONG_TOKEN, BASIC_B64]) {
        expect(all).not.toContain(secret);
      }
    });
  });

  it("should run the emulator command: its first line gives the URL, and it stops on SIGINT", async () => {
    const child = spawn(process.execPath, [bin, "emulator", "--port", "0"], { cwd: root, env: env() });
    let stdout = "";
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (text: string) => {
        stdout += text;
        const end = stdout.indexOf("\n");
        if (end !== -1) resolve(stdout.slice(0, end));
      });
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`the emulator exited early with ${code}`)));
    });
    const match = /^Eloqua emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(firstLine);
    expect(match).not.toBeNull();
    const response = await fetch(`${match![1]}/id`, { headers: { authorization: "Bearer emulator-token" } });
    expect(response.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stdout).toContain("emulator-password");
  });
});

describe("ProgressReporter", () => {
  const snapshot = (read: number, elapsedMs: number): ImportProgress => ({
    bytesRead: 0,
    rows: { read, invalid: 0, duplicate: 0, staged: read - 10, notSent: 10, rejectedByEloqua: 0 },
    dataPosts: 2,
    inFlight: 1,
    retries: 0,
    syncs: 0,
    elapsedMs,
  });
  const sink = (isTTY: boolean): CliIo & { text: () => string } => {
    let text = "";
    const write = (t: string) => {
      text += t;
    };
    return { stdout: { write }, stderr: { write, isTTY, columns: 100 }, env: {}, text: () => text };
  };

  it("should draw one bar in place on a terminal, with percent, MB/s and ETA", () => {
    const io = sink(true);
    let bytes = 25_000_000;
    const progress = new ProgressReporter(io, { mode: "tty", size: 100_000_000, bytesRead: () => bytes });
    progress.update(snapshot(1000, 1000));
    bytes = 50_000_000;
    progress.update(snapshot(2000, 2000));
    progress.clear();
    const frames = io.text().split("\r\x1b[2K");
    expect(frames[1]).toBe(
      "[#####---------------]  25%  1,000 rows  25.0/100.0 MB  25.0 MB/s  staged 990  ETA 0:03",
    );
    expect(frames[2]).toBe(
      "[##########----------]  50%  2,000 rows  50.0/100.0 MB  25.0 MB/s  staged 1,990  ETA 0:02",
    );
    expect(io.text()).not.toContain("\n");
  });

  it("should write plain lines at most every few seconds when not on a terminal", () => {
    const io = sink(false);
    let now = 0;
    const progress = new ProgressReporter(io, {
      mode: "plain",
      size: undefined,
      bytesRead: () => 1_000_000,
      plainIntervalMs: 5000,
      now: () => now,
    });
    for (now = 1000; now <= 12_000; now += 1000) progress.update(snapshot(100, now));
    const lines = io.text().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^progress: 1\.0 MB read, .* 100 rows read, 90 staged, 2 data POSTs, 0 syncs$/);
  });

  it("should show nothing with mode off", () => {
    const io = sink(true);
    const progress = new ProgressReporter(io, { mode: "off", size: 10, bytesRead: () => 5 });
    progress.update(snapshot(1, 1));
    progress.clear();
    expect(io.text()).toBe("");
  });

  it("should show rows and MB/s without a percentage or an ETA when the size is unknown (stdin)", () => {
    const progress = new ProgressReporter(sink(true), {
      mode: "tty",
      size: undefined,
      bytesRead: () => 2_000_000,
    });
    expect(progress.barLine(snapshot(1000, 1000))).toBe("1,000 rows  2.0 MB  2.0 MB/s  staged 990");
    expect(progress.plainLine(snapshot(1000, 1000))).toMatch(
      /^progress: 2\.0 MB read, 2\.0 MB\/s, 1,000 rows read,/,
    );
    expect(progress.plainLine(snapshot(1000, 1000))).not.toMatch(/%|ETA/);
  });

  it("should say which sync it waits for and how many rows Eloqua is processing, first, without an ETA", () => {
    const progress = new ProgressReporter(sink(true), {
      mode: "tty",
      size: 100_000_000,
      bytesRead: () => 50_000_000,
    });
    const waiting = { ...snapshot(2000, 2000), sync: { uri: "/syncs/12", rows: 1_234_567 } };
    expect(progress.barLine(waiting)).toBe(
      "[##########----------]  50%  syncing /syncs/12 (Eloqua is processing 1.2 M rows)  2,000 rows  50.0/100.0 MB  25.0 MB/s  staged 1,990",
    );
    expect(progress.plainLine(waiting)).toMatch(
      /; syncing \/syncs\/12 \(Eloqua is processing 1\.2 M rows\)$/,
    );
    const small = { ...snapshot(2000, 2000), sync: { uri: "/syncs/3", rows: 950 } };
    expect(progress.barLine(small)).toContain("  syncing /syncs/3 (Eloqua is processing 950 rows)  ");
    expect(progress.barLine(snapshot(2000, 2000))).not.toContain("syncing");
  });

  describe("retries", () => {
    const url = "https://secure.p03.eloqua.com/api/bulk/2.0/opportunities/contacts/imports/7/data";
    const retry = (error: Error, attempt: number, delayMs: number): RetryEvent => ({
      attempt,
      delayMs,
      error,
      method: "POST",
      path: new URL(url).pathname,
      host: "secure.p03.eloqua.com",
      url,
      maxAttempts: 6,
      operation: "data",
    });
    const status503 = new EloquaHttpError({
      status: 503,
      method: "POST",
      path: new URL(url).pathname,
      operation: "data",
      attempts: 2,
    });
    const refused = new EloquaNetworkError({
      method: "POST",
      path: new URL(url).pathname,
      host: "secure.p03.eloqua.com",
      attempts: 1,
      cause: new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      }),
    });

    it("should say it waits for Eloqua while a retry's delay lasts, and print one line per retry on a terminal", () => {
      const io = sink(true);
      let now = 0;
      const progress = new ProgressReporter(io, {
        mode: "tty",
        size: 100_000_000,
        bytesRead: () => 50_000_000,
        now: () => now,
      });
      progress.retrying(retry(status503, 2, 1500));
      expect(io.text()).toBe(`retrying POST ${url}: HTTP 503 (attempt 3 of 6, next in 1.5 s)\n`);
      expect(progress.barLine(snapshot(2000, 2000))).toBe(
        "[##########----------]  50%  waiting for Eloqua (retrying 503, attempt 3)  2,000 rows  50.0/100.0 MB  25.0 MB/s  staged 1,990",
      );
      now = 1500;
      expect(progress.barLine(snapshot(2000, 2000))).not.toContain("waiting");
      progress.retrying(retry(refused, 1, 1234));
      expect(io.text()).toContain(
        `retrying POST ${url}: connection refused (attempt 2 of 6, next in 1.2 s)\n`,
      );
      expect(progress.barLine(snapshot(2000, 2000))).toContain(
        "waiting for Eloqua (retrying connection refused, attempt 2)",
      );
    });

    it("should print no retry line when stderr is not a terminal or with --quiet, but say so in the plain line", () => {
      for (const mode of ["plain", "off"] as const) {
        const io = sink(false);
        const progress = new ProgressReporter(io, {
          mode,
          size: undefined,
          bytesRead: () => 1,
          now: () => 0,
        });
        progress.retrying(retry(status503, 2, 1500));
        expect(io.text(), mode).toBe("");
        expect(progress.plainLine(snapshot(10, 10))).toMatch(
          /; waiting for Eloqua \(retrying 503, attempt 3\)$/,
        );
      }
    });

    it("should print the error's whole message with --debug, wherever stderr goes", () => {
      const io = sink(false);
      const progress = new ProgressReporter(io, { mode: "plain", size: undefined, bytesRead: () => 1 });
      progress.retrying(retry(status503, 2, 1500), true);
      expect(io.text()).toMatch(
        /^retry: POST \/api\/bulk\/2\.0\/.*\/data attempt 2 failed \(POST .* failed with HTTP 503 after 2 attempts.*\); next in /,
      );
    });
  });
});
