/**
 * Runs one benchmark case in this (fresh) process and prints its measurements as one JSON line.
 * Started by `core.bench.ts`; by hand, e.g. for a CPU profile:
 *
 * ```sh
 * node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/_run_case.ts --case composed --file bench/data/linkage-200mb.csv
 * ```
 * @module
 */

import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parse as fastCsvParse } from "fast-csv";
import Papa from "papaparse";
import { inferSchema, initParser, type Parser } from "udsv";
import { DEFAULT_MAX_BATCH_BYTES, JsonBatcher } from "../lib/batch/json_batcher.ts";
import { CsvParseStream } from "../lib/csv/csv_parse_stream.ts";
import { CsvRowReader } from "../lib/csv/csv_row_reader.ts";
import { CsvBatchStream } from "../lib/csv_batch_stream.ts";
import { RowDeduper } from "../lib/dedupe/row_deduper.ts";
import { FastCsvParseStream } from "../lib/node/fast_csv_parse_stream.ts";
import { spawnRowWorkerThread } from "../lib/node/row_worker_thread.ts";
import type { RowBatch } from "../lib/row_batch.ts";
import { RowValidator } from "../lib/validate/row_validator.ts";
import { runNaive } from "./naive.ts";

/** Bytes read from the file at a time. */
export const CHUNK_BYTES = 65536;

/** Bytes of CSV per row assumed to presize the dedupe index from the file size. */
export const BYTES_PER_ROW_GUESS = 40;

export interface CaseOptions {
  file: string;
  maxBytes: number;
}

/** What a case reports besides time and memory. */
export interface CaseOutput {
  /** Data rows read (header excluded). */
  rows: number;
  /** Rows left after the stages run (cases without JSON batching). */
  kept?: number;
  counts?: { read: number; invalid: number; duplicate: number; batched: number };
  bodies?: number;
  bodyBytes?: number;
  index?: { size: number; bytes: number };
}

export interface CaseSpec {
  id: string;
  group: "a" | "b" | "c" | "d";
  label: string;
  run(options: CaseOptions): Promise<CaseOutput>;
}

/** The measurements of one run of one case: one JSON line on stdout. */
export interface CaseResult extends CaseOutput {
  id: string;
  fileBytes: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak resident set of the whole process, runtime and tsx included. */
  maxRssBytes: number;
  /** Resident set just before the case started (runtime, tsx, modules loaded). */
  rssBeforeBytes: number;
}

function chunks(file: string): AsyncIterable<Uint8Array> {
  return createReadStream(file, { highWaterMark: CHUNK_BYTES });
}

function webChunks(file: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(file, { highWaterMark: CHUNK_BYTES })) as ReadableStream<Uint8Array>;
}

/** The pure cores chained by hand, up to `upTo`. */
async function coreStages(file: string, upTo: 0 | 1 | 2 | 3, maxBytes: number): Promise<CaseOutput> {
  const reader = new CsvRowReader();
  const validator = upTo >= 1 ? new RowValidator() : undefined;
  const deduper = upTo >= 2 ? new RowDeduper() : undefined;
  const batcher = upTo >= 3 ? new JsonBatcher({ maxBytes }) : undefined;
  let rows = 0;
  let bodies = 0;
  let bodyBytes = 0;
  const take = (batch: RowBatch | undefined) => {
    if (batch === undefined) return;
    if (validator !== undefined) validator.validate(batch);
    if (deduper !== undefined) deduper.dedupe(batch);
    if (batcher !== undefined) {
      for (const body of batcher.push(batch)) {
        bodies++;
        bodyBytes += body.body.length;
      }
    } else {
      rows += batch.length;
    }
  };
  for await (const chunk of chunks(file)) take(reader.push(chunk));
  take(reader.end());
  const last = batcher?.flush();
  if (last !== undefined) {
    bodies++;
    bodyBytes += last.body.length;
  }
  const out: CaseOutput = { rows: reader.stats.read };
  if (batcher !== undefined) {
    out.bodies = bodies;
    out.bodyBytes = bodyBytes;
    out.counts = {
      read: reader.stats.read,
      invalid: reader.stats.rejected + validator!.stats.invalid + batcher.stats.tooLarge,
      duplicate: deduper!.stats.duplicate,
      batched: batcher.stats.rows,
    };
    out.index = { size: deduper!.index.size, bytes: deduper!.index.bytes };
  } else {
    out.kept = rows;
  }
  return out;
}

/**
 * `CsvBatchStream` over the file: on one thread or with a row worker, with or without a presized index;
 * `recycle` gives each body back once counted, as `importLinkages` does once Eloqua acknowledged it.
 */
async function composed(
  file: string,
  maxBytes: number,
  presize: boolean,
  worker = false,
  recycle = false,
): Promise<CaseOutput> {
  const expectedKeys = presize ? Math.ceil(statSync(file).size / BYTES_PER_ROW_GUESS) : 0;
  const stream = new CsvBatchStream({
    maxBytes,
    expectedKeys,
    recycleBodies: recycle,
    ...(worker ? { rowWorker: spawnRowWorkerThread() } : {}),
  });
  let bodies = 0;
  let bodyBytes = 0;
  for await (const batch of webChunks(file).pipeThrough(stream)) {
    bodies++;
    bodyBytes += batch.body.length;
    if (recycle) stream.release(batch.body);
  }
  const counts = stream.counts;
  const index = stream.dedupeIndex;
  return { rows: counts.read, counts, bodies, bodyBytes, index: { size: index.size, bytes: index.bytes } };
}

