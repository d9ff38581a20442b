import { BufferPool } from "../buffer_pool.ts";
import { CsvHeaderError, type CsvHeaderErrorCode } from "../csv/csv_errors.ts";
import { CsvRowReader } from "../csv/csv_row_reader.ts";
import { type RowKey, rowKey } from "../dedupe/row_key.ts";
import { EloquaBulkError, InvalidOptionError } from "../errors.ts";
import type { RejectHandler } from "../reject.ts";
import { MAKE, RowBatch } from "../row_batch.ts";
import { LINKAGE_SCHEMA } from "../schema.ts";
import type {
  FromRowWorker,
  RowBatchParts,
  RowWorkerFailure,
  RowWorkerOptions,
  RowWorkerStats,
  ToRowWorker,
} from "./row_worker_protocol.ts";

/** Buffers of released batches held for the worker between two chunks, at most. */
const SPARES_RETURNED = 32;

const WORKER_OPTIONS = [
  "schema",
  "columns",
  "caseSensitiveHeaders",
  "sourceName",
  "delimiter",
  "maxRecordLength",
  "caseSensitive",
] as const satisfies readonly (keyof RowWorkerOptions)[];

/**
 * A worker running `serveRows` (`lib/worker/row_worker_core.ts`), whatever
 * the runtime's worker API: `spawnRowWorkerThread` (Node, `lib/node/`) or
 * `spawnWebRowWorker` (Deno, Bun, browsers).
 */
export interface RowWorkerPort {
  postMessage(message: ToRowWorker, transfer: Transferable[]): void;
  /** Called once, before any message is posted: where the worker's answers and its crash go. */
  listen(onMessage: (message: FromRowWorker) => void, onError: (error: unknown) => void): void;
  terminate(): void;
}

/** Options of {@linkcode WorkerRowStream}. */
export interface WorkerRowStreamOptions extends RowWorkerOptions {
  /** The worker to parse in; the stream terminates it when it ends or fails. */
  worker: RowWorkerPort;
  /** Receives every record that cannot be read and every invalid row, as `CsvParseStream` and `ValidateStream` would. */
  onReject?: RejectHandler;
  /**
   * Chunks sent to the worker and not answered yet, at most: bounds memory and keeps both threads busy.
   * @default 4
   */
  maxInFlight?: number;
  /**
   * Bytes gathered from the input before they go to the worker as one chunk: every message between
   * threads costs tens of microseconds, so 64 KiB reads are sent 1 MiB at a time.
   * @default 1_048_576
   */
  chunkBytes?: number;
}

/**
 * `CsvParseStream` → `ValidateStream` in a worker, plus the key hash of
 * every row (so the dedupe stage only looks keys up): CSV bytes or text in,
 * valid {@linkcode RowBatch}es out, the same rows, rejects and counts as the
 * two stages on this thread. What it costs: one copy of each chunk to the
 * worker; rows, spans and bytes come back by transfer.
 *
 * The schema goes to the worker as data, so it cannot hold `validate`
 * functions (use `format`).
 */
export class WorkerRowStream extends TransformStream<Uint8Array | string, RowBatch> {
  readonly #state: { stats: RowWorkerStats; truncated: boolean };

