import { InvalidOptionError } from "../errors.ts";
import type { RejectCode } from "../reject.ts";
import { decodeAscii, viewOf } from "../text_span.ts";

/** Options of {@linkcode CsvParser}. */
export interface CsvParserOptions {
  /**
   * The field separator, one ASCII character.
   * @default ","
   */
  delimiter?: string;
  /**
   * Longest record, in bytes of UTF-8, that is kept. A longer record is
   * skipped to its end and reported as `CSV_RECORD_TOO_LARGE`, so a file
   * without line breaks cannot exhaust memory.
   * @default 1_048_576
   */
  maxRecordLength?: number;
}

/**
 * Receives what {@linkcode CsvParser} finds, in input order. The record's
 * fields are read from the parser during the call (`fieldCount`,
 * `spanStart`, `fieldString`, …): nothing is allocated per field unless
 * the handler asks for strings.
 */
export interface CsvRecordHandler {
  /** A well-formed record that starts on 1-based `line`. */
  record(line: number): void;
  /** A record that could not be read; the fields read so far can be read from the parser. */
  malformed(code: RejectCode, message: string, line: number): void;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote seen inside a quoted field: either the closing quote or the first of a doubled one. */
const QUOTE_IN_QUOTED = 3;

/** Byte classes of the scans: 0 is a byte that needs nothing. */
const STOP = 1;
const HIGH = 2;
const IS_LF = 3;
const IS_CR = 4;

/** Classes inside quotes: the quote stops the scan; line breaks are counted; bytes ≥ 0x80 noted. */
const QUOTED_CLASS = new Uint8Array(256);
QUOTED_CLASS.fill(HIGH, 0x80);
QUOTED_CLASS[QUOTE] = STOP;
QUOTED_CLASS[LF] = IS_LF;
QUOTED_CLASS[CR] = IS_CR;

/** Fields kept in a malformed record's report when it is too large to keep whole. */
const KEPT_WHEN_TOO_LARGE = 8;

const BOM = [0xef, 0xbb, 0xbf];
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossyDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A push parser for RFC 4180 CSV over UTF-8 bytes, with no stream types:
 * feed it chunks cut anywhere with {@linkcode push}, then call {@linkcode end}.
 * Strings are accepted too (encoded to UTF-8 first).
 *
 * It handles quoted fields, doubled quotes, CR, LF and CRLF line breaks
 * (also inside quotes), a last line without a line break, and a leading BOM;
 * it skips blank lines; and it reports for every record the physical line
 * where it starts. Text after a closing quote and quotes inside unquoted
 * fields are kept as they are, as most spreadsheet tools do. A record
 * holding bytes that are not UTF-8 is reported as `CSV_INVALID_UTF8`.
 *
 * The scan works on bytes through a 256-entry class table: no decoding and
 * no string per field. A field of ASCII that lies in the chunk as-is is
 * reported as a byte span of the chunk ({@linkcode spanStart},
 * {@linkcode spanEnd}); any other field (non-ASCII bytes, doubled quotes,
 * cut by a chunk end) as a decoded string ({@linkcode fieldString}). A field
 * that spans chunks is kept as a list of parts, so work stays linear in the
 * input however it is cut.
 *
 * @example
 * ```ts
 * const rows: string[][] = [];
 * const parser = new CsvParser();
 * const handler = { record: () => rows.push(parser.fields()), malformed() {} };
 * parser.push('id,email\n1,"a@b', handler);
 * parser.push('.co"\n', handler);
 * parser.end(handler);
 * // rows: [["id", "email"], ["1", "a@b.co"]]
 * ```
 */
export class CsvParser {
  readonly #delimiter: number;
  readonly #maxRecordLength: number;
  /** Classes outside quotes: the delimiter and line breaks stop the scan; bytes ≥ 0x80 are noted. */
  readonly #class = new Uint8Array(256);

