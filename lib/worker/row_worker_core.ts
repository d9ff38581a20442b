import { BufferPool, withReuse } from "../buffer_pool.ts";
import { isCsvHeaderError } from "../csv/csv_errors.ts";
import { CsvRowReader } from "../csv/csv_row_reader.ts";
import { type RowKey, rowKey } from "../dedupe/row_key.ts";
import { type Reject, sumRejectCounts } from "../reject.ts";
import type { RowBatch } from "../row_batch.ts";
import { LINKAGE_SCHEMA } from "../schema.ts";
import { RowValidator } from "../validate/row_validator.ts";
import type { FromRowWorker, RowBatchParts, RowWorkerFailure, ToRowWorker } from "./row_worker_protocol.ts";

/** Sends a message to the main thread, transferring the buffers listed. */
export type PostToMain = (message: FromRowWorker, transfer: Transferable[]) => void;

const NO_BYTES = new Uint8Array(0);
/** Spare buffers the worker keeps: four arrays a batch, for the batches in flight and queued on the main thread. */
const SPARES_KEPT = 32;

/**
 * The worker's side of a row worker, without any worker API: give it a way
 * to post to the main thread, and it returns the handler of the main
 * thread's messages. It parses each chunk, validates the rows, hashes their
 * keys and answers with the rows and the rejects of that chunk, in order.
 * A failure (a header that cannot be read) is answered once; later
 * messages are ignored.
 */
export function serveRows(post: PostToMain): (message: ToRowWorker) => void {
  let reader: CsvRowReader | undefined;
  let validator: RowValidator | undefined;
  let key: RowKey | undefined;
  let rejects: Reject[] = [];
  let failed = false;
  // Arrays of batches the main thread released, for the next batches' (see BufferPool).
  const pool = new BufferPool(SPARES_KEPT);
  const onReject = (reject: Reject): void => {
    rejects.push(reject);
  };

  const answer = (batch: RowBatch | undefined, last: boolean): void => {
    let parts: RowBatchParts | undefined;
    const transfer: Transferable[] = [];
    if (batch !== undefined && validator!.validate(batch).length > 0) {
      const keys = batch.keyHashes(key!);
      // The chunk's bytes go back to the main thread (a chunk of the previous answer is already gone).
      const bytes = batch.bytes.byteLength > 0 ? batch.bytes : NO_BYTES;
      parts = {
        width: batch.width,
        bytes,
        aux: batch.aux,
        length: batch.length,
        lines: batch.lines,
        starts: batch.starts,
        ends: batch.ends,
        keys,
      };
      transfer.push(batch.lines.buffer, batch.starts.buffer, batch.ends.buffer, keys.buffer);
      if (bytes.byteLength > 0) transfer.push(bytes.buffer);
    }
    const stats = {
      read: reader!.stats.read,
      rejected: reader!.stats.rejected,
      valid: validator!.stats.valid,
      invalid: validator!.stats.invalid,
      byCode: sumRejectCounts(reader!.stats.byCode, validator!.stats.byCode),
    };
    post({ type: "rows", batch: parts, rejects, stats, last }, transfer);
    rejects = [];
  };

  return (message) => {
    if (failed) return;
    try {
      switch (message.type) {
        case "init": {
          const options = withReuse(
            { ...message.options, ...(message.rejects === false ? {} : { onReject }) },
            { pool },
          );
          reader = new CsvRowReader(options);
          validator = new RowValidator(options);
          key = rowKey(options.schema ?? LINKAGE_SCHEMA, options.caseSensitive ?? {}, "RowWorker");
          break;
        }
        case "chunk":
          for (const spare of message.spares ?? []) pool.give(spare);
          answer(reader!.push(message.chunk), false);
          break;
        case "end":
          answer(reader!.end(message.truncated), true);
          break;
      }
    } catch (error) {
      failed = true;
      post({ type: "failed", failure: describeFailure(error) }, []);
    }
  };
}

function describeFailure(error: unknown): RowWorkerFailure {
  if (isCsvHeaderError(error)) {
    const prefix = `${error.source} line ${error.line}: `;
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      source: error.source,
      line: error.line,
      field: error.field,
      problem: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message,
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, code: (e as { code?: string }).code, message: e.message };
}
