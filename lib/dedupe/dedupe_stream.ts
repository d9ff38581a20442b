import type { RowBatch } from "../row_batch.ts";
import { type DedupeStats, RowDeduper, type RowDeduperOptions } from "./row_deduper.ts";

/** Options of {@linkcode DedupeStream}. */
export type DedupeStreamOptions = RowDeduperOptions;

/**
 * Passes on the first row of each key (OpportunityID + EmailAddress for
 * linkage imports), in order; later ones are counted, and go to `onReject`
 * with code `DUPLICATE`.
 *
 * @example
 * ```ts
 * const unique = valid.pipeThrough(new DedupeStream({ expectedKeys: 5_000_000 }));
 * ```
 */
export class DedupeStream extends TransformStream<RowBatch, RowBatch> {
  readonly #deduper: RowDeduper;

  constructor(options: DedupeStreamOptions = {}) {
    const deduper = new RowDeduper(options);
    super({
      transform(batch, controller) {
        if (deduper.dedupe(batch).length > 0) controller.enqueue(batch);
      },
    });
    this.#deduper = deduper;
  }

  /** Unique and duplicate rows so far. */
  get stats(): Readonly<DedupeStats> {
    return this.#deduper.stats;
  }

  /** Keys held and bytes used by the index. */
  get index(): { readonly size: number; readonly bytes: number } {
    return this.#deduper.index;
  }
}