  #bytes: Uint8Array = EMPTY;
  #state = FIELD_START;
  /** The current record's fields: a span of `#bytes` when `#strings[f]` is undefined, else that string. */
  #count = 0;
  #starts = new Int32Array(16);
  #ends = new Int32Array(16);
  #strings: (string | undefined)[] = [];
  /** Pieces of the current field cut by chunk ends or doubled quotes; empty when the field is one span. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  /** Whether the current field holds a byte ≥ 0x80 (then it is decoded, never a span). */
  #high = false;
  /** A quoted field's content seen up to a quote, not yet copied: `[#pendingStart, #pendingEnd)`, or -1. */
  #pendingStart = -1;
  #pendingEnd = 0;
  #line = 1;
  #recordLine = 1;
  #recordLength = 0;
  #oversize = false;
  /** The 1-based field that made the record too large, for the message. */
  #oversizeField = 0;
  /** The 1-based first field of the record that is not valid UTF-8, or 0. */
  #badField = 0;
  /** Whether the record's first field is quoted: then a lone empty field (`""`) is a record, not a blank line. */
  #firstQuoted = false;
  /** The previous chunk ended with a CR that ended a record: skip a LF that starts this one. */
  #skipLF = false;
  /** Inside quotes, the previous chunk ended with a CR (so a LF starting this one is the same line break). */
  #quotedCR = false;
  /** Bytes held at the very start until it is known whether they begin with a BOM; `undefined` once known. */
  #head: Uint8Array | undefined = EMPTY;
  /** A high surrogate that ended the previous string chunk, joined to the next one before encoding. */
  #surrogate = "";

  constructor(options: CsvParserOptions = {}) {
    const { delimiter, maxRecordLength: max } = checkCsvParserOptions("CsvParser", options);
    this.#delimiter = delimiter.charCodeAt(0);
    this.#maxRecordLength = max;
    this.#class.fill(HIGH, 0x80);
    this.#class[this.#delimiter] = STOP;
    this.#class[LF] = STOP;
    this.#class[CR] = STOP;
  }

  /** The 1-based line the parser has reached. */
  get line(): number {
    return this.#line;
  }

  /** The 1-based line where the record in progress (or being reported) starts. */
  get recordLine(): number {
    return this.#recordLine;
  }

  /** The bytes of the chunk being parsed, which spans point into (a string chunk's encoding, without a BOM). */
  get chunk(): Uint8Array {
    return this.#bytes;
  }

