import { EloquaBulkError, InvalidOptionError } from "../errors.ts";

/** Options of {@linkcode DedupeIndex}. */
export interface DedupeIndexOptions {
  /**
   * Unique keys expected, to size the table once up front (no rehashing,
   * faster inserts). A wrong guess costs nothing but speed.
   * @default 0 (start small and grow)
   */
  expectedKeys?: number;
}

const WORDS = 3;
const MIN_CAPACITY = 16;
const MAX_LOAD = 0.75;
/** 2^30 slots (12 GiB): the most an `Int32Array` of three words a slot can hold, as a power of two. */
const MAX_CAPACITY = 2 ** 30;

/** The smallest power of two ≥ 16 whose 75% holds `keys`. */
function capacityFor(keys: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity * MAX_LOAD < keys && capacity < MAX_CAPACITY) capacity *= 2;
  return capacity;
}

/**
 * A set of 128-bit keys in one typed array: open addressing with linear
 * probing, a power-of-two number of slots, at most 75% full, doubled when
 * fuller, with no per-key object. A slot keeps three of a key's four words
 * (12 bytes: between 16 and 32 bytes a key), its home slot is the second
 * word's low bits, and two keys are one only if those 96 bits match.
 *
 * One table and masks rather than shards or multiplications: the inner loop
 * is a few integer operations (bench/README.md has the measurements). Growing
 * holds the old and the new table at once, so pass `expectedKeys` when it
 * can be known.
 */
export class DedupeIndex {
  #slots: Int32Array;
  #mask: number;
  #growAt: number;
  #size = 0;

  constructor(options: DedupeIndexOptions = {}) {
    const expected = options.expectedKeys ?? 0;
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new InvalidOptionError("DedupeIndex", "expectedKeys", "a non-negative integer", expected);
    }
    const capacity = capacityFor(expected);
    this.#slots = new Int32Array(capacity * WORDS);
    this.#mask = capacity - 1;
    this.#growAt = Math.floor(capacity * MAX_LOAD);
  }

  /** Number of keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /**
   * Add the `count` keys stored four words each in `keys` from key `from`
   * on; `fresh[j]` is set to 1 when key `from + j` was not there before (nor
   * earlier in `keys`), else 0.
   *
   * Faster than {@linkcode add} one by one: it first reads the home slot of
   * every key, so the cache misses of a large table overlap instead of
   * coming one after another, then inserts in order.
   */
  addMany(keys: Int32Array, from: number, count: number, fresh: Uint8Array): void {
    let slots = this.#slots;
    let mask = this.#mask;
    const end = (from + count) * 4;
    let touched = 0;
    for (let k = from * 4; k < end; k += 4) touched |= slots[(keys[k + 1]! & mask) * WORDS]!;
    this.#sink = touched;
    for (let k = from * 4, j = 0; k < end; k += 4, j++) {
      const h1 = keys[k + 1]!;
      const h2 = keys[k + 2]!;
      const h3 = keys[k + 3]!;
      let slot = h1 & mask;
      let i = slot * WORDS;
      let isNew = 1;
      for (;;) {
        const s3 = slots[i + 2]!;
        if (s3 === 0) break;
        if (s3 === h3 && slots[i] === h1 && slots[i + 1] === h2) {
          isNew = 0;
          break;
        }
        slot = (slot + 1) & mask;
        i = slot * WORDS;
      }
      fresh[j] = isNew;
      if (isNew === 0) continue;
      slots[i] = h1;
      slots[i + 1] = h2;
      slots[i + 2] = h3;
      if (++this.#size > this.#growAt) {
        this.#grow();
        slots = this.#slots;
        mask = this.#mask;
      }
    }
  }

  /** Keeps the reads of `addMany`'s first pass from being optimised away. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written so the engine must perform the reads
  #sink = 0;

  /**
   * Add the key `(h0, h1, h2, h3)`; true when it was not there before.
   * `h3` must not be 0 (the empty slot): {@linkcode hashKey} guarantees that.
   */
  add(h0: number, h1: number, h2: number, h3: number): boolean {
    const one = this.#one;
    one[0] = h0;
    one[1] = h1;
    one[2] = h2;
    one[3] = h3;
    this.addMany(one, 0, 1, this.#oneFresh);
    return this.#oneFresh[0] === 1;
  }

  readonly #one = new Int32Array(4);
  readonly #oneFresh = new Uint8Array(1);

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    if (capacity > MAX_CAPACITY) {
      throw new EloquaBulkError(
        "DEDUPE_INDEX_FULL",
        `The dedupe index holds at most ${Math.floor(MAX_CAPACITY * MAX_LOAD)} unique keys: split the input into smaller files`,
      );
    }
    const old = this.#slots;
    const slots = new Int32Array(capacity * WORDS);
    const mask = capacity - 1;
    // A key's new home is its old one or that plus the old capacity: reading in slot order writes nearly in order.
    for (let j = 0; j < old.length; j += WORDS) {
      const h3 = old[j + 2]!;
      if (h3 === 0) continue;
      const h1 = old[j]!;
      let slot = h1 & mask;
      while (slots[slot * WORDS + 2] !== 0) slot = (slot + 1) & mask;
      slots[slot * WORDS] = h1;
      slots[slot * WORDS + 1] = old[j + 1]!;
      slots[slot * WORDS + 2] = h3;
    }
    this.#slots = slots;
    this.#mask = mask;
    this.#growAt = Math.floor(capacity * MAX_LOAD);
  }
}
