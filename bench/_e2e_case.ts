/**
 * One process of the end-to-end benchmark (`e2e.bench.ts`), in one of two roles:
 *
 * - `--role emulator`: serves the emulator in count-only mode on 127.0.0.1 and prints
 *   `{"url": …}`; on SIGTERM it prints its stats, the CPU it used since it was ready and its peak RSS as
 *   one JSON line, then exits.
 * - `--role import --case ours|ours-1thread|naive --url <emulator> --file <csv>`: runs one import in this
 *   (fresh) process and prints its measurements as one JSON line.
 * - `--role import --case cli --url <emulator> --file <csv> --cli bin/eloqua-bulk.mjs [--kind <kind>]`: runs
 *   the user's command, `node bin/eloqua-bulk.mjs import [kind] <csv> --quiet --base-url <emulator> --report <tmp>` with the
 *   emulator's credentials in `ELOQUA_SITE`, `ELOQUA_USER` and `ELOQUA_PASSWORD`, as a child under
 *   `/usr/bin/time` (its CPU, peak RSS and page faults, worker threads included), and prints the same JSON
 *   line: wall time from spawn to exit, counts from the report, and whether `dist/` or the TypeScript
 *   sources (tsx) ran.
 *
 * The `reference` cases are their own program, `bench/reference/reference.mjs`, which measures itself.
 *
 * By hand, e.g. for a CPU profile of the importer alone:
 *
 * ```sh
 * npx tsx bench/_e2e_case.ts --role emulator &        # prints {"url":"http://127.0.0.1:PORT"}
 * node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/_e2e_case.ts --role import --case ours \
 *   --url http://127.0.0.1:PORT --file bench/data/linkage-200mb.csv
 * ```
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { EloquaBulkClient } from "../lib/client/client.ts";
import { DedupeIndex } from "../lib/dedupe/dedupe_index.ts";
import { basicAuthorization } from "../lib/emulator/auth.ts";
import { DEFAULT_CREDENTIALS } from "../lib/emulator/options.ts";
import { importLinkages } from "../lib/import/import_linkages.ts";
import type { ImportReport } from "../lib/import/report.ts";
import { fileSource } from "../lib/node/file_source.ts";
import { createNodeHttpFetch, spawnRowWorkerThread, startEmulatorServer } from "../lib/node/mod.ts";
import { runNaiveUpload } from "./naive_upload.ts";

/** Bytes of CSV per row assumed to size the dedupe index from the file size (as `_run_case.ts`). */
export const BYTES_PER_ROW_GUESS = 40;

/**
 * The import cases, in the order they run: `ours` (the CLI's defaults: node:http transport, a row worker
 * thread), `ours-1thread` (the same, one thread), `cli` (the command itself, in a child process),
 * `reference` and `reference-2threads` (`bench/reference/reference.mjs`, the byte-level yardstick), `naive`.
 */
export const E2E_CASES = ["ours", "ours-1thread", "cli", "reference", "reference-2threads", "naive"] as const;
export type E2eCase = (typeof E2E_CASES)[number];

/** What the emulator process prints on SIGTERM. */
export interface EmulatorResult {
  stagedRows: number;
  dataPosts: number;
  bodyBytes: number;
  maxBodyBytes: number;
  syncsCreated: number;
  maxInFlight: number;
  requests: number;
  /** CPU used since the server was ready, i.e. while serving the import. */
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssBytes: number;
  /** Minor page faults of the process (memory touched for the first time, or again after being given back). */
  minorPageFaults: number;
}

/** What an import process prints. */
export interface ImportResult {
  case: E2eCase;
  fileBytes: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak resident set of the whole process (runtime and tsx included). */
  maxRssBytes: number;
  /**
   * `cli` only: which code `bin/eloqua-bulk.mjs` ran, `dist` (compiled, at least as new as every `lib/`
   * source) or `tsx` (the sources); CPU, RSS and faults then cover the whole process from its start, and
   * `rssBeforeBytes` and `memoryPeaks` are 0 (not measured).
   */
  runtime?: "dist" | "tsx";
  /** `reference` cases: bytes of its dedupe table. */
  keyTableBytes?: number;
  /** Resident set just before the import started (runtime, tsx, modules loaded). */
  rssBeforeBytes: number;
  /** Minor page faults taken during the import. */
  minorPageFaults: number;
  /** Peaks of `process.memoryUsage()` sampled every 100 ms: what the resident set is made of. */
  memoryPeaks: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  counts: { read: number; invalid: number; duplicate: number; staged: number; notSent: number };
  ok: boolean;
  error?: string;
  dataPosts: number;
  bodyBytes: number;
  syncs: number;
  /**
   * The dedupe index importLinkages builds, estimated (it is not exposed): a `DedupeIndex` sized with
   * the same `expectedKeys`; `grew` says whether the real one must have grown past that (then the
   * estimate is low).
   */
  index?: { expectedKeys: number; bytes: number; uniqueKeys: number; grew: boolean };
}

