/**
 * What the main thread and a row worker say to each other. The worker runs
 * the parse and validation stages and hashes each row's key; the main thread
 * keeps the dedupe index, the JSON batcher and the uploads. Everything sent
 * is structured-cloneable; typed arrays travel by transfer, not by copy.
 */
import type { CsvRowReaderOptions } from "../csv/csv_row_reader.ts";
import type { Reject, RejectCounts } from "../reject.ts";
import type { RowBatchColumns } from "../row_batch.ts";

/** The options a worker is started with: those of the parse and validation stages and the key's case rules (no callbacks). */
export type RowWorkerOptions = Omit<CsvRowReaderOptions, "onReject"> & {
  caseSensitive?: Readonly<Record<string, boolean>>;
};

/** Main thread → worker. */
export type ToRowWorker =
  | {
      readonly type: "init";
      readonly options: RowWorkerOptions;
      /** Whether the main thread reads rejects: without it, invalid rows are only counted (no objects built or copied). */
      readonly rejects?: boolean;
    }
  | {
      readonly type: "chunk";
      readonly chunk: Uint8Array | string;
      /** Buffers of released batches, for the worker to fill again (transferred). */
      readonly spares?: readonly ArrayBuffer[];
    }
  | { readonly type: "end"; readonly truncated: boolean };

/** The counts of the worker's stages after a message, cumulative. */
export interface RowWorkerStats {
  readonly read: number;
  readonly rejected: number;
  readonly valid: number;
  readonly invalid: number;
  /** The records and rows set aside, by reject code (parse and validation). */
  readonly byCode: Readonly<RejectCounts>;
}

/** The parts of a `RowBatch`, with the key hash of every row (4 words a row). */
export interface RowBatchParts extends RowBatchColumns {
  readonly keys: Int32Array;
}

/** A `CsvHeaderError` or another failure, as data. */
export interface RowWorkerFailure {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly source?: string;
  readonly line?: number;
  readonly field?: string | undefined;
  readonly problem?: string;
}

/** Worker → main thread: one answer per `chunk` and per `end`, in order. */
export type FromRowWorker =
  | {
      readonly type: "rows";
      /** Rows of the chunk, or `undefined` when it completed none. */
      readonly batch: RowBatchParts | undefined;
      /** Rows the chunk's records were rejected for, in input order. */
      readonly rejects: readonly Reject[];
      readonly stats: RowWorkerStats;
      /** True for the answer to `end`. */
      readonly last: boolean;
    }
  | { readonly type: "failed"; readonly failure: RowWorkerFailure };
