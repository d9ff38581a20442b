/**
 * The naive composition the core is compared against: what one writes first with off-the-shelf parts.
 *
 * fast-csv (`parse({ headers: true })` on a Node stream) → one row object per chunk through three WHATWG
 * `TransformStream`s — validate (the WHATWG e-mail regular expression), dedupe (`Set<string>` of
 * `id + "\u0000" + email.toLowerCase()`), batch (`JSON.stringify` per row into string bodies under the
 * same byte cap as the core, measured with `TextEncoder`) — and the bodies are counted.
 *
 * On the generated files it finds the same counts and the same body bytes as `CsvBatchStream` (no value
 * there has surrounding white space, which the core trims and this does not).
 * @module
 */

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { parse } from "fast-csv";
import { DEFAULT_MAX_BATCH_BYTES } from "../lib/batch/json_batcher.ts";
import { WHATWG_EMAIL_PATTERN } from "../lib/validate/email.ts";

/** A row as fast-csv gives it with `headers: true`. */
type CsvRow = Record<string, string>;

/** Counts of a naive run, named as `CsvBatchStream.counts` plus the bodies. */
export interface NaiveCounts {
  read: number;
  invalid: number;
  duplicate: number;
  batched: number;
  bodies: number;
  /** UTF-8 bytes of all bodies. */
  bodyBytes: number;
  /** Keys in the dedupe `Set`. */
  keys: number;
}

/** One `TransformStream` per stage, one row per chunk. */
function validateStage(counts: NaiveCounts): TransformStream<CsvRow, CsvRow> {
  return new TransformStream({
    transform(row, controller) {
      counts.read++;
      const id = row.OpportunityID ?? "";
      const email = row.EmailAddress ?? "";
      if (id.length === 0 || email.length > 254 || !WHATWG_EMAIL_PATTERN.test(email)) counts.invalid++;
      else controller.enqueue(row);
    },
  });
}

function dedupeStage(counts: NaiveCounts, seen: Set<string>): TransformStream<CsvRow, CsvRow> {
  return new TransformStream({
    transform(row, controller) {
      const key = `${row.OpportunityID}\u0000${row.EmailAddress!.toLowerCase()}`;
      if (seen.has(key)) {
        counts.duplicate++;
        return;
      }
      seen.add(key);
      controller.enqueue(row);
    },
  });
}

function batchStage(counts: NaiveCounts, maxBytes: number): TransformStream<CsvRow, string> {
  const encoder = new TextEncoder();
  let parts: string[] = [];
  let bytes = 2; // [ and ]
  const cut = (controller: TransformStreamDefaultController<string>) => {
    controller.enqueue(`[${parts.join(",")}]`);
    counts.bodyBytes += bytes;
    parts = [];
    bytes = 2;
  };
  return new TransformStream({
    transform(row, controller) {
      const json = JSON.stringify({ OpportunityID: row.OpportunityID, EmailAddress: row.EmailAddress });
      const size = encoder.encode(json).length;
      if (size + 2 > maxBytes) {
        counts.invalid++;
        return;
      }
      const extra = parts.length > 0 ? size + 1 : size;
      if (parts.length > 0 && bytes + extra > maxBytes) {
        cut(controller);
        bytes += size;
      } else {
        bytes += extra;
      }
      parts.push(json);
      counts.batched++;
    },
    flush(controller) {
      if (parts.length > 0) cut(controller);
    },
  });
}

/** Options of {@linkcode naiveBodies} and {@linkcode runNaive}. */
export interface NaiveOptions {
  /** Cap of a body in UTF-8 bytes. @default DEFAULT_MAX_BATCH_BYTES (what the core uses) */
  maxBytes?: number;
  /** Bytes read from the file at a time. @default 65_536 */
  highWaterMark?: number;
}

/** Counts of a naive run before any body was taken: all zero. */
export function naiveCounts(): NaiveCounts {
  return { read: 0, invalid: 0, duplicate: 0, batched: 0, bodies: 0, bodyBytes: 0, keys: 0 };
}

/**
 * The naive bodies of the file at `path`: fast-csv's rows, one per chunk, through the three stages.
 * `counts` follows them as they flow (`bodies` is the taker's to count); `seen` is the dedupe `Set`.
 */
export function naiveBodies(
  path: string,
  counts: NaiveCounts,
  options: NaiveOptions = {},
): { bodies: ReadableStream<string>; seen: Set<string> } {
  const seen = new Set<string>();
  const rows = createReadStream(path, { highWaterMark: options.highWaterMark ?? 65536 }).pipe(
    parse<CsvRow, CsvRow>({ headers: true }),
  );
  const bodies = (Readable.toWeb(rows) as ReadableStream<CsvRow>)
    .pipeThrough(validateStage(counts))
    .pipeThrough(dedupeStage(counts, seen))
    .pipeThrough(batchStage(counts, options.maxBytes ?? DEFAULT_MAX_BATCH_BYTES));
  return { bodies, seen };
}

/** Run the naive composition over a file; resolves with its counts once every body has been taken. */
export async function runNaive(path: string, options: NaiveOptions = {}): Promise<NaiveCounts> {
  const counts = naiveCounts();
  const { bodies, seen } = naiveBodies(path, counts, options);
  for await (const _body of bodies) counts.bodies++;
  counts.keys = seen.size;
  return counts;
}
