import type { BufferPool } from "./buffer_pool.ts";
import { hashBatchKeys, type RowKey, sameKey } from "./dedupe/row_key.ts";
import type { Row } from "./row.ts";
import { decodeAscii } from "./text_span.ts";

const NO_BYTES = new Uint8Array(0);

/** What only this package's modules hold: the right to make a {@linkcode RowBatch} from its parts. */
export const MAKE: unique symbol = Symbol("eloqua-bulk-stream RowBatch");

/** The data of a {@linkcode RowBatch}: its bytes, text and column arrays (what a row worker sends). */
export interface RowBatchColumns {
  readonly width: number;
  readonly bytes: Uint8Array;
  readonly aux: string;
  readonly length: number;
  readonly lines: Float64Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** The parts of a {@linkcode RowBatch}, for the stages that make one. */
export interface RowBatchInit extends RowBatchColumns {
  /** Key hashes taken ahead (a row worker's), by `keyRule`. */
  readonly keys?: Int32Array | undefined;
  readonly keyRule?: RowKey | undefined;
  /** Where key hashes are taken into and, unless `onRelease` says otherwise, the arrays go back on release. */
  readonly pool?: BufferPool | undefined;
  /** What release does instead (a row worker's stream sends the arrays back to the worker). */
  readonly onRelease?: ((batch: RowBatch) => void) | undefined;
}

/**
 * An array of rows, stored by columns so that no row and no value is an
 * object of its own: what flows between the stages, one per input chunk.
 *
 * Each value is a span: `starts[i]`/`ends[i]` for value
 * `i = row * width + field`. A start ≥ 0 points into `bytes` (the input
 * chunk, UTF-8), and such a span holds **ASCII only**, one character per
 * byte; a negative start `s` points into the string `aux` at offset `~s` —
 * used for values that are not found as-is in the chunk (non-ASCII,
 * quoted with doubled quotes, cut by a chunk boundary, or built by code).
 * Stages read byte spans directly (no decoding) and take a slower path for
 * `aux` values.
 *
 * A closed value: made by {@linkcode RowBatchBuilder},
 * {@linkcode RowBatch.fromRows} and the stages, read through accessors.
 * Stages filter a batch in place ({@linkcode RowBatch.keep}) and narrow
 * spans (trimming) without copying bytes. Read a value with
 * {@linkcode RowBatch.value}, a whole row with {@linkcode RowBatch.row}, or
 * iterate the batch for {@linkcode Row} objects.
 */
export class RowBatch implements Iterable<Row> {
  readonly #width: number;
  readonly #bytes: Uint8Array;
  readonly #aux: string;
  #length: number;
  readonly #lines: Float64Array;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  /** The key hash of each row, four words a row, once taken, and the rule they were taken by. */
  #keys: Int32Array | undefined;
  #keyRule: RowKey | undefined;
  /** Where the key hashes' array comes from, and the batch's arrays go back to on release. */
  readonly #pool: BufferPool | undefined;
  #onRelease: ((batch: RowBatch) => void) | undefined;
  #released = false;

  /** Made by {@linkcode RowBatchBuilder}, {@linkcode RowBatch.fromRows} and the stages: `parts` is theirs. */
  constructor(token: typeof MAKE, parts: RowBatchInit) {
    if (token !== MAKE) throw new TypeError("RowBatch is made by RowBatchBuilder or RowBatch.fromRows");
    this.#width = parts.width;
    this.#bytes = parts.bytes;
    this.#aux = parts.aux;
    this.#length = parts.length;
    this.#lines = parts.lines;
    this.#starts = parts.starts;
    this.#ends = parts.ends;
    this.#keys = parts.keys;
    this.#keyRule = parts.keys === undefined ? undefined : parts.keyRule;
    this.#pool = parts.pool;
    this.#onRelease = parts.onRelease;
  }

  /** Values per row: the schema's field count. */
  get width(): number {
    return this.#width;
  }

