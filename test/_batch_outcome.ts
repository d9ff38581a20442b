import { batchLines } from "../lib/batch/json_batch.ts";
import {
  CsvBatchStream,
  type CsvBatchStreamOptions,
  CsvParseStream,
  DedupeStream,
  type JsonBatch,
  JsonBatchStream,
  type Reject,
  ValidateStream,
} from "../lib/mod.ts";

const decoder = new TextDecoder();

/** What a `CsvBatchStream` made of an input: its bodies as text, their lines, every reject and the counts. */
export interface BatchOutcome {
  bodies: string[];
  lines: number[][];
  rejects: Reject[];
  counts: CsvBatchStream["counts"];
}

/**
 * Run `input` through a `CsvBatchStream` with `options` (its `onReject` is this helper's). Stages may run
 * concurrently (a row worker), so the order of rejects across stages is not part of the contract, only
 * their set: they are sorted by line, then stage.
 */
export async function batchOutcome(
  input: ReadableStream<Uint8Array | string>,
  options: CsvBatchStreamOptions = {},
): Promise<BatchOutcome> {
  const rejects: Reject[] = [];
  const stream = new CsvBatchStream({ ...options, onReject: (r) => rejects.push(r) });
  const batches: JsonBatch[] = [];
  for await (const batch of input.pipeThrough(stream)) batches.push(batch);
  return outcome(batches, rejects, stream.counts);
}

/**
 * The same as {@linkcode batchOutcome} from the four stages piped by hand, as a reference: no row worker,
 * and no batch released or array reused (`CsvBatchStream` does both).
 */
export async function chainOutcome(
  input: ReadableStream<Uint8Array | string>,
  options: Pick<CsvBatchStreamOptions, "maxBytes"> = {},
): Promise<BatchOutcome> {
  const rejects: Reject[] = [];
  const onReject = (r: Reject) => rejects.push(r);
  const parse = new CsvParseStream({ onReject });
  const validate = new ValidateStream({ onReject });
  const dedupe = new DedupeStream({ onReject });
  const batch = new JsonBatchStream({ ...options, onReject });
  const batches: JsonBatch[] = [];
  for await (const body of input
    .pipeThrough(parse)
    .pipeThrough(validate)
    .pipeThrough(dedupe)
    .pipeThrough(batch))
    batches.push(body);
  return outcome(batches, rejects, {
    read: parse.stats.read,
    invalid: parse.stats.rejected + validate.stats.invalid + batch.stats.tooLarge,
    duplicate: dedupe.stats.duplicate,
    batched: batch.stats.rows,
    skipped: batch.stats.skipped,
    // From the reject channel: the stages' counts by code must agree with what they reported.
    invalidByCode: rejects.reduce<Record<string, number>>((counts, r) => {
      if (r.code !== "DUPLICATE") counts[r.code] = (counts[r.code] ?? 0) + 1;
      return counts;
    }, {}),
  });
}

function outcome(batches: JsonBatch[], rejects: Reject[], counts: CsvBatchStream["counts"]): BatchOutcome {
  rejects.sort((a, b) => a.line - b.line || a.stage.localeCompare(b.stage));
  return {
    bodies: batches.map((b) => decoder.decode(b.body)),
    lines: batches.map((b) => batchLines(b)),
    rejects,
    counts,
  };
}