export const CASES: readonly CaseSpec[] = [
  {
    id: "parse-ours",
    group: "a",
    label: "ours (CsvRowReader)",
    run: ({ file }) => coreStages(file, 0, DEFAULT_MAX_BATCH_BYTES),
  },
  {
    id: "parse-ours-stream",
    group: "a",
    label: "ours via CsvParseStream",
    async run({ file }) {
      let kept = 0;
      const stream = new CsvParseStream();
      for await (const batch of webChunks(file).pipeThrough(stream)) kept += batch.length;
      return { rows: stream.stats.read, kept };
    },
  },
  {
    id: "parse-udsv",
    group: "a",
    label: "udsv (chunk API, stringArrs)",
    async run({ file }) {
      const decoder = new TextDecoder();
      let parser: Parser | undefined;
      let rows = 0;
      const onData = () => {
        rows++;
      };
      const feed = (text: string) => {
        if (text.length === 0) return;
        parser ??= initParser(inferSchema(text));
        parser.chunk<string[]>(text, parser.stringArrs, onData);
      };
      for await (const chunk of chunks(file)) feed(decoder.decode(chunk, { stream: true }));
      feed(decoder.decode());
      parser?.end();
      return { rows };
    },
  },
  {
    id: "parse-papaparse",
    group: "a",
    label: "papaparse (chunk callback)",
    run({ file }) {
      return new Promise((resolve, reject) => {
        let rows = 0;
        Papa.parse<string[]>(createReadStream(file, { highWaterMark: CHUNK_BYTES, encoding: "utf8" }), {
          skipEmptyLines: true,
          chunk(results) {
            rows += results.data.length;
          },
          complete: () => resolve({ rows: rows - 1 }),
          error: reject,
        });
      });
    },
  },
  {
    id: "parse-fast-csv",
    group: "a",
    label: "fast-csv (parse, headers: false)",
    run({ file }) {
      return new Promise((resolve, reject) => {
        let rows = 0;
        createReadStream(file, { highWaterMark: CHUNK_BYTES })
          .pipe(fastCsvParse({ headers: false }))
          .on("data", () => {
            rows++;
          })
          .on("error", reject)
          .on("end", () => resolve({ rows: rows - 1 }));
      });
    },
  },
  {
    id: "parse-fast-csv-stream",
    group: "a",
    label: "fast-csv via FastCsvParseStream",
    async run({ file }) {
      let kept = 0;
      const stream = new FastCsvParseStream();
      for await (const batch of webChunks(file).pipeThrough(stream)) kept += batch.length;
      return { rows: stream.stats.read, kept };
    },
  },
  {
    id: "core-parse",
    group: "b",
    label: "parse",
    run: ({ file, maxBytes }) => coreStages(file, 0, maxBytes),
  },
  {
    id: "core-validate",
    group: "b",
    label: "+ validate",
    run: ({ file, maxBytes }) => coreStages(file, 1, maxBytes),
  },
  {
    id: "core-dedupe",
    group: "b",
    label: "+ dedupe",
    run: ({ file, maxBytes }) => coreStages(file, 2, maxBytes),
  },
  {
    id: "core-batch",
    group: "b",
    label: "+ JSON batch (whole CPU pipeline)",
    run: ({ file, maxBytes }) => coreStages(file, 3, maxBytes),
  },
  {
    id: "composed",
    group: "c",
    label: "CsvBatchStream over ReadableStream",
    run: ({ file, maxBytes }) => composed(file, maxBytes, false),
  },
  {
    id: "composed-presized",
    group: "c",
    label: `CsvBatchStream, expectedKeys = size / ${BYTES_PER_ROW_GUESS}`,
    run: ({ file, maxBytes }) => composed(file, maxBytes, true),
  },
  {
    id: "composed-worker",
    group: "c",
    label: "CsvBatchStream, parse + validate + hash in a worker thread",
    run: ({ file, maxBytes }) => composed(file, maxBytes, false, true),
  },
  {
    id: "composed-worker-presized",
    group: "c",
    label: `the same with expectedKeys = size / ${BYTES_PER_ROW_GUESS}`,
    run: ({ file, maxBytes }) => composed(file, maxBytes, true, true),
  },
  {
    id: "composed-cli",
    group: "c",
    label: "the same, bodies given back once used (importLinkages, the CLI)",
    run: ({ file, maxBytes }) => composed(file, maxBytes, true, true, true),
  },
  {
    id: "naive",
    group: "d",
    label: "naive: fast-csv → 3 per-row TransformStreams",
    async run({ file, maxBytes }) {
      const counts = await runNaive(file, { maxBytes, highWaterMark: CHUNK_BYTES });
      return {
        rows: counts.read,
        counts: {
          read: counts.read,
          invalid: counts.invalid,
          duplicate: counts.duplicate,
          batched: counts.batched,
        },
        bodies: counts.bodies,
        bodyBytes: counts.bodyBytes,
      };
    },
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: "string" },
      file: { type: "string" },
      "max-bytes": { type: "string", default: String(DEFAULT_MAX_BATCH_BYTES) },
    },
  });
  const spec = CASES.find((c) => c.id === values.case);
  if (spec === undefined) {
    throw new RangeError(
      `--case must be one of ${CASES.map((c) => c.id).join(", ")}: current value is ${values.case}`,
    );
  }
  if (values.file === undefined) throw new RangeError("--file is required");
  const fileBytes = statSync(values.file).size;
  const rssBeforeBytes = process.memoryUsage.rss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const output = await spec.run({ file: values.file, maxBytes: Number(values["max-bytes"]) });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: CaseResult = {
    id: spec.id,
    fileBytes,
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBeforeBytes,
    ...output,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
