/**
 * The one benchmark harness of the CPU side: parsers alone, our stages cumulatively, the composed
 * `CsvBatchStream`, and the naive composition — all on the same generated file, each run in a fresh
 * process (`_run_case.ts`), repeats interleaved so that a burst of load on a shared machine hits every
 * case alike. Reports medians of MB/s (MB = 10⁶ bytes of CSV), rows/s, CPU seconds and peak RSS.
 *
 * ```sh
 * npx tsx bench/core.bench.ts [--mb 200] [--repeats 3] [--only composed,naive] [--file f.csv] [--max-bytes n]
 * ```
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_MAX_BATCH_BYTES } from "../lib/batch/json_batcher.ts";
import {
  caseCommand,
  compileBench,
  gitHead,
  libFingerprint,
  packageVersion,
  unusedPath,
} from "./_harness.ts";
import { CASES, type CaseResult, type CaseSpec } from "./_run_case.ts";
import { defaultDataPath, type GenerateStats, writeLinkageCsv } from "./generate.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const RUNNER = fileURLToPath(new URL("./_run_case.ts", import.meta.url));
const GROUPS: Record<CaseSpec["group"], string> = {
  a: "(a) parsers alone",
  b: "(b) our stages, cumulative (pure cores)",
  c: "(c) composed stream",
  d: "(d) naive composition",
};
/** Targets from the issue. */
const TARGET_MBPS = 50;
const TARGET_RATIO = 12;
const TARGET_RSS_BASE = 150e6;
const TARGET_RSS_PER_KEY = 32;

interface Summary {
  id: string;
  group: CaseSpec["group"];
  label: string;
  runs: number;
  mbps: number;
  mbpsMin: number;
  mbpsMax: number;
  rowsPerSecond: number;
  cpuSeconds: number;
  /** MB of CSV per CPU second: less sensitive to other processes than wall time. */
  mbPerCpuSecond: number;
  wallSeconds: number;
  peakRssMB: number;
  rssBeforeMB: number;
  sample: CaseResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runCase(id: string, file: string, maxBytes: number, tsx: boolean): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...caseCommand(RUNNER, tsx), "--case", id, "--file", file, "--max-bytes", String(maxBytes)],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      out += text;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").at(-1);
      if (code !== 0 || last === undefined || last === "") {
        reject(new Error(`case ${id} exited with code ${code}`));
        return;
      }
      resolve(JSON.parse(last) as CaseResult);
    });
  });
}

/** JSON as biome formats it (2 spaces; arrays of numbers or strings on one line when they fit), so it lints. */
export function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  const collapsed = text.replace(
    /^( *)("[^"\n]*": )?\[\n([^[\]{}]*?)\n *\]/gm,
    (match: string, indent: string, key: string | undefined, body: string) => {
      const line = `${indent}${key ?? ""}[${body
        .split(",\n")
        .map((item) => item.trim())
        .join(", ")}]`;
      return line.length <= 110 ? line : match;
    },
  );
  return `${collapsed}\n`;
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function summarize(spec: CaseSpec, results: CaseResult[]): Summary {
  const mbps = results.map((r) => r.fileBytes / 1e6 / (r.wallMs / 1000));
  const cpu = results.map((r) => (r.cpuUserMs + r.cpuSystemMs) / 1000);
  const sample = results[0]!;
  return {
    id: spec.id,
    group: spec.group,
    label: spec.label,
    runs: results.length,
    mbps: median(mbps),
    mbpsMin: Math.min(...mbps),
    mbpsMax: Math.max(...mbps),
    rowsPerSecond: median(results.map((r) => r.rows / (r.wallMs / 1000))),
    cpuSeconds: median(cpu),
    mbPerCpuSecond: median(results.map((r, i) => r.fileBytes / 1e6 / cpu[i]!)),
    wallSeconds: median(results.map((r) => r.wallMs / 1000)),
    peakRssMB: median(results.map((r) => r.maxRssBytes / 1e6)),
    rssBeforeMB: median(results.map((r) => r.rssBeforeBytes / 1e6)),
    sample,
  };
}

