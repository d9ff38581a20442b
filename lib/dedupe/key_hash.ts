import type { RowBatch } from "../row_batch.ts";
import { viewOf } from "../text_span.ts";

/**
 * A 128-bit hash of a row's key fields (MurmurHash3 x86_128 over 32-bit
 * words), written into {@linkcode KEY_HASH}. The words encode each field's
 * UTF-8 length in bytes and then its UTF-8 bytes four at a time, so
 * different field lists never share an encoding (`["ab","c"]` ≠
 * `["a","bc"]`), and a value hashes the same whether a batch holds it as
 * bytes of the input or as a string. Fields marked case-insensitive are
 * lower-cased on the fly (ASCII four bytes at a time; other text through
 * `toLowerCase`).
 *
 * The lowest bit of the last word is forced to 1, so a key is never all
 * zeros (the dedupe table's empty slot); 127 bits remain.
 */
export const KEY_HASH: Int32Array = new Int32Array(4);

let words = new Int32Array(256);
const encoder = new TextEncoder();

/** Hash the key fields `fields` of row `row` of `batch`; `caseSensitive[k]` says whether field `fields[k]` keeps its case. */
export function hashRowKey(
  batch: RowBatch,
  row: number,
  fields: readonly number[],
  caseSensitive: readonly boolean[],
): void {
  hashRowKeyIn(batch, viewOf(batch.bytes), row, fields, caseSensitive);
}

/** {@linkcode hashRowKey} with a DataView of `batch.bytes` made once for the batch. */
export function hashRowKeyIn(
  batch: RowBatch,
  view: DataView,
  row: number,
  fields: readonly number[],
  caseSensitive: readonly boolean[],
): void {
  let w = 0;
  const base = row * batch.width;
  for (let k = 0; k < fields.length; k++) {
    const i = base + fields[k]!;
    const start = batch.starts[i]!;
    if (start >= 0) w = addBytes(batch.bytes, view, start, batch.ends[i]!, !caseSensitive[k], w);
    else w = addString(batch.aux, ~start, batch.ends[i]!, !caseSensitive[k], w);
  }
  murmur128(words, w);
}

/** Hash the strings `values`; `caseSensitive[k]` says whether `values[k]` keeps its case. Same result as {@linkcode hashRowKey}. */
export function hashKey(values: readonly string[], caseSensitive: readonly boolean[]): void {
  let w = 0;
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    w = addString(value, 0, value.length, !caseSensitive[k], w);
  }
  murmur128(words, w);
}

/** Four ASCII bytes of a word with A–Z lower-cased at once (no byte ≥ 0x80, so no carry between bytes). */
function foldWord(x: number): number {
  const upper = ((x + 0x3f3f3f3f) | 0) & ~((x + 0x25252525) | 0) & 0x80808080;
  return x | (upper >>> 2);
}

/** Make room for a field of `n` bytes from word `w`. */
function reserve(w: number, n: number): void {
  if (words.length < w + (n >> 2) + 2) words = grow(words, w + (n >> 2) + 2);
}

/**
 * Write the words of the UTF-8 bytes `b[a, e)` from word `w` on: its length,
 * then its bytes four by four. Returns the next free word.
 */
function addBytes(b: Uint8Array, view: DataView, a: number, e: number, fold: boolean, w: number): number {
  const n = e - a;
  reserve(w, n);
  const out = words;
  out[w++] = n;
  let i = a;
  // Four bytes a step, little-endian: the same word as `b[i] | b[i + 1] << 8 | …`.
  if (fold) for (; i + 3 < e; i += 4) out[w++] = foldWord(view.getInt32(i, true));
  else for (; i + 3 < e; i += 4) out[w++] = view.getInt32(i, true);
  if (i < e) {
    let x = 0;
    for (let s = 0; i < e; i++, s += 8) x |= b[i]! << s;
    out[w++] = fold ? foldWord(x) : x;
  }
  return w;
}

/** The same words for `s.slice(a, e)`: ASCII text is packed as it is read; other text is encoded first. */
function addString(s: string, a: number, e: number, fold: boolean, w: number): number {
  const n = e - a;
  reserve(w, n);
  const out = words;
  const start = w;
  out[w++] = n;
  let i = a;
  for (; i + 3 < e; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 127) return addEncoded(s, a, e, fold, start);
    const x = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    out[w++] = fold ? foldWord(x) : x;
  }
  if (i < e) {
    let x = 0;
    for (let sh = 0; i < e; i++, sh += 8) {
      const c = s.charCodeAt(i);
      if (c > 127) return addEncoded(s, a, e, fold, start);
      x |= c << sh;
    }
    out[w++] = fold ? foldWord(x) : x;
  }
  return w;
}

/** Non-ASCII text: lower-case it whole when folding, encode it as UTF-8, and write it from word `start`. */
function addEncoded(s: string, a: number, e: number, fold: boolean, start: number): number {
  const value = s.slice(a, e);
  const bytes = encoder.encode(fold ? value.toLowerCase() : value);
  return addBytes(bytes, viewOf(bytes), 0, bytes.length, false, start);
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

/** murmur3's 32-bit finalizer: every input bit moves every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
