import type { JsonBatch } from "./batch/json_batch.ts";
import type { JsonBatchStreamOptions } from "./batch/json_batch_stream.ts";
import { JsonBatchStream } from "./batch/json_batch_stream.ts";
import type { JsonBatcher } from "./batch/json_batcher.ts";
import { BufferPool, withReuse } from "./buffer_pool.ts";
import { CsvParseStream } from "./csv/csv_parse_stream.ts";
import type { CsvRowReaderOptions } from "./csv/csv_row_reader.ts";
import { DedupeStream } from "./dedupe/dedupe_stream.ts";
import type { RowDeduperOptions } from "./dedupe/row_deduper.ts";
import { type RejectCounts, sumRejectCounts } from "./reject.ts";
import { ValidateStream } from "./validate/validate_stream.ts";
import {
  type RowWorkerPort,
  WorkerRowStream,
  type WorkerRowStreamOptions,
} from "./worker/worker_row_stream.ts";

/** Options of {@linkcode CsvBatchStream}: those of each stage; `schema`, `sourceName` and `onReject` are shared. */
export interface CsvBatchStreamOptions
  extends CsvRowReaderOptions,
    Omit<RowDeduperOptions, "onReject" | "schema" | "sourceName">,
    Omit<JsonBatchStreamOptions, "onReject" | "schema" | "sourceName">,
    /** With `rowWorker` only. */
    Pick<WorkerRowStreamOptions, "chunkBytes" | "maxInFlight"> {
  /**
   * Parse, validate and hash keys in this worker (`spawnRowWorkerThread()`
   * on Node, `spawnWebRowWorker()` where web workers exist), while this
   * thread dedupes and writes bodies: the same output, on two cores. The
   * stream terminates the worker when it ends.
   * @default undefined (every stage on this thread)
   */
  rowWorker?: RowWorkerPort;
  /**
   * Whether duplicates go to `onReject` too. They are usually many and harmless; without them, a
   * reject handler costs only for the invalid rows.
   * @default true
   */
  rejectDuplicates?: boolean;
}

/** Where every row read went. After the stream ends, `read === invalid + duplicate + batched + skipped`. */
export interface RowCounts {
  /** Data rows read (not the header, not blank lines). */
  read: number;
  /** Rows set aside as malformed, invalid or too large for a body. */
  invalid: number;
  /** Those rows by reject code (`CSV_FIELD_COUNT`, `INVALID_EMAIL`, `ROW_TOO_LARGE`, …), counted with no `onReject` too. */
  invalidByCode: RejectCounts;
  /** Later occurrences of a key. */
  duplicate: number;
  /** Rows written into request bodies. */
  batched: number;
  /** Rows not written because an earlier run staged them (`skipThroughLine`); 0 otherwise. */
  skipped: number;
}

/**
 * The whole CPU side of an import as one stream: CSV bytes or text in,
 * request bodies out — `CsvParseStream` → `ValidateStream` → `DedupeStream`
 * → `JsonBatchStream`, with one reject channel and one set of counts.
 *
 * @example
 * ```ts
 * const rejects: Reject[] = [];
 * const stream = new CsvBatchStream({ maxBytes: 1_000_000, onReject: (r) => rejects.push(r) });
 * for await (const batch of file.pipeThrough(stream)) await post(batch.body);
 * console.log(stream.counts); // { read, invalid, duplicate, batched }
 * ```
 */
export class CsvBatchStream implements ReadableWritablePair<JsonBatch, Uint8Array | string> {
  readonly readable: ReadableStream<JsonBatch>;
  readonly writable: WritableStream<Uint8Array | string>;
  readonly #parse: CsvParseStream | WorkerRowStream;
  /** Rows found invalid by the validation stage, wherever it runs. */
  readonly #invalid: () => number;
  /** Rows set aside by parsing and validation, by code, wherever they run. */
  readonly #byCode: () => RejectCounts;
  readonly #dedupe: DedupeStream;
  readonly #batch: JsonBatchStream;

  constructor(options: CsvBatchStreamOptions = {}) {
    const { rowWorker } = options;
    // The batcher is the rows' last reader: it releases each batch, and the stages that made them reuse
    // their arrays (fewer page faults, less for the garbage collector).
    const batchOptions = withReuse(options, { releaseRows: true });
    const { onReject: _duplicates, ...withoutRejects } = options;
    const dedupeOptions = options.rejectDuplicates === false ? withoutRejects : options;
    // Stages are built in pipe order: on Node 20 another order let a write reach a cancelled stage.
    if (rowWorker === undefined) {
      const pool = new BufferPool();
      const parse = new CsvParseStream(withReuse(options, { pool }));
      const validate = new ValidateStream(options);
      this.#parse = parse;
      this.#invalid = () => validate.stats.invalid;
      this.#byCode = () => sumRejectCounts(parse.stats.byCode, validate.stats.byCode);
      this.#dedupe = new DedupeStream(dedupeOptions);
      this.#batch = new JsonBatchStream(batchOptions);
      this.writable = parse.writable;
      this.readable = parse.readable.pipeThrough(validate).pipeThrough(this.#dedupe).pipeThrough(this.#batch);
    } else {
      const parse = new WorkerRowStream({ ...options, worker: rowWorker });
      this.#parse = parse;
      this.#invalid = () => parse.stats.invalid;
      this.#byCode = () => sumRejectCounts(parse.stats.byCode);
      this.#dedupe = new DedupeStream(dedupeOptions);
      this.#batch = new JsonBatchStream(batchOptions);
      this.writable = parse.writable;
      this.readable = parse.readable.pipeThrough(this.#dedupe).pipeThrough(this.#batch);
    }
  }

  /** Where the rows read so far went. */
  get counts(): RowCounts {
    const parse = this.#parse.stats;
    return {
      read: parse.read,
      invalid: parse.rejected + this.#invalid() + this.#batch.stats.tooLarge,
      invalidByCode: sumRejectCounts(this.#byCode(), { ROW_TOO_LARGE: this.#batch.stats.tooLarge }),
      duplicate: this.#dedupe.stats.duplicate,
      batched: this.#batch.stats.rows,
      skipped: this.#batch.stats.skipped,
    };
  }

  /**
   * Declare that the input ends early on purpose (reading was stopped): a
   * last record without its line break is then dropped, not read.
   */
  truncate(): void {
    this.#parse.truncate();
  }

  /** Give back the buffer of a body this stream made, once nothing reads it any more (see `JsonBatcher.release`). */
  release(body: Uint8Array): void {
    this.#batch.batcher.release(body);
  }

  /** The batching stage's core, to see which rows it holds (`lastLine`, `openFirstLine`). */
  get batcher(): JsonBatcher {
    return this.#batch.batcher;
  }

  /** Keys held and bytes used by the dedupe index. */
  get dedupeIndex(): { readonly size: number; readonly bytes: number } {
    return this.#dedupe.index;
  }
}
