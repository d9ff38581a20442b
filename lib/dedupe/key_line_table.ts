import { InvalidOptionError } from "../errors.ts";

/** Words a slot: `h0, h1, h2` of a key and its line (0: an empty slot). */
const WORDS = 4;
const MIN_CAPACITY = 1024;
/** Largest line a slot holds: lines are stored as unsigned 32-bit words. */
const MAX_LINE = 0xffff_ffff;

/**
 * The line of each key: a map from 128-bit key hashes (four words, as
 * `hashRowKey` gives them) to a source line, in one power-of-two table of
 * 16-byte slots with linear probing, at most three quarters full — 21 to
 * 43 bytes a key, no object per key. A slot keeps the first three words, so two keys
 * are taken for one only if 96 bits match (about n²/2⁹⁷: 10⁻¹³ at 100 M keys).
 *
 * It holds the last valid line of each key for imports that keep the last
 * occurrence (`keep: "last"`), found by a first read of the input.
 */
export class KeyLineTable {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;

  constructor(expectedKeys = 0) {
    if (!Number.isSafeInteger(expectedKeys) || expectedKeys < 0) {
      throw new InvalidOptionError("KeyLineTable", "expectedKeys", "a non-negative integer", expectedKeys);
    }
    let capacity = MIN_CAPACITY;
    while (capacity * 0.75 < expectedKeys) capacity *= 2;
    this.#slots = new Uint32Array(capacity * WORDS);
    this.#mask = capacity - 1;
  }

  /** Keys held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** Sets the line of key `(h0, h1, h2)`, replacing any earlier one; `line` is from 1 to 2³² − 1. */
  set(h0: number, h1: number, h2: number, line: number): void {
    if (!(line >= 1 && line <= MAX_LINE)) {
      throw new RangeError(`KeyLineTable: line ${line} is outside 1 to ${MAX_LINE}`);
    }
    const at = this.#find(h0 >>> 0, h1 >>> 0, h2 >>> 0);
    const slots = this.#slots;
    if (slots[at + 3] !== 0) {
      slots[at + 3] = line;
      return;
    }
    slots[at] = h0;
    slots[at + 1] = h1;
    slots[at + 2] = h2;
    slots[at + 3] = line;
    if (++this.#size > (this.#mask + 1) * 0.75) this.#grow();
  }

  /** The line of key `(h0, h1, h2)`, or 0 when the table does not hold it. */
  get(h0: number, h1: number, h2: number): number {
    return this.#slots[this.#find(h0 >>> 0, h1 >>> 0, h2 >>> 0) + 3]!;
  }

  /** The slot of the key, or the empty slot where it would go. */
  #find(h0: number, h1: number, h2: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = h1 & mask;
    for (;;) {
      const at = i * WORDS;
      if (slots[at + 3] === 0 || (slots[at] === h0 && slots[at + 1] === h1 && slots[at + 2] === h2)) {
        return at;
      }
      i = (i + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    const slots = this.#slots;
    for (let from = 0; from < old.length; from += WORDS) {
      if (old[from + 3] === 0) continue;
      const at = this.#find(old[from]!, old[from + 1]!, old[from + 2]!);
      slots[at] = old[from]!;
      slots[at + 1] = old[from + 1]!;
      slots[at + 2] = old[from + 2]!;
      slots[at + 3] = old[from + 3]!;
    }
  }
}