  constructor(options: WorkerRowStreamOptions) {
    const { worker, onReject, maxInFlight = 4, chunkBytes = 1 << 20 } = options;
    const port = worker as Partial<Record<keyof RowWorkerPort, unknown>> | undefined;
    if (
      typeof port !== "object" ||
      port === null ||
      typeof port.postMessage !== "function" ||
      typeof port.listen !== "function" ||
      typeof port.terminate !== "function"
    ) {
      throw new InvalidOptionError(
        "WorkerRowStream",
        "worker",
        "a RowWorkerPort (postMessage, listen, terminate), e.g. spawnRowWorkerThread()",
        worker,
      );
    }
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
      throw new InvalidOptionError("WorkerRowStream", "chunkBytes", "a positive integer", chunkBytes);
    }
    // Only data goes to the worker: the options it needs, the undefined ones left out.
    const rest: Record<string, unknown> = {};
    for (const name of WORKER_OPTIONS) if (options[name] !== undefined) rest[name] = options[name];
    if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) {
      throw new InvalidOptionError("WorkerRowStream", "maxInFlight", "a positive integer", maxInFlight);
    }
    const schema = options.schema ?? LINKAGE_SCHEMA;
    schema.fields.forEach((field, k) => {
      if (field.validate !== undefined) {
        throw new InvalidOptionError(
          "WorkerRowStream",
          `schema.fields[${k}].validate`,
          "absent: a function cannot be sent to a worker (use format, or parse on this thread)",
          "a function",
        );
      }
    });
    // Bad options throw here, not later in the worker.
    new CsvRowReader(rest);
    // The worker hashes keys by this rule (it computes the same from the same options).
    const key = rowKey(schema, options.caseSensitive ?? {}, "WorkerRowStream");

    const state = { stats: { read: 0, rejected: 0, valid: 0, invalid: 0, byCode: {} }, truncated: false };
    let pending = 0;
    let ended = false;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const waitForAnswer = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    const woken = (): void => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };

    // Memory of released batches (see BufferPool): their chunks are gathered into again, their arrays go
    // back to the worker with the next chunk.
    const chunks = new BufferPool(maxInFlight + 2);
    const spares = new BufferPool(SPARES_RETURNED);
    const recycle = (batch: RowBatch): void => {
      if (batch.bytes.buffer.byteLength >= chunkBytes) chunks.give(batch.bytes.buffer as ArrayBuffer);
      for (const buffer of batch.buffers()) spares.give(buffer);
    };
    /** A chunk-sized array to gather input into (`chunkBytes` long; its buffer may be longer). */
    const chunkArray = (): Uint8Array<ArrayBuffer> => new Uint8Array(chunks.take(chunkBytes), 0, chunkBytes);

    let gathering: Uint8Array<ArrayBuffer> | undefined;
    let gathered = 0;
    /** Post `chunk` once fewer than `maxInFlight` chunks are unanswered. */
    const post = async (chunk: Uint8Array<ArrayBuffer> | string): Promise<void> => {
      while (pending >= maxInFlight && failure === undefined) await waitForAnswer();
      if (failure !== undefined) throw failure;
      pending++;
      const returned = spares.drain();
      const transfer: Transferable[] =
        typeof chunk === "string" ? [...returned] : [chunk.buffer, ...returned];
      worker.postMessage({ type: "chunk", chunk, spares: returned }, transfer);
    };
    /** Send the bytes gathered so far, if any. */
    const send = async (): Promise<void> => {
      if (gathering === undefined || gathered === 0) return;
      const chunk = gathered === gathering.length ? gathering : gathering.slice(0, gathered);
      gathering = undefined;
      gathered = 0;
      await post(chunk);
    };

    super({
      start(controller) {
        const fail = (error: Error): void => {
          if (failure !== undefined) return;
          failure = error;
          worker.terminate();
          try {
            controller.error(error);
          } catch {
            // Already closed or errored.
          }
          woken();
        };
        worker.listen(
          (message) => {
            if (failure !== undefined) return;
            if (message.type === "failed") {
              fail(rebuildFailure(message.failure));
              return;
            }
            for (const reject of message.rejects) onReject?.(reject);
            state.stats = message.stats;
            if (message.batch !== undefined) {
              try {
                const batch = rebuildBatch(message.batch, key, recycle);
                controller.enqueue(batch);
              } catch (error) {
                // The readable side was cancelled: stop the worker; a later write fails with this.
                fail(error instanceof Error ? error : new Error(String(error)));
                return;
              }
            }
            pending--;
            if (message.last) ended = true;
            woken();
          },
          (error) =>
            fail(
              new EloquaBulkError(
                "ROW_WORKER_FAILED",
                `The worker reading the CSV stopped: ${error instanceof Error ? error.message : String(error)}`,
                { cause: error },
              ),
            ),
        );
        worker.postMessage({ type: "init", options: rest, rejects: onReject !== undefined }, []);
      },
      async transform(chunk) {
        if (failure !== undefined) throw failure;
        if (typeof chunk === "string") {
          await send();
          await post(chunk);
          return;
        }
        // The worker gets a copy it owns (the caller may reuse its buffer): gathered here, then transferred.
        for (let at = 0; at < chunk.length; ) {
          const take = Math.min(chunkBytes - gathered, chunk.length - at);
          if (take === chunkBytes) {
            const whole = chunkArray();
            whole.set(chunk.subarray(at, at + take));
            await post(whole);
          } else {
            gathering ??= chunkArray();
            gathering.set(chunk.subarray(at, at + take), gathered);
            gathered += take;
            if (gathered === chunkBytes) await send();
          }
          at += take;
        }
      },
      async flush() {
        await send();
        while (pending >= maxInFlight && failure === undefined) await waitForAnswer();
        if (failure !== undefined) throw failure;
        pending++;
        worker.postMessage({ type: "end", truncated: state.truncated }, []);
        while (!ended && failure === undefined) await waitForAnswer();
        worker.terminate();
        if (failure !== undefined) throw failure;
      },
    });
    this.#state = state;
  }

  /** Records read and rejected, rows valid and invalid, as of the last answer from the worker. */
  get stats(): Readonly<RowWorkerStats> {
    return this.#state.stats;
  }

  /** As `CsvParseStream.truncate`: at the end, a last record without its line break is dropped, not read. */
  truncate(): void {
    this.#state.truncated = true;
  }
}

function rebuildBatch(parts: RowBatchParts, key: RowKey, recycle: (batch: RowBatch) => void): RowBatch {
  // The worker took the key hashes by the same rule (from the same options).
  return new RowBatch(MAKE, { ...parts, keyRule: key, onRelease: recycle });
}

function rebuildFailure(failure: RowWorkerFailure): Error {
  if (failure.name === "CsvHeaderError" && failure.source !== undefined && failure.line !== undefined) {
    return new CsvHeaderError(
      failure.code as CsvHeaderErrorCode,
      failure.source,
      failure.line,
      failure.field,
      failure.problem ?? failure.message,
    );
  }
  return new EloquaBulkError(failure.code ?? "ROW_WORKER_FAILED", failure.message);
}
