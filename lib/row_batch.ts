import type { BufferPool } from "./buffer_pool.ts";
import type { RowKey } from "./dedupe/row_key.ts";
import type { Row } from "./row.ts";
import { decodeAscii } from "./text_span.ts";

const NO_BYTES = new Uint8Array(0);

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
 * Stages filter a batch in place ({@linkcode RowBatch.keep}) and narrow
 * spans (trimming) without copying bytes. Read a value with
 * {@linkcode RowBatch.value}, a whole row with {@linkcode RowBatch.row}, or
 * iterate the batch for {@linkcode Row} objects.
 */
export class RowBatch implements Iterable<Row> {
  /** Values per row: the schema's field count. */
  readonly width: number;
  /** The input chunk most values point into; every span of it is ASCII. */
  bytes: Uint8Array;
  /** The text of values that are not in `bytes` as-is. */
  aux: string;
  /** Number of rows. */
  length: number;
  /** Source line of each row. */
  lines: Float64Array;
  starts: Int32Array;
  ends: Int32Array;
  /**
   * The key hash of each row, four words a row, once a stage hashed the keys
   * (a row worker, or the dedupe stage), taken by {@linkcode keyRule}: later
   * stages with the same rule use them as they are, others hash again.
   */
  keys: Int32Array | undefined = undefined;
  /** The key fields and case rules `keys` were taken by. */
  keyRule: RowKey | undefined = undefined;
  /**
   * Set by the stage that made the batch to take its memory back; called
   * once, by {@linkcode release}.
   */
  onRelease: ((batch: RowBatch) => void) | undefined = undefined;

  constructor(
    width: number,
    bytes: Uint8Array,
    aux: string,
    length: number,
    lines: Float64Array,
    starts: Int32Array,
    ends: Int32Array,
  ) {
    this.width = width;
    this.bytes = bytes;
    this.aux = aux;
    this.length = length;
    this.lines = lines;
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * Say that nothing reads this batch any more (its rows are in a body):
   * the stage that made it may reuse its arrays for later batches. Call it
   * only as the batch's last reader; a batch nobody releases is simply left
   * to the garbage collector.
   */
  release(): void {
    const onRelease = this.onRelease;
    this.onRelease = undefined;
    onRelease?.(this);
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
    const width = this.width;
    const { lines, starts, ends, keys } = this;
    let kept = 0;
    for (let r = 0; r < this.length; r++) {
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
    this.length = kept;
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
      batch = new RowBatch(
        width,
        bytes,
        aux,
        n,
        this.#lines.slice(0, n),
        this.#starts.slice(0, n * width),
        this.#ends.slice(0, n * width),
      );
    } else {
      const lines = new Float64Array(pool.take(n * 8), 0, n);
      lines.set(this.#lines.subarray(0, n));
      const starts = new Int32Array(pool.take(n * width * 4), 0, n * width);
      starts.set(this.#starts.subarray(0, n * width));
      const ends = new Int32Array(pool.take(n * width * 4), 0, n * width);
      ends.set(this.#ends.subarray(0, n * width));
      batch = new RowBatch(width, bytes, aux, n, lines, starts, ends);
      batch.onRelease = (done) => giveArrays(done, pool);
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

/** Give the arrays of a released batch (not its bytes: they may be its reader's) to `pool`. */
export function giveArrays(batch: RowBatch, pool: BufferPool): void {
  pool.give(batch.lines.buffer as ArrayBuffer);
  pool.give(batch.starts.buffer as ArrayBuffer);
  pool.give(batch.ends.buffer as ArrayBuffer);
  if (batch.keys !== undefined) pool.give(batch.keys.buffer as ArrayBuffer);
}
