import { type RowKey, rowKey } from "../dedupe/row_key.ts";
import { ELOQUA_MAX_BODY_BYTES } from "../eloqua_limits.ts";
import { InvalidOptionError } from "../errors.ts";
import type { RejectHandler } from "../reject.ts";
import { valuesByName } from "../reject.ts";
import type { RowBatch } from "../row_batch.ts";
import { fieldNames, type ImportSchema, LINKAGE_SCHEMA } from "../schema.ts";
import { viewOf } from "../text_span.ts";
import { appendLine, JsonBatch, MAKE_BODY } from "./json_batch.ts";
import { JsonRowWriter } from "./json_row_writer.ts";

/**
 * Default body cap. Eloqua takes up to 32 MB, but bodies are held in memory
 * while they are posted ((concurrency + 1) of them), a body's worth of rows
 * is sent again after a lost answer, and every body is a fresh allocation
 * that the garbage collector frees late: 4 MB keeps all three small, still
 * makes few enough files a sync (far under Eloqua's 500), and is no slower
 * than larger bodies (bench/README.md).
 */
export const DEFAULT_MAX_BATCH_BYTES = 4_000_000;

/** Options of {@linkcode JsonBatcher} and `JsonBatchStream`. */
export interface JsonBatcherOptions {
  /**
   * The fields, in the order rows carry their values; they become the JSON keys.
   * @default LINKAGE_SCHEMA
   */
  schema?: ImportSchema;
  /**
   * Hard cap of a body in UTF-8 bytes, brackets and commas included. A body
   * is never larger; a row that cannot fit alone is rejected (`ROW_TOO_LARGE`).
   * At most {@linkcode ELOQUA_MAX_BODY_BYTES}.
   * @default 4_000_000
   */
  maxBytes?: number;
  /**
   * Most rows in one body.
   * @default Infinity
   */
  maxRows?: number;
  /**
   * Rows on lines up to this one are counted as `skipped` and not written:
   * an earlier run of the same import staged them (resuming from a checkpoint).
   * @default 0 (none)
   */
  skipThroughLine?: number;
  /**
   * Whether the consumer gives bodies back with `release` once it is done
   * with them. Then each body is the working buffer itself, and the next one
   * is written into a released buffer: no copy and no fresh allocation per
   * body. Otherwise each body is an exact-size copy and the working buffer
   * stays: handing out working buffers to a consumer that never gives them
   * back makes every body fresh memory, which costs much more CPU
   * (bench/README.md).
   * @default false
   */
  recycleBodies?: boolean;
  /**
   * The input's name in messages.
   * @default "input"
   */
  sourceName?: string;
  /**
   * Per key field, whether case matters, as for the dedupe stage: each body
   * carries a word of every row's key hash taken by `schema.key` and these
   * rules (`JsonBatch.keyHashes`), reusing the dedupe stage's hashes when it
   * took them by the same rule.
   * @default {} (every key field compared case-insensitively)
   */
  caseSensitive?: Readonly<Record<string, boolean>>;
  /**
   * Receives every row too large for a body.
   * @default undefined (such rows are only counted in `stats.tooLarge`)
   */
  onReject?: RejectHandler;
}

/** Counts of the batching stage. */
export interface JsonBatchStats {
  /** Rows written into bodies. */
  rows: number;
  /** Bodies completed. */
  batches: number;
  /** Bytes of completed bodies. */
  bytes: number;
  /** Rows rejected as too large for a body. */
  tooLarge: number;
  /** Rows not written because an earlier run staged them (`skipThroughLine`). */
  skipped: number;
}

const COMMA = 0x2c;
/** Released buffers kept for reuse, at most (more than the bodies alive at once in an import). */
const MAX_FREE_BUFFERS = 8;

/**
 * The pure core of the batching stage: cuts request bodies. Rows are
 * written as JSON straight into a byte buffer (`JsonRowWriter`), counting
 * exact UTF-8 bytes, and a body is cut before the row that would take it
 * over `maxBytes` (or past `maxRows`); each body carries its rows' source
 * lines, offsets and key hashes.
 */
