/**
 * Records against links: the CLI importing an opportunity file of ten columns (planned from the
 * emulator's opportunity fields; amounts and dates checked by type) against the CLI importing a linkage
 * file of the same size, end to end into an emulator process in count mode, alternated within each
 * repeat, each run a fresh emulator and a fresh CLI process (`_e2e_case.ts`). Reports median MB/s, CPU
 * seconds and peak RSS per case and the ratio opportunities / linkages (the target: ≥ 0.8).
 *
 * ```sh
 * npx tsx bench/records.bench.ts [--mb 100] [--repeats 3]
 * ```
 * @module
 */

import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ImportResult } from "./_e2e_case.ts";
import { gitHead } from "./_harness.ts";
import { defaultDataPath, writeLinkageCsv } from "./generate.ts";
import { generateOpportunityChunks } from "./generate_opportunities.ts";

const RUNNER = fileURLToPath(new URL("./_e2e_case.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../bin/eloqua-bulk.mjs", import.meta.url));

const { values } = parseArgs({ options: { mb: { type: "string" }, repeats: { type: "string" } } });
const mb = Number(values.mb ?? "100");
const repeats = Number(values.repeats ?? "3");

const linkages = defaultDataPath(mb);
if (!existsSync(linkages)) writeLinkageCsv(linkages, { bytes: mb * 1_000_000 });
const opportunities = linkages.replace(/linkage-/, "opportunities-");
if (!existsSync(opportunities)) {
  mkdirSync(dirname(opportunities), { recursive: true });
  const fd = openSync(opportunities, "w");
  for (const chunk of generateOpportunityChunks(mb * 1_000_000)) writeSync(fd, chunk);
  closeSync(fd);
}

/** Runs `_e2e_case.ts` with `args`; resolves with its first line of output, a way to stop it, and all its output. */
function start(args: string[]): Promise<{ first: string; stop: () => void; output: Promise<string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const output = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  return new Promise((resolve) => {
    let told = false;
    child.stdout.on("data", (data: Buffer) => {
      out += data.toString();
      if (!told && out.includes("\n")) {
        told = true;
        resolve({ first: out.slice(0, out.indexOf("\n")), stop: () => child.kill("SIGTERM"), output });
      }
    });
  });
}

async function run(file: string, kind: string | undefined): Promise<ImportResult> {
  const emulator = await start(["--role", "emulator"]);
  const { url } = JSON.parse(emulator.first) as { url: string };
  const args = ["--role", "import", "--case", "cli", "--cli", CLI, "--url", url, "--file", file];
  const importer = await start(kind === undefined ? args : [...args, "--kind", kind]);
  const result = JSON.parse(importer.first) as ImportResult;
  await importer.output;
  emulator.stop();
  await emulator.output;
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, ImportResult[]> = { linkages: [], opportunities: [] };
for (let r = 0; r < repeats; r++) {
  const order = r % 2 === 0 ? ["linkages", "opportunities"] : ["opportunities", "linkages"];
  for (const name of order) {
    const result =
      name === "linkages" ? await run(linkages, undefined) : await run(opportunities, "opportunities");
    if (!result.ok) throw new Error(`${name}: the import failed: ${result.error}`);
    results[name]!.push(result);
    const mbs = result.fileBytes / 1e6 / (result.wallMs / 1000);
    console.log(
      `${name.padEnd(14)} ${mbs.toFixed(1)} MB/s  ${((result.cpuUserMs + result.cpuSystemMs) / 1000).toFixed(1)} CPU s  ${(result.maxRssBytes / 1e6).toFixed(0)} MB RSS  staged ${result.counts.staged}  (${result.runtime})`,
    );
  }
}
const rate = (name: string) => median(results[name]!.map((x) => x.fileBytes / 1e6 / (x.wallMs / 1000)));
console.log(
  `\n${gitHead()} ${mb} MB, ${repeats} repeats, medians: linkages ${rate("linkages").toFixed(1)} MB/s, opportunities ${rate("opportunities").toFixed(1)} MB/s, ratio ${(rate("opportunities") / rate("linkages")).toFixed(2)} (target ≥ 0.80)`,
);
