/**
 * Deterministic generator of opportunity CSV (ten columns: id, name, stage, amount, close date,
 * currency, probability, account, owner, type) for the records benchmark: ~2% duplicated ids, ~1%
 * amounts that are not numbers, ~0.5% impossible dates, ~0.5% quoted names with commas. The same
 * options always give the same bytes.
 *
 * @example
 * ```sh
 * npx tsx bench/generate_opportunities.ts --mb 200 [--out bench/data/opportunities-200mb.csv]
 * ```
 * @module
 */

import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const OPPORTUNITY_HEADER =
  "Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Currency,Probability,Account Name,Owner,Type";

const STAGES = ["Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"];
const CURRENCIES = ["USD", "EUR", "GBP", "JPY"];
const TYPES = ["New Business", "Renewal", "Upsell"];
const WORDS = [
  "Acme",
  "Globex",
  "Initech",
  "Umbrella",
  "Hooli",
  "Stark",
  "Wayne",
  "Soylent",
  "Tyrell",
  "Cyberdyne",
];

/** A small seeded PRNG (mulberry32): fast, and enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields the CSV in chunks of about 1 MiB until `bytes` are written. */
export function* generateOpportunityChunks(bytes: number, seed = 1): Generator<string> {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let written = 0;
  let chunk = `${OPPORTUNITY_HEADER}\n`;
  let n = 0;
  while (written + chunk.length < bytes) {
    const r = random();
    const id = r < 0.02 && n > 10 ? `OPP-${Math.floor(random() * n)}` : `OPP-${n++}`;
    const account = `${pick(WORDS)} ${pick(WORDS)} ${Math.floor(random() * 1000)}`;
    const name = random() < 0.005 ? `"${account}, renewal ""phase 2"""` : `${account} ${pick(TYPES)}`;
    const amount = random() < 0.01 ? "12,500" : (random() * 1_000_000).toFixed(2);
    const month = 1 + Math.floor(random() * 12);
    const day = random() < 0.005 ? 31 : 1 + Math.floor(random() * 28);
    // Day 31 is impossible in 5 months of 12.
    const date = `2027-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    const line = `${id},${name},${pick(STAGES)},${amount},${date},${pick(CURRENCIES)},${Math.floor(random() * 101)},${account},owner${Math.floor(random() * 50)}@example.com,${pick(TYPES)}\n`;
    chunk += line;
    if (chunk.length >= 1 << 20) {
      written += chunk.length;
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: { mb: { type: "string" }, out: { type: "string" }, seed: { type: "string" } },
  });
  const mb = Number(values.mb ?? "200");
  const out = values.out ?? `bench/data/opportunities-${mb}mb.csv`;
  mkdirSync(dirname(out), { recursive: true });
  const fd = openSync(out, "w");
  for (const chunk of generateOpportunityChunks(mb * 1_000_000, Number(values.seed ?? "1")))
    writeSync(fd, chunk);
  closeSync(fd);
  console.log(out);
}
