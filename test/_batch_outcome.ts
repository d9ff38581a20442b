import { batchLines } from "../lib/batch/json_batch.ts";
import { CsvBatchStream, type CsvBatchStreamOptions, type JsonBatch, type Reject } from "../lib/mod.ts";

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
  rejects.sort((a, b) => a.line - b.line || a.stage.localeCompare(b.stage));
  return {
    bodies: batches.map((b) => decoder.decode(b.body)),
    lines: batches.map((b) => batchLines(b)),
    rejects,
    counts: stream.counts,
  };
}