export class JsonBatcher {
  readonly stats: JsonBatchStats = { rows: 0, batches: 0, bytes: 0, tooLarge: 0, skipped: 0 };
  readonly #skipThroughLine: number;
  #lastLine = 0;
  readonly #maxBytes: number;
  readonly #maxRows: number;
  readonly #names: string[];
  /** `{"Field1":"`, then `","Field2":"`, …, then `"}`, one after another: the bytes every row has. */
  readonly #writer: JsonRowWriter;
  readonly #source: string;
  readonly #onReject: RejectHandler | undefined;

  #buffer: Uint8Array<ArrayBuffer>;
  /** `#buffer` as a DataView, for writing four bytes a step. */
  #view: DataView;
  /** Buffers of bodies handed out, which `release` takes back. */
  readonly #issued = new WeakSet<ArrayBuffer>();
  /** Buffers given back, for the next bodies. */
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  readonly #recycle: boolean;
  #pos = 1;
  #rows = 0;
  #lines: number[] = [];
  /** Where each row of the open body starts; grown by doubling, copied out exact at a cut. */
  #offsets = new Uint32Array(1024);
  /** A word of each row's key hash, for the open body, grown with `#offsets`. */
  #hashes = new Uint32Array(1024);
  /** The key the hashes are taken by. */
  readonly #key: RowKey;

