import { reuseOf } from "../buffer_pool.ts";
import type { RowBatch } from "../row_batch.ts";
import type { JsonBatch } from "./json_batch.ts";
import { JsonBatcher, type JsonBatcherOptions, type JsonBatchStats } from "./json_batcher.ts";

/** Options of {@linkcode JsonBatchStream}. */
export interface JsonBatchStreamOptions extends JsonBatcherOptions {
  /**
   * Told of each body as it is cut, before it is passed on (e.g. to track
   * which rows are not yet acknowledged).
   * @default undefined
   */
  onBody?: (batch: JsonBatch) => void;
}

/**
 * Turns batches of rows into request bodies: each a {@linkcode JsonBatch}
 * whose `body` is a JSON array of at most `maxBytes` UTF-8 bytes, with the
 * source lines of its rows.
 *
 * @example
 * ```ts
 * const bodies = unique.pipeThrough(new JsonBatchStream({ maxBytes: 4_000_000 }));
 * for await (const batch of bodies) await post(batch.body);
 * ```
 */
export class JsonBatchStream extends TransformStream<RowBatch, JsonBatch> {
  readonly #batcher: JsonBatcher;

  constructor(options: JsonBatchStreamOptions = {}) {
    const batcher = new JsonBatcher(options);
    // Inside CsvBatchStream this stage is its batches' last reader: it gives their arrays back.
    const release = reuseOf(options).releaseRows === true;
    super({
      transform(rows, controller) {
        const bodies = batcher.push(rows);
        if (release) rows.release();
        for (const body of bodies) {
          options.onBody?.(body);
          controller.enqueue(body);
        }
      },
      flush(controller) {
        const last = batcher.flush();
        if (last !== undefined) {
          options.onBody?.(last);
          controller.enqueue(last);
        }
      },
    });
    this.#batcher = batcher;
  }

  /** The batcher: its `lastLine` and `openFirstLine` tell which rows it holds. */
  get batcher(): JsonBatcher {
    return this.#batcher;
  }

  /** Rows batched, bodies and bytes so far. */
  get stats(): Readonly<JsonBatchStats> {
    return this.#batcher.stats;
  }
}
