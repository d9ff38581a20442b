import { fmix32 } from "../dedupe/key_hash.ts";
import type { RowKey } from "../dedupe/row_key.ts";

/**
 * One request body of staged rows, and where its rows came from.
 *
 * `body` is UTF-8 JSON: an array of objects keyed by the definition's field
 * names, as Eloqua's data endpoint takes it. `offsets[i]` is the byte index
 * of row `i`'s `{`, and `offsets[rows]` is `body.length`, so row `i` spans
 * `body.subarray(offsets[i], offsets[i + 1] - 1)` (dropping the `,` or `]`
 * after it). `lines` holds the rows' source lines run-length encoded as
 * pairs `[firstLine, count, firstLine, count, …]`. A body the batcher made
 * also carries, in `keyHashes`, a word of each row's key hash taken by `key`:
 * what traces a sync's rejects back to source rows (`Uploader`).
 */
export interface JsonBatch {
  body: Uint8Array<ArrayBuffer>;
  rows: number;
  lines: number[];
  offsets: Uint32Array<ArrayBuffer>;
  /**
   * A word of each row's key hash (the dedupe stage's, passed on at no cost,
   * or taken by the batcher), so a reject is traced by the key hash of its
   * values and matches whatever letter case Eloqua echoes where the key
   * ignores case. A body without it is traced by its rows' JSON.
   */
  keyHashes?: Uint32Array<ArrayBuffer>;
  /** The key fields and case rules `keyHashes` were taken by. */
  key?: RowKey;
}

/**
 * A 32-bit hash of `bytes[start, end)`, four bytes a step (murmur3's mixing):
 * of a staged row's JSON, for tracing the rejects of bodies made elsewhere.
 */
export function rowHash(bytes: Uint8Array, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 3 < end; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let shift = 0; i < end; i++, shift += 8) k |= bytes[i]! << shift;
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  return fmix32(h) >>> 0;
}

/** The source line of every row of `batch`, in order. */
export function batchLines(batch: JsonBatch): number[] {
  const out: number[] = [];
  const runs = batch.lines;
  for (let r = 0; r < runs.length; r += 2) {
    const first = runs[r]!;
    const count = runs[r + 1]!;
    for (let k = 0; k < count; k++) out.push(first + k);
  }
  return out;
}

/** The source line of row `index` (0-based) of `batch`, or `undefined` past its end. */
export function lineOfRow(batch: Pick<JsonBatch, "lines">, index: number): number | undefined {
  const runs = batch.lines;
  let rest = index;
  for (let r = 0; r < runs.length; r += 2) {
    const count = runs[r + 1]!;
    if (rest < count) return runs[r]! + rest;
    rest -= count;
  }
  return undefined;
}

/** Append `line` to run-length encoded `runs`. */
export function appendLine(runs: number[], line: number): void {
  const last = runs.length - 2;
  if (last >= 0 && runs[last]! + runs[last + 1]! === line) runs[last + 1]!++;
  else runs.push(line, 1);
}

/**
 * Split a batch of two or more rows into two halves with the same rows, in
 * order, without parsing its JSON: what to do when Eloqua refuses a body as
 * too large.
 */
export function splitBatch(batch: JsonBatch): [JsonBatch, JsonBatch] {
  if (batch.rows < 2) throw new RangeError(`Cannot split a batch of ${batch.rows} row: it needs at least 2`);
  const middle = batch.rows >> 1;
  return [sliceBatch(batch, 0, middle), sliceBatch(batch, middle, batch.rows)];
}

/** The rows `[from, to)` of `batch` as a batch of their own. */
export function sliceBatch(batch: JsonBatch, from: number, to: number): JsonBatch {
  const { body, offsets } = batch;
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= batch.rows)) {
    throw new RangeError(`Cannot slice rows [${from}, ${to}) of a batch of ${batch.rows} rows`);
  }
  if (from === to)
    return { body: new Uint8Array([0x5b, 0x5d]), rows: 0, lines: [], offsets: new Uint32Array([2]) };
  const start = offsets[from]!;
  const end = offsets[to]! - 1;
  const out = new Uint8Array(end - start + 2);
  out[0] = 0x5b; // [
  out.set(body.subarray(start, end), 1);
  out[out.length - 1] = 0x5d; // ]
  const shifted = new Uint32Array(to - from + 1);
  for (let i = from; i < to; i++) shifted[i - from] = offsets[i]! - start + 1;
  shifted[to - from] = out.length;
  const lines: number[] = [];
  for (let i = from; i < to; i++) appendLine(lines, lineOfRow(batch, i)!);
  const sliced: JsonBatch = { body: out, rows: to - from, lines, offsets: shifted };
  if (batch.keyHashes !== undefined) sliced.keyHashes = batch.keyHashes.slice(from, to);
  if (batch.key !== undefined) sliced.key = batch.key;
  return sliced;
}
