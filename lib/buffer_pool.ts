import { InvalidOptionError } from "./errors.ts";

/**
 * The key under which the composed stream and the import hand their stages
 * memory reuse: a symbol no public options type names, so reuse stays
 * behind the API (stages built by hand just allocate).
 */
export const REUSE: unique symbol = Symbol("eloqua-bulk-stream reuse");

/** What {@linkcode REUSE} carries. */
export interface Reuse {
  /** Where a stage takes the arrays of the batches it makes, and gets them back when a batch is released. */
  readonly pool?: BufferPool;
  /** Whether the batching stage releases each batch of rows once written (it is their last reader). */
  readonly releaseRows?: boolean;
}

/** Options that may carry {@linkcode REUSE}. */
export interface WithReuse {
  readonly [REUSE]?: Reuse;
}

/** `options` with `reuse` added, typed as they were (the key is not part of any public options type). */
export function withReuse<T extends object>(options: T, reuse: Reuse): T {
  return { ...options, [REUSE]: reuse };
}

/** The reuse `options` carry, if any. */
export function reuseOf(options: object): Reuse {
  return (options as WithReuse)[REUSE] ?? {};
}

/**
 * ArrayBuffers given back once nothing reads them, for the arrays of the
 * next batches: a stage takes from the pool instead of allocating, and the
 * last reader of a batch gives its buffers back (`RowBatch.release`).
 *
 * Why: fresh memory costs a page fault per 4 KiB on first touch, and a
 * runtime that frees buffers late hands them back to the system in bursts,
 * so a stream that allocates every batch anew faults over and over, and on
 * a VM those faults are a visible share of an import's CPU (bench/README.md).
 *
 * A buffer taken may hold old bytes: callers overwrite what they use.
 */
export class BufferPool {
  readonly #free: ArrayBuffer[] = [];
  readonly #max: number;

  /** @param max buffers kept at most; more given back are left to the garbage collector. */
  constructor(max = 16) {
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new InvalidOptionError("BufferPool", "max", "a non-negative integer", max);
    }
    this.#max = max;
  }

  /** Buffers kept. */
  get size(): number {
    return this.#free.length;
  }

  /**
   * A buffer of at least `bytes` bytes: the smallest kept one that fits, or
   * a new one with a quarter more room, so that the next request of about
   * the same size fits it too.
   */
  take(bytes: number): ArrayBuffer {
    const free = this.#free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const length = free[i]!.byteLength;
      if (length >= bytes && (best < 0 || length < free[best]!.byteLength)) best = i;
    }
    if (best < 0) return new ArrayBuffer(bytes + (bytes >> 2));
    const buffer = free[best]!;
    free[best] = free[free.length - 1]!;
    free.pop();
    return buffer;
  }

  /** Keep `buffer` for a later `take`; nothing may read or write it any more. Empty (or detached) buffers are ignored. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || this.#free.length >= this.#max) return;
    this.#free.push(buffer);
  }

  /** Remove and return every buffer kept, e.g. to transfer them to the thread that fills them. */
  drain(): ArrayBuffer[] {
    return this.#free.splice(0);
  }
}

/** Whether `value` can serve as a {@linkcode BufferPool} (also one from another copy of this library). */
export function isBufferPool(value: unknown): value is BufferPool {
  const pool = value as Partial<Record<keyof BufferPool, unknown>> | null;
  return (
    typeof pool === "object" &&
    pool !== null &&
    typeof pool.take === "function" &&
    typeof pool.give === "function" &&
    typeof pool.drain === "function"
  );
}