function table(summaries: Summary[]): string {
  const lines = [
    "| case | MB/s (min–max) | rows/s | CPU s | MB per CPU s | peak RSS MB |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  let group = "";
  for (const s of summaries) {
    if (s.group !== group) {
      group = s.group;
      lines.push(`| **${GROUPS[s.group]}** | | | | | |`);
    }
    lines.push(
      `| ${s.label} | ${fmt(s.mbps)} (${fmt(s.mbpsMin)}–${fmt(s.mbpsMax)}) | ${fmt(s.rowsPerSecond / 1e6, 2)} M | ` +
        `${fmt(s.cpuSeconds, 2)} | ${fmt(s.mbPerCpuSecond)} | ${fmt(s.peakRssMB, 0)} |`,
    );
  }
  return lines.join("\n");
}

/** Checks that every case that reports counts found what the generator wrote. */
function checkCounts(results: CaseResult[], expected: GenerateStats | undefined): string[] {
  const problems: string[] = [];
  const bodyBytes = new Set<number>();
  for (const r of results) {
    if (expected !== undefined && r.rows !== expected.rows) {
      problems.push(`${r.id}: read ${r.rows} rows, the file has ${expected.rows}`);
    }
    if (r.counts !== undefined && expected !== undefined) {
      const want = {
        read: expected.rows,
        invalid: expected.invalid,
        duplicate: expected.duplicate,
        batched: expected.unique,
      };
      // Later versions of RowCounts add fields (e.g. `skipped`, 0 here): compare the four that every case has.
      const { read, invalid, duplicate, batched } = r.counts;
      const skipped = (r.counts as { skipped?: number }).skipped ?? 0;
      if (JSON.stringify({ read, invalid, duplicate, batched }) !== JSON.stringify(want) || skipped !== 0) {
        problems.push(`${r.id}: counts ${JSON.stringify(r.counts)}, expected ${JSON.stringify(want)}`);
      }
    }
    if (r.bodyBytes !== undefined) bodyBytes.add(r.bodyBytes);
  }
  if (bodyBytes.size > 1) problems.push(`body bytes differ between cases: ${[...bodyBytes].join(", ")}`);
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mb: { type: "string", default: "200" },
      repeats: { type: "string", default: "3" },
      only: { type: "string" },
      file: { type: "string" },
      "max-bytes": { type: "string", default: String(DEFAULT_MAX_BATCH_BYTES) },
      json: { type: "string" },
      tsx: { type: "boolean", default: false },
    },
  });
  const mb = Number(values.mb);
  const repeats = Number(values.repeats);
  const maxBytes = Number(values["max-bytes"]);
  if (!(mb > 0)) throw new RangeError(`--mb must be a positive number: current value is ${values.mb}`);
  if (!Number.isSafeInteger(repeats) || repeats < 1) {
    throw new RangeError(`--repeats must be a positive integer: current value is ${values.repeats}`);
  }
  const only = values.only?.split(",").map((s) => s.trim());
  const cases = CASES.filter((c) => only === undefined || only.includes(c.id) || only.includes(c.group));
  if (cases.length === 0) {
    throw new RangeError(
      `--only must name cases or groups (${CASES.map((c) => c.id).join(", ")}, a, b, c, d): current value is ${values.only}`,
    );
  }

  const file = values.file ?? join(ROOT, defaultDataPath(mb));
  let expected: GenerateStats | undefined;
  if (!existsSync(file)) {
    if (values.file !== undefined) throw new RangeError(`--file ${values.file} does not exist`);
    console.error(`generating ${relative(ROOT, file)} (${mb} MB, seed 1)…`);
    expected = writeLinkageCsv(file, { bytes: Math.round(mb * 1e6), seed: 1 });
  } else if (existsSync(`${file}.json`)) {
    expected = (JSON.parse(readFileSync(`${file}.json`, "utf8")) as { stats: GenerateStats }).stats;
  }

  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1e9),
    loadAverageBefore: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  const versions = Object.fromEntries(
    ["fast-csv", "@fast-csv/parse", "udsv", "papaparse", "tsx", "typescript"].map((n) => [
      n,
      packageVersion(n),
    ]),
  );
  console.error(
    `${relative(ROOT, file)}: ${expected ? `${expected.rows} rows, ${expected.unique} unique keys` : "(no stats file)"}; ` +
      `${cases.length} cases × ${repeats} repeats; node ${machine.node}, ${machine.cpu}, ${machine.cores} cores, ` +
      `load ${machine.loadAverageBefore.join(" ")}`,
  );

  const gitBefore = gitHead();
  const coreBefore = libFingerprint();
  // Cases run compiled, as the package runs (see _harness.ts); --tsx runs the sources.
  compileBench(values.tsx);
  const results = new Map<string, CaseResult[]>(cases.map((c) => [c.id, []]));
  for (let r = 1; r <= repeats; r++) {
    for (const spec of cases) {
      const result = await runCase(spec.id, file, maxBytes, values.tsx);
      results.get(spec.id)!.push(result);
      const mbps = result.fileBytes / 1e6 / (result.wallMs / 1000);
      const cpu = (result.cpuUserMs + result.cpuSystemMs) / 1000;
      console.error(
        `  [${r}/${repeats}] ${spec.id.padEnd(22)} ${fmt(mbps).padStart(7)} MB/s  ` +
          `${fmt(cpu, 2).padStart(7)} CPU s  ${fmt(result.maxRssBytes / 1e6, 0).padStart(5)} MB RSS`,
      );
    }
  }
  const loadAverageAfter = loadavg().map((x) => Math.round(x * 100) / 100);
  const gitAfter = gitHead();
  const coreAfter = libFingerprint();
  const code =
    gitBefore === gitAfter && coreBefore === coreAfter
      ? `git ${gitBefore}, core sources ${coreBefore}`
      : `CODE CHANGED DURING THE RUN: git ${gitBefore} → ${gitAfter}, core sources ${coreBefore} → ${coreAfter}`;

  const summaries = cases.map((spec) => summarize(spec, results.get(spec.id)!));
  const problems = checkCounts([...results.values()].flat(), expected);
  const by = new Map(summaries.map((s) => [s.id, s]));
  const ratio = (a: string, b: string, key: "mbps" | "mbPerCpuSecond") => {
    const x = by.get(a);
    const y = by.get(b);
    return x && y ? x[key] / y[key] : undefined;
  };
  const ratios: Record<string, { wall: number; cpu: number }> = {};
  for (const [name, a, b] of [
    ["composed / naive", "composed", "naive"],
    ["composed (presized) / naive", "composed-presized", "naive"],
    ["composed (row worker) / naive", "composed-worker", "naive"],
    ["composed (row worker, presized) / naive", "composed-worker-presized", "naive"],
    ["composed as the CLI runs it / naive", "composed-cli", "naive"],
    ["ours / fast-csv (parse)", "parse-ours", "parse-fast-csv"],
    ["ours / udsv (parse)", "parse-ours", "parse-udsv"],
    ["ours / papaparse (parse)", "parse-ours", "parse-papaparse"],
    ["CsvParseStream / FastCsvParseStream", "parse-ours-stream", "parse-fast-csv-stream"],
  ] as const) {
    const wall = ratio(a, b, "mbps");
    const cpu = ratio(a, b, "mbPerCpuSecond");
    if (wall !== undefined && cpu !== undefined) ratios[name] = { wall, cpu };
  }

  const memory: Record<string, unknown> = {};
  for (const id of [
    "composed",
    "composed-presized",
    "composed-worker",
    "composed-worker-presized",
    "composed-cli",
    "core-batch",
  ]) {
    const s = by.get(id);
    const index = s?.sample.index;
    if (s === undefined || index === undefined) continue;
    const peak = s.peakRssMB * 1e6;
    const budget = TARGET_RSS_BASE + TARGET_RSS_PER_KEY * index.size;
    memory[id] = {
      uniqueKeys: index.size,
      indexBytes: index.bytes,
      indexBytesPerKey: index.bytes / index.size,
      peakRssMB: s.peakRssMB,
      peakRssMinusIndexMB: (peak - index.bytes) / 1e6,
      rssBeforeCaseMB: s.rssBeforeMB,
      budgetMB: budget / 1e6,
      withinBudget: peak <= budget,
    };
  }

  const out: string[] = [];
  out.push(
    `### ${relative(ROOT, file)} — ${fmt((expected?.bytes ?? by.values().next().value!.sample.fileBytes) / 1e6)} MB`,
  );
  out.push("");
  out.push(
    `Node ${machine.node} · ${machine.cpu} · ${machine.cores} cores · load average ${machine.loadAverageBefore.join(" ")} → ` +
      `${loadAverageAfter.join(" ")} · median of ${repeats} fresh processes · ${Object.entries(versions)
        .map(([n, v]) => `${n} ${v}`)
        .join(", ")} · ${code}`,
  );
  out.push("");
  out.push(table(summaries));
  out.push("");
  for (const [name, r] of Object.entries(ratios)) {
    out.push(`- ${name}: **${fmt(r.wall)}×** by wall time, **${fmt(r.cpu)}×** by CPU time`);
  }
  for (const [id, m] of Object.entries(memory) as [string, Record<string, number | boolean>][]) {
    out.push(
      `- ${id}: dedupe index ${fmt((m.indexBytes as number) / 1e6)} MB for ${m.uniqueKeys} keys = ` +
        `${fmt(m.indexBytesPerKey as number)} B/key; peak RSS ${fmt(m.peakRssMB as number, 0)} MB, minus the index ` +
        `${fmt(m.peakRssMinusIndexMB as number, 0)} MB; budget 150 MB + 32 B/key = ${fmt(m.budgetMB as number, 0)} MB: ` +
        `${m.withinBudget ? "within" : "OVER"}`,
    );
  }
  for (const id of ["composed", "composed-worker", "composed-cli"] as const) {
    const summary = by.get(id);
    if (summary === undefined) continue;
    out.push(
      `- target ≥ ${TARGET_MBPS} MB/s: ${id} ${fmt(summary.mbps)} MB/s by wall time ` +
        `(${summary.mbps >= TARGET_MBPS ? "met" : "NOT met"}), ${fmt(summary.mbPerCpuSecond)} MB per CPU s ` +
        `(${summary.mbPerCpuSecond >= TARGET_MBPS ? "met" : "NOT met"})`,
    );
  }
  for (const name of [
    "composed / naive",
    "composed (row worker) / naive",
    "composed as the CLI runs it / naive",
  ]) {
    const r = ratios[name];
    if (r === undefined) continue;
    out.push(
      `- target ≥ ${TARGET_RATIO}× naive, ${name}: ${fmt(r.wall)}× by wall time ` +
        `(${r.wall >= TARGET_RATIO ? "met" : "NOT met"}), ${fmt(r.cpu)}× by CPU time ` +
        `(${r.cpu >= TARGET_RATIO ? "met" : "NOT met"})`,
    );
  }
  out.push(problems.length === 0 ? "- counts: every case found the generator's counts" : "- COUNT MISMATCH:");
  for (const p of problems) out.push(`  - ${p}`);
  console.log(out.join("\n"));

  const date = new Date().toISOString().slice(0, 10);
  const suffix = `${mb === 200 && values.file === undefined ? "" : `-${fmt(mb, 0)}mb`}${only ? `-only-${only.join("+")}` : ""}`;
  // Named by date and the commit the run started at (git.before in the record).
  const jsonPath =
    values.json ?? unusedPath(join(ROOT, "bench", "results", `core-${date}-${gitBefore}${suffix}.json`));
  mkdirSync(dirname(jsonPath), { recursive: true });
  const record = {
    date: new Date().toISOString(),
    file: relative(ROOT, file),
    fileBytes: summaries[0]!.sample.fileBytes,
    generated: expected,
    options: { repeats, maxBytes, chunkBytes: 65536 },
    machine: {
      ...machine,
      loadAverageAfter,
      sharedAndNoisy: machine.loadAverageBefore[0]! > machine.cores * 0.5,
    },
    versions,
    git: { before: gitBefore, after: gitAfter },
    coreSources: { before: coreBefore, after: coreAfter },
    cases: summaries.map(({ sample, ...s }) => ({
      ...s,
      runs: results.get(s.id)!.map(({ id: _id, fileBytes: _f, ...r }) => r),
    })),
    ratios,
    memory,
    countProblems: problems,
  };
  writeFileSync(jsonPath, formatJson(record));
  console.error(`results: ${relative(ROOT, jsonPath)}`);
  if (problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