  /** The input chunk most values point into; every span of it is ASCII. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The text of values that are not in `bytes` as-is. */
  get aux(): string {
    return this.#aux;
  }

  /** Number of rows. */
  get length(): number {
    return this.#length;
  }

  /** Source line of each row. */
  get lines(): Float64Array {
    return this.#lines;
  }

  /** Where each value starts (see the class); stages narrow spans by writing here. */
  get starts(): Int32Array {
    return this.#starts;
  }

  /** Where each value ends. */
  get ends(): Int32Array {
    return this.#ends;
  }

  /**
   * The 128-bit key hash of every row, four words a row, by the key fields
   * and case rules `rule` (`hashRowKey`): taken once and kept, so the stages
   * after the first that asks (a row worker, the dedupe stage, the batcher)
   * read them at no cost; asked by another rule, they are taken again.
   */
  keyHashes(rule: RowKey): Int32Array {
    if (this.#keys === undefined || !sameKey(this.#keyRule, rule)) {
      this.#keys = hashBatchKeys(this, rule, this.#pool);
      this.#keyRule = rule;
    }
    return this.#keys;
  }

  /**
   * Say that nothing reads this batch any more (its rows are in a body):
   * the stage that made it may reuse its arrays for later batches. Call it
   * only as the batch's last reader; a batch nobody releases is simply left
   * to the garbage collector.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const onRelease = this.#onRelease;
    this.#onRelease = undefined;
    if (onRelease !== undefined) onRelease(this);
    else if (this.#pool !== undefined) {
      this.#pool.give(this.#lines.buffer as ArrayBuffer);
      this.#pool.give(this.#starts.buffer as ArrayBuffer);
      this.#pool.give(this.#ends.buffer as ArrayBuffer);
      if (this.#keys !== undefined) this.#pool.give(this.#keys.buffer as ArrayBuffer);
    }
    this.#keys = undefined;
  }

  /** The arrays of this batch (not its bytes: they may be its reader's), for a stage that recycles them. */
  buffers(): ArrayBuffer[] {
    const out = [this.#lines.buffer, this.#starts.buffer, this.#ends.buffer] as ArrayBuffer[];
    if (this.#keys !== undefined) out.push(this.#keys.buffer as ArrayBuffer);
    return out;
  }

  /** A batch holding `rows` (each with `width` values), e.g. to feed rows that did not come from CSV. */
  static fromRows(rows: readonly Row[], width: number): RowBatch {
    const builder = new RowBatchBuilder(width);
    for (const row of rows) {
      for (let k = 0; k < width; k++) builder.addString(row.values[k] ?? "");
      builder.endRow(row.line);
    }
    return builder.finish();
  }

  /** Value `field` of row `row`. */
  value(row: number, field: number): string {
    const i = row * this.width + field;
    const start = this.starts[i]!;
    return start >= 0 ? decodeAscii(this.bytes, start, this.ends[i]!) : this.aux.slice(~start, this.ends[i]);
  }

  /** Row `index` as an object. */
  row(index: number): Row {
    const values = new Array<string>(this.width);
    for (let k = 0; k < this.width; k++) values[k] = this.value(index, k);
    return { line: this.lines[index]!, values };
  }

  /** All rows as objects. */
  toRows(): Row[] {
    const rows: Row[] = [];
    for (let r = 0; r < this.length; r++) rows.push(this.row(r));
    return rows;
  }

  *[Symbol.iterator](): Iterator<Row> {
    for (let r = 0; r < this.length; r++) yield this.row(r);
  }

  /**
   * Keep only the rows for which `keep[r]` is 1, in order (in place).
   * Cheaper than building a new batch: stages drop few rows.
   */
  keep(keep: Uint8Array): void {
    const width = this.#width;
    const lines = this.#lines;
    const starts = this.#starts;
    const ends = this.#ends;
    const keys = this.#keys;
    let kept = 0;
    for (let r = 0; r < this.#length; r++) {
      if (keep[r] === 0) continue;
      if (kept !== r) {
        lines[kept] = lines[r]!;
        if (keys !== undefined) {
          for (let w = 0; w < 4; w++) keys[kept * 4 + w] = keys[r * 4 + w]!;
        }
        const from = r * width;
        const to = kept * width;
        for (let k = 0; k < width; k++) {
          starts[to + k] = starts[from + k]!;
          ends[to + k] = ends[from + k]!;
        }
      }
      kept++;
    }
    this.#length = kept;
  }
}

/** Builds a {@linkcode RowBatch} row by row, growing its arrays as needed. */
export class RowBatchBuilder {
  readonly width: number;
  #length = 0;
  #values = 0;
  #lines = new Float64Array(256);
  #starts = new Int32Array(256);
  #ends = new Int32Array(256);
  #aux: string[] = [];
  #auxLength = 0;
  readonly #pool: BufferPool | undefined;

  /** With a `pool`, finished batches take their arrays from it and give them back when released. */
  constructor(width: number, pool?: BufferPool) {
    this.width = width;
    this.#pool = pool;
  }

  /** Rows completed so far. */
  get length(): number {
    return this.#length;
  }

  /** Add the next value of the current row as a span of the batch's bytes, which must be ASCII. */
  addSpan(start: number, end: number): void {
    if (this.#values === this.#starts.length) this.#growValues();
    this.#starts[this.#values] = start;
    this.#ends[this.#values++] = end;
  }

  /** Add the next value of the current row as a string of its own. */
  addString(value: string): void {
    if (this.#values === this.#starts.length) this.#growValues();
    const start = this.#auxLength;
    this.#aux.push(value);
    this.#auxLength += value.length;
    this.#starts[this.#values] = ~start;
    this.#ends[this.#values++] = this.#auxLength;
  }

  /** Finish the current row, which has exactly `width` values. */
  endRow(line: number): void {
    if (this.#length === this.#lines.length) {
      const next = new Float64Array(this.#lines.length * 2);
      next.set(this.#lines);
      this.#lines = next;
    }
    this.#lines[this.#length++] = line;
  }

  /** Drop the values added since the last `endRow` (a row that turned out malformed). */
  dropRow(): void {
    this.#values = this.#length * this.width;
  }

  /** The batch of the rows so far, whose spans point into `bytes`; the builder starts again empty. */
  finish(bytes: Uint8Array = NO_BYTES): RowBatch {
    const n = this.#length;
    const width = this.width;
    const pool = this.#pool;
    const aux = this.#aux.length === 0 ? "" : this.#aux.join("");
    let batch: RowBatch;
    if (pool === undefined) {
      batch = new RowBatch(MAKE, {
        width,
        bytes,
        aux,
        length: n,
        lines: this.#lines.slice(0, n),
        starts: this.#starts.slice(0, n * width),
        ends: this.#ends.slice(0, n * width),
      });
    } else {
      const lines = new Float64Array(pool.take(n * 8), 0, n);
      lines.set(this.#lines.subarray(0, n));
      const starts = new Int32Array(pool.take(n * width * 4), 0, n * width);
      starts.set(this.#starts.subarray(0, n * width));
      const ends = new Int32Array(pool.take(n * width * 4), 0, n * width);
      ends.set(this.#ends.subarray(0, n * width));
      batch = new RowBatch(MAKE, { width, bytes, aux, length: n, lines, starts, ends, pool });
    }
    this.#length = 0;
    this.#values = 0;
    this.#aux = [];
    this.#auxLength = 0;
    return batch;
  }

  #growValues(): void {
    const starts = new Int32Array(this.#starts.length * 2);
    starts.set(this.#starts);
    this.#starts = starts;
    const ends = new Int32Array(this.#ends.length * 2);
    ends.set(this.#ends);
    this.#ends = ends;
  }
}
