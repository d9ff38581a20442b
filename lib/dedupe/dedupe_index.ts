import { InvalidOptionError } from "../errors.ts";

/** Options of {@linkcode DedupeIndex}. */
export interface DedupeIndexOptions {
  /**
   * Unique keys expected, to size the table once up front (no rehashing,
   * faster inserts). A wrong guess costs nothing but speed.
   * @default 0 (start small and grow)
   */
  expectedKeys?: number;
}

const SHARD_BITS = 6;
/** Words a slot: `h1, h2, h3` of a key (its `h0` only picks the shard). */
const WORDS = 3;
const SHARDS = 1 << SHARD_BITS;
const MIN_CAPACITY = 16;
const MAX_LOAD = 0.75;
const GROWTH = 1.5;

/**
 * The home slot of a key in a table of `capacity` slots: `h1` scaled to the
 * capacity (Lemire's "fastrange"), not `h1 % capacity`. The home grows with
 * `h1`, so a table read in slot order is written nearly in order when it
 * grows — sequential, cache-friendly rehashing — and no division is needed.
 */
function home(h1: number, capacity: number): number {
  const slot = Math.floor(((h1 >>> 0) * capacity) / 4294967296);
  // Past 2^21 slots the product is rounded; it can then round up to the capacity itself.
  return slot < capacity ? slot : capacity - 1;
}

/**
 * A set of 128-bit keys in typed arrays: open addressing with linear
 * probing, at most 75% full, grown by ×1.5, with no per-key object. It is
 * split in 64 shards by the top 6 bits of a key's first word, which a slot
 * then need not keep: a slot is the other three words, 12 bytes — so between
 * 16 and 24 bytes per key, and two keys are one only if 102 bits match. The
 * shards grow one at a time, so growing never holds two copies of the whole
 * set and no single array limits the number of keys.
 *
 * (Slots of 16 bytes, the whole key, meant a third more memory touched at
 * random, and a page's first touch is costly on a VM: bench/README.md.)
 */
export class DedupeIndex {
  readonly #slots: Int32Array[] = [];
  readonly #capacity: number[] = [];
  readonly #count: number[] = [];
  readonly #growAt: number[] = [];
  #size = 0;

  constructor(options: DedupeIndexOptions = {}) {
    const expected = options.expectedKeys ?? 0;
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new InvalidOptionError("DedupeIndex", "expectedKeys", "a non-negative integer", expected);
    }
    const perShard = Math.max(MIN_CAPACITY, Math.ceil(expected / SHARDS / 0.7));
    for (let s = 0; s < SHARDS; s++) {
      this.#slots.push(new Int32Array(perShard * WORDS));
      this.#capacity.push(perShard);
      this.#count.push(0);
      this.#growAt.push(Math.floor(perShard * MAX_LOAD));
    }
  }

  /** Number of keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the tables. */
  get bytes(): number {
    let total = 0;
    for (const slots of this.#slots) total += slots.byteLength;
    return total;
  }

  /**
   * Add `count` keys stored four words each in `keys`; `fresh[j]` is set to
   * 1 when key `j` was not there before (nor earlier in `keys`), else 0.
   *
   * Faster than {@linkcode add} one by one: it first reads the home slot of
   * every key, so the cache misses of a large table overlap instead of
   * coming one after another, then inserts in order.
   */
  addMany(keys: Int32Array, count: number, fresh: Uint8Array): void {
    let touched = 0;
    for (let j = 0; j < count; j++) {
      const h0 = keys[j * 4]!;
      const shard = h0 >>> (32 - SHARD_BITS);
      const slots = this.#slots[shard]!;
      touched |= slots[home(keys[j * 4 + 1]!, this.#capacity[shard]!) * WORDS]!;
    }
    this.#sink = touched;
    for (let j = 0; j < count; j++) {
      fresh[j] = this.add(keys[j * 4]!, keys[j * 4 + 1]!, keys[j * 4 + 2]!, keys[j * 4 + 3]!) ? 1 : 0;
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
    const shard = h0 >>> (32 - SHARD_BITS);
    const slots = this.#slots[shard]!;
    const capacity = this.#capacity[shard]!;
    let i = home(h1, capacity) * WORDS;
    const end = capacity * WORDS;
    for (;;) {
      const s3 = slots[i + 2]!;
      if (s3 === 0) break;
      if (s3 === h3 && slots[i] === h1 && slots[i + 1] === h2) return false;
      i += WORDS;
      if (i === end) i = 0;
    }
    slots[i] = h1;
    slots[i + 1] = h2;
    slots[i + 2] = h3;
    this.#size++;
    if (++this.#count[shard]! > this.#growAt[shard]!) this.#grow(shard);
    return true;
  }

  #grow(shard: number): void {
    const old = this.#slots[shard]!;
    const capacity = Math.ceil(this.#capacity[shard]! * GROWTH);
    const slots = new Int32Array(capacity * WORDS);
    const end = capacity * WORDS;
    for (let j = 0; j < old.length; j += WORDS) {
      const h3 = old[j + 2]!;
      if (h3 === 0) continue;
      const h1 = old[j]!;
      let i = home(h1, capacity) * WORDS;
      while (slots[i + 2] !== 0) {
        i += WORDS;
        if (i === end) i = 0;
      }
      slots[i] = h1;
      slots[i + 1] = old[j + 1]!;
      slots[i + 2] = h3;
    }
    this.#slots[shard] = slots;
    this.#capacity[shard] = capacity;
    this.#growAt[shard] = Math.floor(capacity * MAX_LOAD);
  }
}
