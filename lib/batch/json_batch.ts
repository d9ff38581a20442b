import type { RowKey } from "../dedupe/row_key.ts";

/** What only this package's modules hold: the right to make a {@linkcode JsonBatch} from its parts. */
export const MAKE_BODY: unique symbol = Symbol("eloqua-bulk-stream JsonBatch");

/** The parts of a {@linkcode JsonBatch}, for the batcher and `sliceBatch`. */
export interface JsonBatchInit {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly rows: number;
  readonly lines: readonly number[];
  readonly offsets: Uint32Array<ArrayBuffer>;
  readonly keyHashes: Uint32Array<ArrayBuffer>;
  readonly key: RowKey;
}

/**
 * One request body of staged rows, and where its rows came from: a closed
 * value, made only by the batcher (and by splitting one).
 *
 * `body` is UTF-8 JSON: an array of objects keyed by the definition's field
 * names, as Eloqua's data endpoint takes it. `offsets[i]` is the byte index
 * of row `i`'s `{`, and `offsets[rows]` is `body.length`, so row `i` spans
 * `body.subarray(offsets[i], offsets[i + 1] - 1)` (dropping the `,` or `]`
 * after it). `lines` holds the rows' source lines run-length encoded as
 * pairs `[firstLine, count, firstLine, count, …]` ({@linkcode batchLines}
 * expands them). `keyHashes` holds a word of each row's key hash, taken by
 * `key`: what traces a sync's rejects back to source rows (`Uploader`),
 * whatever letter case Eloqua echoes where the key ignores case.
 */
export class JsonBatch {
  readonly #body: Uint8Array<ArrayBuffer>;
  readonly #rows: number;
  readonly #lines: readonly number[];
  readonly #offsets: Uint32Array<ArrayBuffer>;
  readonly #keyHashes: Uint32Array<ArrayBuffer>;
  readonly #key: RowKey;

  /** Made by `JsonBatcher` and `splitBatch`: `init` is theirs. */
  constructor(token: typeof MAKE_BODY, init: JsonBatchInit) {
    if (token !== MAKE_BODY) throw new TypeError("JsonBatch is made by JsonBatcher");
    this.#body = init.body;
    this.#rows = init.rows;
    this.#lines = init.lines;
    this.#offsets = init.offsets;
    this.#keyHashes = init.keyHashes;
    this.#key = init.key;
  }

  /** The request body: a JSON array of the rows. */
  get body(): Uint8Array<ArrayBuffer> {
    return this.#body;
  }

  /** Rows in the body. */
  get rows(): number {
    return this.#rows;
  }

  /** The rows' source lines, run-length encoded: `[firstLine, count, …]`. */
  get lines(): readonly number[] {
    return this.#lines;
  }

  /** Where each row starts in `body`; the last entry is `body.length`. */
  get offsets(): Uint32Array<ArrayBuffer> {
    return this.#offsets;
  }

  /** A word of each row's key hash, taken by `key`. */
  get keyHashes(): Uint32Array<ArrayBuffer> {
    return this.#keyHashes;
  }

  /** The key fields and case rules `keyHashes` were taken by. */
  get key(): RowKey {
    return this.#key;
  }

  /** The source line of the first row, or `undefined` for an empty body. */
  get firstLine(): number | undefined {
    return this.#rows > 0 ? this.#lines[0] : undefined;
  }
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

/** How many rows of run-length encoded `runs` (a batch's `lines`) are on lines after `line`. */
export function rowsAfterLine(runs: readonly number[], line: number): number {
  let rows = 0;
  for (let r = 0; r < runs.length; r += 2) {
    const first = runs[r]!;
    const count = runs[r + 1]!;
    rows += Math.min(count, Math.max(0, first + count - 1 - line));
  }
  return rows;
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
  if (from === to) {
    return new JsonBatch(MAKE_BODY, {
      body: new Uint8Array([0x5b, 0x5d]),
      rows: 0,
      lines: [],
      offsets: new Uint32Array([2]),
      keyHashes: new Uint32Array(0),
      key: batch.key,
    });
  }
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
  return new JsonBatch(MAKE_BODY, {
    body: out,
    rows: to - from,
    lines,
    offsets: shifted,
    keyHashes: batch.keyHashes.slice(from, to),
    key: batch.key,
  });
}