async function emulatorRole(): Promise<void> {
  const server = await startEmulatorServer({
    mode: "count",
    syncTiming: { pendingMs: 0, activeMs: 0 },
    maxStagedBytes: 1e12,
  });
  const cpu0 = process.cpuUsage();
  process.once("SIGTERM", () => {
    const cpu = process.cpuUsage(cpu0);
    const s = server.emulator.stats;
    const result: EmulatorResult = {
      stagedRows: s.stagedRows,
      dataPosts: s.dataPosts,
      bodyBytes: s.bodyBytes.total,
      maxBodyBytes: s.bodyBytes.max,
      syncsCreated: s.syncsCreated,
      maxInFlight: s.maxInFlight,
      requests: s.requests,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      minorPageFaults: process.resourceUsage().minorPageFault,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    void server.close().finally(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
}

async function importRole(kind: E2eCase, url: string, file: string): Promise<void> {
  const { site, user, password } = DEFAULT_CREDENTIALS;
  const fileBytes = statSync(file).size;
  const expectedKeys = Math.ceil(fileBytes / BYTES_PER_ROW_GUESS);
  const rssBeforeBytes = process.memoryUsage.rss();
  const memoryPeaks = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    for (const key of ["heapUsed", "heapTotal", "external", "arrayBuffers"] as const) {
      memoryPeaks[key] = Math.max(memoryPeaks[key], m[key]);
    }
  };
  const sampler = setInterval(sample, 100);
  const faults0 = process.resourceUsage().minorPageFault;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let out: Omit<
    ImportResult,
    | "wallMs"
    | "cpuUserMs"
    | "cpuSystemMs"
    | "maxRssBytes"
    | "rssBeforeBytes"
    | "minorPageFaults"
    | "memoryPeaks"
  >;
  if (kind === "ours" || kind === "ours-1thread") {
    // The CLI's transport: node:http without copying bodies.
    const fetch = createNodeHttpFetch();
    const client = new EloquaBulkClient({
      baseUrl: url,
      auth: { type: "basic", site, user, password },
      fetch,
    });
    const source = await fileSource(file);
    const report = await importLinkages(source.stream, {
      client,
      sourceName: source.name,
      expectedKeys,
      ...(kind === "ours" ? { rowWorker: spawnRowWorkerThread() } : {}),
    });
    fetch.close();
    const { notSent, read, invalid, duplicate, staged } = report.rows;
    out = {
      case: kind,
      fileBytes,
      counts: { read, invalid, duplicate, staged, notSent },
      ok: report.ok,
      ...(report.error === undefined ? {} : { error: `${report.error.code}: ${report.error.message}` }),
      dataPosts: report.requests.dataPosts,
      bodyBytes: report.requests.bytes,
      syncs: report.syncs.length,
    };
  } else {
    const authorization = basicAuthorization(site, user, password);
    const counts = await runNaiveUpload(file, { baseUrl: url, authorization });
    out = {
      case: kind,
      fileBytes,
      counts: {
        read: counts.read,
        invalid: counts.invalid,
        duplicate: counts.duplicate,
        staged: counts.batched,
        notSent: 0,
      },
      ok: counts.syncStatus === "success",
      ...(counts.syncStatus === "success" ? {} : { error: `sync ended ${counts.syncStatus}` }),
      dataPosts: counts.bodies,
      bodyBytes: counts.bodyBytes,
      syncs: 1,
    };
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const usage = process.resourceUsage();
  const maxRssBytes = usage.maxRSS * 1024;
  const minorPageFaults = usage.minorPageFault - faults0;
  clearInterval(sampler);
  sample();
  const result: ImportResult = {
    ...out,
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssBytes,
    rssBeforeBytes,
    minorPageFaults,
    memoryPeaks,
  };
  if (kind === "ours") {
    // Measured after the peak was read: zero-filled tables take no resident memory until written.
    const index = new DedupeIndex({ expectedKeys });
    // The table (12 bytes a slot) grows past 75% of its slots.
    const uniqueKeys = out.counts.staged;
    result.index = {
      expectedKeys,
      bytes: index.bytes,
      uniqueKeys,
      grew: uniqueKeys > (index.bytes / 12) * 0.75,
    };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The newest modification time of a `.ts` file under `dir` (as `bin/eloqua-bulk.mjs` computes it). */
function newestSource(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Which code `bin/eloqua-bulk.mjs` runs: its own rule, read before the spawn. */
export function cliRuntime(cli: string, env: NodeJS.ProcessEnv): "dist" | "tsx" {
  const root = dirname(dirname(cli));
  const built = join(root, "dist", "node", "cli", "main.js");
  const useBuilt =
    env.ELOQUA_BULK_FROM_SOURCE !== "1" &&
    existsSync(built) &&
    statSync(built).mtimeMs >= newestSource(join(root, "lib"));
  return useBuilt ? "dist" : "tsx";
}

/** `/usr/bin/time -f` fields: elapsed s, user s, system s, peak RSS KiB, minor faults. */
const TIME_FORMAT = "%e %U %S %M %R";

/** Run the CLI on `file` against the emulator at `url`, as a user would, and measure the child process. */
async function cliRole(cli: string, url: string, file: string, kind?: string): Promise<ImportResult> {
  if (!existsSync("/usr/bin/time")) throw new Error("the cli case needs /usr/bin/time (GNU time)");
  const { site, user, password } = DEFAULT_CREDENTIALS;
  const dir = mkdtempSync(join(tmpdir(), "e2e-cli-"));
  const timing = join(dir, "time.txt");
  const reportPath = join(dir, "report.json");
  const env = { ...process.env, ELOQUA_SITE: site, ELOQUA_USER: user, ELOQUA_PASSWORD: password };
  const runtime = cliRuntime(cli, env);
  const args = ["-f", TIME_FORMAT, "-o", timing, process.execPath, cli, "import"];
  args.push(...(kind === undefined ? [] : [kind]), file, "--quiet");
  args.push("--base-url", url, "--report", reportPath);
  const t0 = performance.now();
  const child = spawn("/usr/bin/time", args, { stdio: ["ignore", "ignore", "inherit"], env });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const wallMs = performance.now() - t0;
  try {
    const fields = readFileSync(timing, "utf8").trim().split("\n").at(-1)!.trim().split(/\s+/).map(Number);
    const [, userS, systemS, rssKiB, faults] = fields as [number, number, number, number, number];
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as ImportReport;
    const { read, invalid, duplicate, staged, notSent } = report.rows;
    return {
      case: "cli",
      fileBytes: statSync(file).size,
      counts: { read, invalid, duplicate, staged, notSent },
      ok: report.ok && code === 0,
      ...(report.error === undefined
        ? code === 0
          ? {}
          : { error: `exit code ${code}` }
        : { error: `${report.error.code}: ${report.error.message}` }),
      dataPosts: report.requests.dataPosts,
      bodyBytes: report.requests.bytes,
      syncs: report.syncs.length,
      wallMs,
      cpuUserMs: userS * 1000,
      cpuSystemMs: systemS * 1000,
      maxRssBytes: rssKiB * 1024,
      rssBeforeBytes: 0,
      minorPageFaults: faults,
      memoryPeaks: { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 },
      runtime,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: "string" },
      case: { type: "string", default: "ours" },
      url: { type: "string" },
      file: { type: "string" },
      cli: { type: "string" },
      kind: { type: "string" },
    },
  });
  if (values.role === "emulator") return emulatorRole();
  if (values.role !== "import") {
    throw new RangeError(`--role must be "emulator" or "import": current value is ${values.role}`);
  }
  const kind = values.case as E2eCase;
  if (!E2E_CASES.includes(kind)) {
    throw new RangeError(`--case must be one of ${E2E_CASES.join(", ")}: current value is ${values.case}`);
  }
  if (values.url === undefined) throw new RangeError("--url (the emulator's origin) is required");
  if (values.file === undefined) throw new RangeError("--file is required");
  if (kind === "cli") {
    if (values.cli === undefined) throw new RangeError("--cli (the path of bin/eloqua-bulk.mjs) is required");
    const result = await cliRole(values.cli, values.url, values.file, values.kind);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (kind === "reference" || kind === "reference-2threads") {
    throw new RangeError(`the ${kind} case is its own program: node bench/reference/reference.mjs`);
  }
  await importRole(kind, values.url, values.file);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
