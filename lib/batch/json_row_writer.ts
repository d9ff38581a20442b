import type { RowBatch } from "../row_batch.ts";
import { decodeAscii, viewOf } from "../text_span.ts";

const encoder = new TextEncoder();

/** 1 for the bytes copied into JSON strings as they are: printable ASCII but `"` and `\\`. */
const PLAIN = new Uint8Array(256);
PLAIN.fill(1, 0x20, 0x7f);
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;

/** Whether the four bytes of `x` are all plain (see `PLAIN`), tested at once (no byte ≥ 0x80 is plain). */
function isPlainWord(x: number): boolean {
  const quote = x ^ 0x22222222;
  const backslash = x ^ 0x5c5c5c5c;
  const del = x ^ 0x7f7f7f7f;
  // A byte below 0x20, or a zero byte of one of the XORs, sets its top bit here (exact when none is ≥ 0x80).
  const special =
    ((x - 0x20202020) & ~x) |
    ((quote - 0x01010101) & ~quote) |
    ((backslash - 0x01010101) & ~backslash) |
    ((del - 0x01010101) & ~del);
  return ((special | x) & 0x80808080) === 0;
}

/** Where the plain printable ASCII (copied to JSON as it is) of `bytes[a, e)` ends. */
function plainBytesEnd(bytes: Uint8Array, a: number, e: number): number {
  let j = a;
  while (j < e && PLAIN[bytes[j]!] === 1) j++;
  return j;
}

/** Where the plain printable ASCII of `text[a, e)` ends. */
function plainTextEnd(text: string, a: number, e: number): number {
  let j = a;
  while (j < e) {
    const c = text.charCodeAt(j);
    if (c > 0x7e || PLAIN[c] === 0) break;
    j++;
  }
  return j;
}

/** The UTF-8 bytes of `value` as a JSON string, without its quotes. */
function jsonBytes(value: string): Uint8Array {
  const json = encoder.encode(JSON.stringify(value));
  return json.subarray(1, json.length - 1);
}

/** Write `value` as JSON string content at `pos` (room checked by the caller); returns the next position. */
function writeJson(buffer: Uint8Array, pos: number, value: string): number {
  const json = jsonBytes(value);
  buffer.set(json, pos);
  return pos + json.length;
}

/**
 * Writes rows as JSON objects straight into a byte buffer, keyed by the
 * schema's field names in order: `{"F1":"v1","F2":"v2"}`. Values of plain
 * printable ASCII are copied as they are, four bytes a step while a word
 * holds nothing to escape; any other value takes `JSON.stringify` and
 * `TextEncoder`, so the output is valid JSON whatever the text. The
 * batcher decides where bodies are cut; this only writes and measures rows.
 */
export class JsonRowWriter {
  /** `{"Field1":"`, then `","Field2":"`, …, then `"}`, one after another: the bytes every row has. */
  readonly #fixed: Uint8Array;
  readonly #fixedView: DataView;
  /** Where field `k`'s prefix ends in `#fixed`; the last entry ends the suffix. */
  readonly #fixedEnds: Int32Array;
  /** Bytes every row takes besides its values. */
  readonly fixedBytes: number;

  constructor(names: readonly string[]) {
    const parts = [...names.map((name, k) => `${k === 0 ? "{" : '",'}${JSON.stringify(name)}:"`), '"}'];
    this.#fixed = encoder.encode(parts.join(""));
    this.#fixedView = viewOf(this.#fixed);
    this.#fixedEnds = new Int32Array(parts.length);
    let fixedEnd = 0;
    parts.forEach((part, k) => {
      fixedEnd += encoder.encode(part).length;
      this.#fixedEnds[k] = fixedEnd;
    });
    this.fixedBytes = this.#fixed.length;
  }

  /**
   * Most bytes row `r` can take: no UTF-16 code unit takes more than 6
   * bytes in JSON (`\uXXXX`), so when even this fits, the row can be
   * written without measuring it first.
   */
  bound(batch: RowBatch, r: number): number {
    const { starts, ends, width } = batch;
    let chars = 0;
    for (let i = r * width, end = i + width; i < end; i++) {
      const start = starts[i]!;
      chars += ends[i]! - (start >= 0 ? start : ~start);
    }
    return this.fixedBytes + 6 * chars;
  }

  /** Exact UTF-8 bytes of row `r`'s JSON object. */
  measure(batch: RowBatch, r: number): number {
    let bytes = this.fixedBytes;
    const width = batch.width;
    for (let k = 0; k < width; k++) {
      const i = r * width + k;
      const start = batch.starts[i]!;
      const e = batch.ends[i]!;
      if (start >= 0) {
        const a = start;
        bytes +=
          plainBytesEnd(batch.bytes, a, e) === e ? e - a : jsonBytes(decodeAscii(batch.bytes, a, e)).length;
      } else {
        const a = ~start;
        bytes += plainTextEnd(batch.aux, a, e) === e ? e - a : jsonBytes(batch.aux.slice(a, e)).length;
      }
    }
    return bytes;
  }

  /**
   * Write row `r` of `batch` into `buffer` (whose DataView is `view`) at
   * `pos`, where the caller made room for {@linkcode bound} or
   * {@linkcode measure} bytes; `sourceView` is a DataView of `batch.bytes`.
   * Returns the position after the row.
   */
  write(
    buffer: Uint8Array,
    view: DataView,
    pos: number,
    batch: RowBatch,
    sourceView: DataView,
    r: number,
  ): number {
    // Bytes are moved four at a step through DataViews: fewer operations than one by one, and cheaper than
    // a `set` call for values this short.
    const fixed = this.#fixed;
    const fixedView = this.#fixedView;
    const fixedEnds = this.#fixedEnds;
    const width = batch.width;
    const { starts, ends, bytes: source } = batch;
    const base = r * width;
    let f = 0;
    for (let k = 0; k <= width; k++) {
      const fe = fixedEnds[k]!;
      for (; f + 4 <= fe; f += 4, pos += 4) view.setInt32(pos, fixedView.getInt32(f, true), true);
      for (; f < fe; f++) buffer[pos++] = fixed[f]!;
      if (k === width) break;
      const start = starts[base + k]!;
      const e = ends[base + k]!;
      if (start >= 0) {
        // A byte span (ASCII): copied while plain, four bytes a step, then byte by byte.
        let j = start;
        for (; j + 4 <= e; j += 4, pos += 4) {
          const x = sourceView.getInt32(j, true);
          if (!isPlainWord(x)) break;
          view.setInt32(pos, x, true);
        }
        for (; j < e; j++) {
          const c = source[j]!;
          if (PLAIN[c] === 0) break;
          buffer[pos++] = c;
        }
        if (j < e) pos = writeJson(buffer, pos - (j - start), decodeAscii(source, start, e));
      } else {
        const text = batch.aux;
        const a = ~start;
        if (plainTextEnd(text, a, e) === e) for (let j = a; j < e; j++) buffer[pos++] = text.charCodeAt(j);
        else pos = writeJson(buffer, pos, text.slice(a, e));
      }
    }
    return pos;
  }
}