  constructor(options: JsonBatcherOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BATCH_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 2 || maxBytes > ELOQUA_MAX_BODY_BYTES) {
      throw new InvalidOptionError(
        "JsonBatcher",
        "maxBytes",
        `an integer from 2 to ${ELOQUA_MAX_BODY_BYTES} (Eloqua refuses larger bodies)`,
        maxBytes,
      );
    }
    const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
    if (maxRows !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxRows) || maxRows < 1)) {
      throw new InvalidOptionError("JsonBatcher", "maxRows", "a positive integer or Infinity", maxRows);
    }
    this.#maxBytes = maxBytes;
    this.#maxRows = maxRows;
    this.#key = rowKey(options.schema ?? LINKAGE_SCHEMA, options.caseSensitive ?? {}, "JsonBatcher");
    this.#names = fieldNames(options.schema ?? LINKAGE_SCHEMA);
    if (this.#names.length === 0)
      throw new InvalidOptionError("JsonBatcher", "schema.fields", "a non-empty array", []);
    this.#writer = new JsonRowWriter(this.#names);
    this.#source = options.sourceName ?? "input";
    const skip = options.skipThroughLine ?? 0;
    if (!Number.isSafeInteger(skip) || skip < 0) {
      throw new InvalidOptionError("JsonBatcher", "skipThroughLine", "a non-negative integer", skip);
    }
    this.#skipThroughLine = skip;
    this.#onReject = options.onReject;
    const recycle = options.recycleBodies ?? false;
    if (typeof recycle !== "boolean") {
      throw new InvalidOptionError("JsonBatcher", "recycleBodies", "a boolean", recycle);
    }
    this.#recycle = recycle;
    this.#buffer = new Uint8Array(Math.min(maxBytes, 1 << 20));
    this.#view = viewOf(this.#buffer);
    this.#buffer[0] = 0x5b; // [
  }

  /** Add the rows of `batch`; returns the bodies they completed (usually none). */
  push(batch: RowBatch): JsonBatch[] {
    const done: JsonBatch[] = [];
    const writer = this.#writer;
    const sourceView = viewOf(batch.bytes);
    // A word of each row's key hash goes with the body: the dedupe stage's, when it took them by this rule.
    const keys = batch.keyHashes(this.#key);
    if (batch.length > 0) this.#lastLine = batch.lines[batch.length - 1]!;
    for (let r = 0; r < batch.length; r++) {
      if (batch.lines[r]! <= this.#skipThroughLine) {
        this.stats.skipped++;
        continue;
      }
      if (this.#rows >= this.#maxRows) done.push(this.#cut());
      // When even the most the row can take fits, write it at once; else measure it first.
      const bound = writer.bound(batch, r);
      if (this.#pos + 1 + bound + 1 <= this.#maxBytes) {
        this.#write(batch, sourceView, keys, r, bound);
        continue;
      }
      const bytes = writer.measure(batch, r);
      if (1 + bytes + 1 > this.#maxBytes) {
        this.#tooLarge(batch, r, bytes);
        continue;
      }
      // The row, a comma before it unless it is first, and the closing bracket must fit.
      if (this.#rows > 0 && this.#pos + 1 + bytes + 1 > this.#maxBytes) done.push(this.#cut());
      this.#write(batch, sourceView, keys, r, bytes);
    }
    return done;
  }

  /** The last source line handed to the batcher (0 before any). */
  get lastLine(): number {
    return this.#lastLine;
  }

  /** The source line of the first row of the body being written, if any. */
  get openFirstLine(): number | undefined {
    return this.#rows > 0 ? this.#lines[0] : undefined;
  }

  /** End of input: the last body, if any rows are pending. */
  flush(): JsonBatch | undefined {
    return this.#rows > 0 ? this.#cut() : undefined;
  }

  /** Append row `r`, which takes at most `bound` bytes, to the open body. */
  #write(batch: RowBatch, sourceView: DataView, keys: Int32Array, r: number, bound: number): void {
    let pos = this.#pos;
    if (pos + 1 + bound + 1 > this.#buffer.length) this.#grow(pos + 1 + bound + 1);
    const buffer = this.#buffer;
    if (this.#rows > 0) buffer[pos++] = COMMA;
    if (this.#rows + 1 >= this.#offsets.length) {
      const grown = new Uint32Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
      const hashes = new Uint32Array(this.#offsets.length);
      hashes.set(this.#hashes);
      this.#hashes = hashes;
    }
    this.#offsets[this.#rows] = pos;
    pos = this.#writer.write(buffer, this.#view, pos, batch, sourceView, r);
    this.#hashes[this.#rows] = keys[r * 4 + 1]!;
    this.#pos = pos;
    this.#rows++;
    appendLine(this.#lines, batch.lines[r]!);
  }

  #grow(need: number): void {
    let size = this.#buffer.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(Math.min(size, this.#maxBytes));
    next.set(this.#buffer.subarray(0, this.#pos));
    this.#buffer = next;
    this.#view = viewOf(next);
  }

  #cut(): JsonBatch {
    const buffer = this.#buffer;
    buffer[this.#pos++] = 0x5d; // ]
    const offsets = this.#offsets.slice(0, this.#rows + 1);
    offsets[this.#rows] = this.#pos;
    let body: Uint8Array<ArrayBuffer>;
    if (this.#recycle) {
      // The working buffer becomes the body (no copy); the next body is written into a released buffer,
      // or a new one of the same size.
      body = buffer.subarray(0, this.#pos);
      this.#issued.add(buffer.buffer);
      const reused = this.#free.pop();
      this.#buffer =
        reused !== undefined && reused.length >= buffer.length ? reused : new Uint8Array(buffer.length);
      this.#view = viewOf(this.#buffer);
      this.#buffer[0] = 0x5b; // [
    } else {
      // An exact-size copy; the working buffer, already in memory, is kept for the next body.
      body = buffer.slice(0, this.#pos);
    }
    const hashes = this.#hashes.slice(0, this.#rows);
    const batch = new JsonBatch(MAKE_BODY, {
      body,
      rows: this.#rows,
      lines: this.#lines,
      offsets,
      keyHashes: hashes,
      key: this.#key,
    });
    this.stats.rows += this.#rows;
    this.stats.batches++;
    this.stats.bytes += this.#pos;
    this.#pos = 1;
    this.#rows = 0;
    this.#lines = [];
    return batch;
  }

  /**
   * With `recycleBodies`, give back the buffer of a body this batcher made,
   * once nothing reads it any more (it was posted and acknowledged): the
   * next bodies are written into it. Bodies not made here, given back twice,
   * or made without `recycleBodies` are ignored.
   */
  release(body: Uint8Array): void {
    const buffer = body.buffer;
    if (!(buffer instanceof ArrayBuffer) || !this.#issued.has(buffer)) return;
    this.#issued.delete(buffer);
    if (this.#free.length < MAX_FREE_BUFFERS) this.#free.push(new Uint8Array(buffer));
  }

  #tooLarge(batch: RowBatch, r: number, bytes: number): void {
    this.stats.tooLarge++;
    if (this.#onReject === undefined) return;
    const row = batch.row(r);
    this.#onReject({
      line: row.line,
      stage: "batch",
      code: "ROW_TOO_LARGE",
      message: `${this.#source} line ${row.line}: the row takes ${bytes + 2} bytes as a JSON body, more than maxBytes (${this.#maxBytes})`,
      values: valuesByName(this.#names, row.values),
    });
  }
}