  /**
   * When the record in progress is already longer than `maxRecordLength`,
   * what its `CSV_RECORD_TOO_LARGE` reject will say; else `undefined`. Lets
   * a reader give up on a header that can never be read without waiting for
   * the end of a record that may never come (an input without line breaks).
   */
  get oversizeProblem(): string | undefined {
    if (!this.#oversize) return undefined;
    return `field ${this.#oversizeField} makes the record longer than ${this.#maxRecordLength} bytes (maxRecordLength)`;
  }

  /** Fields of the record being reported. */
  get fieldCount(): number {
    return this.#count;
  }

  /** The field's own string when it is not a span of the current chunk, else `undefined`. */
  fieldString(field: number): string | undefined {
    return this.#strings[field];
  }

  /** Start of the field's span in {@linkcode chunk} (when `fieldString` is undefined); the span is ASCII. */
  spanStart(field: number): number {
    return this.#starts[field]!;
  }

  /** End of the field's span in {@linkcode chunk}. */
  spanEnd(field: number): number {
    return this.#ends[field]!;
  }

  /** The field as a string. */
  fieldValue(field: number): string {
    return this.#strings[field] ?? decodeAscii(this.#bytes, this.#starts[field]!, this.#ends[field]!);
  }

  /** All fields of the record being reported, as strings. */
  fields(): string[] {
    const out: string[] = [];
    for (let f = 0; f < this.#count; f++) out.push(this.fieldValue(f));
    return out;
  }

  /** Parse the next piece of input: UTF-8 bytes, or text. */
  push(chunk: Uint8Array | string, handler: CsvRecordHandler): void {
    let bytes = typeof chunk === "string" ? this.#encode(chunk) : chunk;
    // One kind of array downstream (a Node Buffer is a subclass): every stage's loops stay monomorphic.
    if (bytes.constructor !== Uint8Array)
      bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#head !== undefined) {
      const rest = this.#afterBom(bytes);
      if (rest === undefined) return;
      bytes = rest;
    }
    this.#bytes = bytes;
    const n = bytes.length;
    let i = 0;
    if (this.#skipLF && n > 0) {
      this.#skipLF = false;
      if (bytes[0] === LF) i = 1;
    }
    const cls = this.#class;
    const delim = this.#delimiter;
    const delimWord = Math.imul(delim, 0x01010101);
    const view = viewOf(bytes);
    let fs = i;

    while (i < n) {
      const state = this.#state;
      if (state === FIELD_START || state === UNQUOTED) {
        if (state === FIELD_START) {
          if (bytes[i] === QUOTE) {
            if (this.#count === 0) this.#firstQuoted = true;
            this.#state = QUOTED;
            this.#quotedCR = false;
            fs = ++i;
            continue;
          }
          this.#state = UNQUOTED;
          fs = i;
        }
        let c = 0;
        let j = i;
        let high = false;
        // Four bytes a step while none of them is a delimiter, a line break or ≥ 0x80 (most of a field),
        // then byte by byte to the byte that stops the field.
        for (; j + 4 <= n; j += 4) {
          const x = view.getInt32(j, true);
          const d = x ^ delimWord;
          const lf = x ^ 0x0a0a0a0a;
          const cr = x ^ 0x0d0d0d0d;
          // A zero byte of d, lf or cr sets its top bit here (the classic "has a zero byte" test).
          if (
            ((((d - 0x01010101) & ~d) | ((lf - 0x01010101) & ~lf) | ((cr - 0x01010101) & ~cr) | x) &
              0x80808080) !==
            0
          )
            break;
        }
        for (; j < n; j++) {
          c = bytes[j]!;
          const k = cls[c]!;
          if (k !== 0) {
            if (k === HIGH) high = true;
            else break;
          }
        }
        if (high) this.#high = true;
        if (j === n) {
          i = n;
          break;
        }
        this.#endField(bytes, fs, j);
        if (c === delim) {
          this.#state = FIELD_START;
          i = j + 1;
          continue;
        }
        i = this.#lineBreak(bytes, j, c, handler);
      } else if (state === QUOTED) {
        let j = i;
        let high = false;
        for (; j < n; j++) {
          const k = QUOTED_CLASS[bytes[j]!]!;
          if (k === 0) continue;
          if (k === STOP) break;
          if (k === HIGH) high = true;
          else if (k === IS_CR) this.#line++;
          // A LF right after a CR ends the same line break.
          else if (j === 0 ? !this.#quotedCR : bytes[j - 1] !== CR) this.#line++;
        }
        if (high) this.#high = true;
        if (j === n) {
          this.#quotedCR = n > 0 && bytes[n - 1] === CR;
          i = n;
          break;
        }
        this.#pendingStart = fs;
        this.#pendingEnd = j;
        this.#state = QUOTE_IN_QUOTED;
        i = j + 1;
      } else {
        // QUOTE_IN_QUOTED: the quote before `i` either closes the field or escapes this one.
        const c = bytes[i]!;
        if (c === QUOTE) {
          // A doubled quote: keep one, by starting the next part at it.
          this.#flushPending(bytes);
          this.#state = QUOTED;
          this.#quotedCR = false;
          fs = i++;
          continue;
        }
        if (c === delim || c === LF || c === CR) {
          this.#endQuoted(bytes);
          if (c === delim) {
            this.#state = FIELD_START;
            i++;
            continue;
          }
          i = this.#lineBreak(bytes, i, c, handler);
        } else {
          // Text after a closing quote: keep it, as spreadsheet tools do.
          this.#flushPending(bytes);
          this.#state = UNQUOTED;
          fs = i;
          continue;
        }
      }
      fs = i;
    }
    // A field cut by the end of the chunk: keep its piece for the next one.
    if ((this.#state === UNQUOTED || this.#state === QUOTED) && fs < n) this.#addPart(bytes.slice(fs, n));
    if (this.#state === QUOTE_IN_QUOTED) this.#flushPending(bytes);
    // Spans point into this chunk only: a record still open keeps its fields as strings.
    for (let f = 0; f < this.#count; f++) {
      if (this.#strings[f] === undefined)
        this.#strings[f] = decodeAscii(bytes, this.#starts[f]!, this.#ends[f]!);
    }
  }

  /**
   * Finish the input: the last record may lack a line break; an open quote
   * is reported. With `discardPartial` (the input was cut short on purpose),
   * a record without its line break is dropped instead: it may be cut.
   */
  end(handler: CsvRecordHandler, discardPartial = false): void {
    if (!discardPartial) {
      // Input too short to tell whether it began with a BOM, or a string's last lone surrogate.
      const held = this.#head;
      this.#head = undefined;
      if (held !== undefined && held.length > 0) this.push(held, handler);
      if (this.#surrogate !== "") {
        // A lone surrogate cannot be UTF-8: it is encoded as U+FFFD, as TextEncoder does.
        const lone = this.#surrogate;
        this.#surrogate = "";
        this.push(encoder.encode(lone), handler);
      }
    }
    // Rows completed above point into `#bytes`; what `end` adds below is all strings.
    const state = this.#state;
    if (discardPartial) {
      // Nothing to report: the record was never read whole.
    } else if (state === QUOTED) {
      this.#pushJoined(EMPTY);
      this.#emitMalformed(
        handler,
        "CSV_UNTERMINATED_QUOTE",
        `a quoted field opened on line ${this.#recordLine} is not closed before the end of the input`,
      );
    } else if (state === UNQUOTED || state === QUOTE_IN_QUOTED) {
      this.#pushJoined(EMPTY);
      this.#endRecord(handler);
    } else if (this.#count > 0) {
      // The input ended right after a delimiter: the record has an empty last field.
      this.#pushJoined(EMPTY);
      this.#endRecord(handler);
    }
    this.#state = FIELD_START;
    this.#clearRecord();
  }

  /** Encode a string chunk, holding back a high surrogate whose pair starts the next chunk. */
  #encode(text: string): Uint8Array {
    if (this.#surrogate !== "") {
      text = this.#surrogate + text;
      this.#surrogate = "";
    }
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#surrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    return encoder.encode(text);
  }

  /** The input's first bytes without a BOM, or `undefined` while too few have come to tell. */
  #afterBom(bytes: Uint8Array): Uint8Array | undefined {
    let head = this.#head!;
    if (head.length > 0) {
      const joined = new Uint8Array(head.length + bytes.length);
      joined.set(head);
      joined.set(bytes, head.length);
      head = joined;
    } else {
      head = bytes;
    }
    let same = 0;
    while (same < 3 && same < head.length && head[same] === BOM[same]) same++;
    if (same === head.length && same < 3) {
      // Every byte so far could begin a BOM: wait for more.
      this.#head = head.slice();
      return undefined;
    }
    this.#head = undefined;
    return same === 3 ? head.subarray(3) : head;
  }

  /** Handle the line break at `j` (byte `c`); returns where scanning goes on. */
  #lineBreak(bytes: Uint8Array, j: number, c: number, handler: CsvRecordHandler): number {
    this.#endRecord(handler);
    this.#line++;
    this.#recordLine = this.#line;
    if (c === CR) {
      if (j + 1 < bytes.length) {
        if (bytes[j + 1] === LF) return j + 2;
      } else {
        this.#skipLF = true;
      }
    }
    return j + 1;
  }

  #endRecord(handler: CsvRecordHandler): void {
    this.#state = FIELD_START;
    if (this.#oversize) {
      this.#emitMalformed(handler, "CSV_RECORD_TOO_LARGE", this.oversizeProblem!);
      return;
    }
    if (this.#count === 1 && !this.#firstQuoted && this.#recordLength === 1) {
      // A blank line is not a record.
      this.#clearRecord();
      return;
    }
    if (this.#badField > 0) {
      this.#emitMalformed(
        handler,
        "CSV_INVALID_UTF8",
        `field ${this.#badField} holds bytes that are not valid UTF-8; save the file as UTF-8`,
      );
      return;
    }
    handler.record(this.#recordLine);
    this.#clearRecord();
  }

  #emitMalformed(handler: CsvRecordHandler, code: RejectCode, message: string): void {
    handler.malformed(code, message, this.#recordLine);
    this.#clearRecord();
  }

  #clearRecord(): void {
    this.#count = 0;
    if (this.#parts.length > 0) this.#parts = [];
    this.#partsLength = 0;
    this.#high = false;
    this.#pendingStart = -1;
    this.#recordLength = 0;
    this.#oversize = false;
    this.#badField = 0;
    this.#firstQuoted = false;
  }

  /** An unquoted field (or the tail after a closing quote) ends at `end`. */
  #endField(bytes: Uint8Array, start: number, end: number): void {
    if (this.#parts.length === 0 && !this.#high) this.#pushSpan(start, end);
    else this.#pushJoined(bytes.subarray(start, end));
  }

  /** The closing quote of a quoted field was found at `#pendingEnd`. */
  #endQuoted(bytes: Uint8Array): void {
    const start = this.#pendingStart;
    this.#pendingStart = -1;
    // No pending content: the previous chunk ended at the quote, and its content is in the parts.
    if (start < 0) this.#pushJoined(EMPTY);
    else if (this.#parts.length === 0 && !this.#high) this.#pushSpan(start, this.#pendingEnd);
    else this.#pushJoined(bytes.subarray(start, this.#pendingEnd));
  }

  #pushSpan(start: number, end: number): void {
    if (this.#oversize) return;
    this.#recordLength += end - start + 1;
    if (this.#recordLength > this.#maxRecordLength + 1) {
      this.#tooLarge();
      return;
    }
    const f = this.#count++;
    if (f === this.#starts.length) this.#growFields();
    this.#starts[f] = start;
    this.#ends[f] = end;
    this.#strings[f] = undefined;
  }

  /** The field is its parts followed by `last`: decode them as one string. */
  #pushJoined(last: Uint8Array): void {
    if (this.#oversize) return;
    // The parts were already counted in the record length; the field is counted whole here.
    const length = this.#partsLength + last.length;
    this.#recordLength += length - this.#partsLength + 1;
    if (this.#recordLength > this.#maxRecordLength + 1) {
      this.#tooLarge();
      return;
    }
    let bytes = last;
    if (this.#parts.length > 0) {
      bytes = new Uint8Array(length);
      let at = 0;
      for (const part of this.#parts) {
        bytes.set(part, at);
        at += part.length;
      }
      bytes.set(last, at);
      this.#parts = [];
      this.#partsLength = 0;
    }
    const f = this.#count++;
    if (f === this.#starts.length) this.#growFields();
    this.#strings[f] = this.#high ? this.#decode(bytes, f) : decodeAscii(bytes, 0, bytes.length);
    this.#high = false;
  }

  /** Decode a field holding non-ASCII bytes; bytes that are not UTF-8 mark the record (and become U+FFFD). */
  #decode(bytes: Uint8Array, field: number): string {
    try {
      return strictDecoder.decode(bytes);
    } catch {
      if (this.#badField === 0) this.#badField = field + 1;
      return lossyDecoder.decode(bytes);
    }
  }

  #flushPending(bytes: Uint8Array): void {
    if (this.#pendingStart < 0) return;
    this.#addPart(bytes.slice(this.#pendingStart, this.#pendingEnd));
    this.#pendingStart = -1;
  }

  #addPart(part: Uint8Array): void {
    if (this.#oversize) return;
    this.#recordLength += part.length;
    if (this.#recordLength > this.#maxRecordLength) {
      this.#tooLarge();
      return;
    }
    this.#parts.push(part);
    this.#partsLength += part.length;
  }

  #tooLarge(): void {
    // Keep the first fields, cut short, for the reject report; drop the rest so memory stays bounded.
    this.#oversize = true;
    this.#oversizeField = this.#count + 1;
    this.#parts = [];
    this.#partsLength = 0;
    this.#pendingStart = -1;
    const kept = Math.min(this.#count, KEPT_WHEN_TOO_LARGE);
    for (let f = 0; f < kept; f++) {
      const value = this.fieldValue(f);
      this.#strings[f] = value.length > 100 ? `${value.slice(0, 100)}…` : value;
    }
    this.#count = kept;
    this.#strings.length = kept;
  }

  #growFields(): void {
    const starts = new Int32Array(this.#starts.length * 2);
    starts.set(this.#starts);
    this.#starts = starts;
    const ends = new Int32Array(this.#ends.length * 2);
    ends.set(this.#ends);
    this.#ends = ends;
  }
}

/** Check the options every CSV parser front end shares; bad values throw naming `where`, the option and the value. */
export function checkCsvParserOptions(
  where: string,
  options: CsvParserOptions,
): { delimiter: string; maxRecordLength: number } {
  const delimiter = options.delimiter ?? ",";
  if (
    typeof delimiter !== "string" ||
    delimiter.length !== 1 ||
    delimiter.charCodeAt(0) > 0x7f ||
    delimiter === '"' ||
    delimiter === "\n" ||
    delimiter === "\r"
  ) {
    throw new InvalidOptionError(
      where,
      "delimiter",
      "one ASCII character other than a quote or a line break",
      delimiter,
    );
  }
  const max = options.maxRecordLength ?? 1_048_576;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new InvalidOptionError(where, "maxRecordLength", "a positive integer", max);
  }
  return { delimiter, maxRecordLength: max };
}
