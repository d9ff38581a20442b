import type { RowBatch } from "../row_batch.ts";

/**
 * A 128-bit hash of a row's key fields (MurmurHash3 x86_128 over 32-bit
 * words), written into {@linkcode KEY_HASH}. The words encode each field's
 * length and then its UTF-16 code units two at a time, so different field
 * lists never share an encoding (`["ab","c"]` ≠ `["a","bc"]`). Fields marked
 * case-insensitive are lower-cased on the fly (ASCII inline; other text
 * through `toLowerCase`).
 *
 * The lowest bit of the last word is forced to 1, so a key is never all
 * zeros (the dedupe table's empty slot); 127 bits remain.
 */
export const KEY_HASH: Int32Array = new Int32Array(4);

let words = new Int32Array(256);

/** Hash the key fields `fields` of row `row` of `batch`; `caseSensitive[k]` says whether field `fields[k]` keeps its case. */
export function hashRowKey(
  batch: RowBatch,
  row: number,
  fields: readonly number[],
  caseSensitive: readonly boolean[],
): void {
  let w = 0;
  const base = row * batch.width;
  for (let k = 0; k < fields.length; k++) {
    const i = base + fields[k]!;
    const start = batch.starts[i]!;
    if (start >= 0) w = addField(batch.text, start, batch.ends[i]!, !caseSensitive[k], w);
    else w = addField(batch.aux, ~start, batch.ends[i]!, !caseSensitive[k], w);
  }
  murmur128(words, w);
}

/** Hash the strings `values`; `caseSensitive[k]` says whether `values[k]` keeps its case. Same result as {@linkcode hashRowKey}. */
export function hashKey(values: readonly string[], caseSensitive: readonly boolean[]): void {
  let w = 0;
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    w = addField(value, 0, value.length, !caseSensitive[k], w);
  }
  murmur128(words, w);
}

/**
 * Write the words of `s.slice(a, e)` from word `w` on: its length, then its
 * code units two by two. Returns the next free word.
 */
function addField(s: string, a: number, e: number, fold: boolean, w: number): number {
  const n = e - a;
  if (words.length < w + (n >> 1) + 2) words = grow(words, w + (n >> 1) + 2);
  const out = words;
  const start = w;
  out[w++] = n;
  let i = a;
  for (; i + 1 < e; i += 2) {
    let x = s.charCodeAt(i);
    let y = s.charCodeAt(i + 1);
    if (fold) {
      if (x > 127 || y > 127) return foldSlowly(s, a, e, start);
      if (x >= 65 && x <= 90) x += 32;
      if (y >= 65 && y <= 90) y += 32;
    }
    out[w++] = x | (y << 16);
  }
  if (i < e) {
    let x = s.charCodeAt(i);
    if (fold) {
      if (x > 127) return foldSlowly(s, a, e, start);
      if (x >= 65 && x <= 90) x += 32;
    }
    // The odd last code unit carries a marker bit above 16 so "a" and "a\0" differ.
    out[w++] = x | 0x10000;
  }
  return w;
}

/** Non-ASCII text in a case-insensitive field: lower-case it whole and encode it again from word `start`. */
function foldSlowly(s: string, a: number, e: number, start: number): number {
  const lower = s.slice(a, e).toLowerCase();
  return addField(lower, 0, lower.length, false, start);
}

function grow(old: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(need, old.length * 2));
  next.set(old);
  return next;
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

function murmur128(data: Int32Array, length: number): void {
  let h1 = 0x9747b28c | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocks = length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    let k1 = data[i]!;
    let k2 = data[i + 1]!;
    let k3 = data[i + 2]!;
    let k4 = data[i + 3]!;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const rest = length - blocks;
  if (rest > 0) {
    let k3 = rest > 2 ? data[i + 2]! : 0;
    let k2 = rest > 1 ? data[i + 1]! : 0;
    let k1 = data[i]!;
    if (rest > 2) {
      k3 = Math.imul(k3, C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      h3 ^= Math.imul(k3, C4);
    }
    if (rest > 1) {
      k2 = Math.imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= Math.imul(k2, C3);
    }
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
  }
  const bytes = length << 2;
  h1 ^= bytes;
  h2 ^= bytes;
  h3 ^= bytes;
  h4 ^= bytes;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  KEY_HASH[0] = h1;
  KEY_HASH[1] = h2;
  KEY_HASH[2] = h3;
  KEY_HASH[3] = h4 | 1;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
