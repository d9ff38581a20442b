import { InvalidOptionError } from "../errors.ts";
import type { RejectCode } from "../reject.ts";

/** Options of {@linkcode CsvParser}. */
export interface CsvParserOptions {
  /**
   * The field separator, one character.
   * @default ","
   */
  delimiter?: string;
  /**
   * Longest record, in characters, that is kept. A longer record is skipped
   * to its end and reported as `CSV_RECORD_TOO_LARGE`, so a file without
   * line breaks cannot exhaust memory.
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

/** Fields kept in a malformed record's report when it is too large to keep whole. */
const KEPT_WHEN_TOO_LARGE = 8;

/**
 * A push parser for RFC 4180 CSV over strings, with no stream types: feed it
 * text with {@linkcode push} in chunks cut anywhere, then call {@linkcode end}.
 *
 * It handles quoted fields, doubled quotes, CR, LF and CRLF line breaks
 * (also inside quotes), a last line without a line break, and a leading BOM;
 * it skips blank lines; and it reports for every record the physical line
 * where it starts. Text after a closing quote and quotes inside unquoted
 * fields are kept as they are, as most spreadsheet tools do.
 *
 * A field is reported as a span of the current chunk when it lies in it
 * as-is, and as a string otherwise (doubled quotes, or cut by a chunk end):
 * no string is made for ordinary fields. A field that spans chunks is kept
 * as a list of parts, so work stays linear in the input however it is cut.
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

  #text = "";
  #state = FIELD_START;
  /** The current record's fields: a span of `#text` when `#strings[f]` is undefined, else that string. */
  #count = 0;
  #starts = new Int32Array(16);
  #ends = new Int32Array(16);
  #strings: (string | undefined)[] = [];
  /** Pieces of the current field cut by chunk ends or doubled quotes; empty when the field is one span. */
  #parts: string[] = [];
  /** A quoted field's content seen up to a quote, not yet sliced: `[#pendingStart, #pendingEnd)`, or -1. */
  #pendingStart = -1;
  #pendingEnd = 0;
  #line = 1;
  #recordLine = 1;
  #recordLength = 0;
  #oversize = false;
  /** The 1-based field that made the record too large, for the message. */
  #oversizeField = 0;
  /** Whether the record's first field is quoted: then a lone empty field (`""`) is a record, not a blank line. */
  #firstQuoted = false;
  /** The previous chunk ended with a CR that ended a record: skip a LF that starts this one. */
  #skipLF = false;
  /** Inside quotes, the last character was a CR (so a following LF is the same line break). */
  #quotedCR = false;
  #first = true;
  /** Whether the record in progress holds text from a chunk that contained U+FFFD from decoding. */
  #replacementCarry = false;
  #replacementInChunk = false;

  constructor(options: CsvParserOptions = {}) {
    const { delimiter, maxRecordLength: max } = checkCsvParserOptions("CsvParser", options);
    this.#delimiter = delimiter.charCodeAt(0);
    this.#maxRecordLength = max;
  }

  /** The 1-based line the parser has reached. */
  get line(): number {
    return this.#line;
  }

  /** The 1-based line where the record in progress (or being reported) starts. */
  get recordLine(): number {
    return this.#recordLine;
  }

  /**
   * When the record in progress is already longer than `maxRecordLength`,
   * what its `CSV_RECORD_TOO_LARGE` reject will say; else `undefined`. Lets
   * a reader give up on a header that can never be read without waiting for
   * the end of a record that may never come (an input without line breaks).
   */
  get oversizeProblem(): string | undefined {
    if (!this.#oversize) return undefined;
    return `field ${this.#oversizeField} makes the record longer than ${this.#maxRecordLength} characters (maxRecordLength)`;
  }

  /** Fields of the record being reported. */
  get fieldCount(): number {
    return this.#count;
  }

  /** The field's own string when it is not a span of the current chunk, else `undefined`. */
  fieldString(field: number): string | undefined {
    return this.#strings[field];
  }

  /** Start of the field's span in the current chunk (when `fieldString` is undefined). */
  spanStart(field: number): number {
    return this.#starts[field]!;
  }

  /** End of the field's span in the current chunk. */
  spanEnd(field: number): number {
    return this.#ends[field]!;
  }

  /** The field as a string. */
  fieldValue(field: number): string {
    return this.#strings[field] ?? this.#text.slice(this.#starts[field], this.#ends[field]);
  }

  /** All fields of the record being reported, as strings. */
  fields(): string[] {
    const out: string[] = [];
    for (let f = 0; f < this.#count; f++) out.push(this.fieldValue(f));
    return out;
  }

  /**
   * Parse the next piece of text.
   * @param decodedReplacement set when `text` was decoded from bytes, so a
   *   U+FFFD in it marks bytes that were not valid UTF-8: such records are
   *   reported as `CSV_INVALID_UTF8` rather than passed on altered.
   */
  push(text: string, handler: CsvRecordHandler, decodedReplacement = false): void {
    let i = 0;
    const n = text.length;
    this.#text = text;
    if (this.#first && n > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.#skipLF && n > 0) {
      this.#skipLF = false;
      if (text.charCodeAt(i) === LF) i++;
    }
    this.#replacementInChunk = decodedReplacement && text.indexOf("\uFFFD") !== -1;
    const delim = this.#delimiter;
    let fs = i;

    while (i < n) {
      const state = this.#state;
      if (state === FIELD_START || state === UNQUOTED) {
        if (state === FIELD_START) {
          if (text.charCodeAt(i) === QUOTE) {
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
        for (; j < n; j++) {
          c = text.charCodeAt(j);
          if (c === delim || c === LF || c === CR) break;
        }
        if (j === n) {
          i = n;
          break;
        }
        if (this.#parts.length === 0) this.#pushSpan(fs, j);
        else this.#pushString(this.#joinParts(text.slice(fs, j)));
        if (c === delim) {
          this.#state = FIELD_START;
          i = j + 1;
          continue;
        }
        i = this.#lineBreak(text, j, c, handler);
      } else if (state === QUOTED) {
        let j = i;
        let c = 0;
        for (; j < n; j++) {
          c = text.charCodeAt(j);
          if (c === QUOTE) break;
          if (c === LF) {
            if (!this.#quotedCR) this.#line++;
            this.#quotedCR = false;
          } else if (c === CR) {
            this.#line++;
            this.#quotedCR = true;
          } else {
            this.#quotedCR = false;
          }
        }
        if (j === n) {
          i = n;
          break;
        }
        this.#pendingStart = fs;
        this.#pendingEnd = j;
        this.#state = QUOTE_IN_QUOTED;
        i = j + 1;
      } else {
        // QUOTE_IN_QUOTED: the quote before `i` either closes the field or escapes this one.
        const c = text.charCodeAt(i);
        if (c === QUOTE) {
          // A doubled quote: keep one, by starting the next part at it.
          this.#flushPending(text);
          this.#state = QUOTED;
          this.#quotedCR = false;
          fs = i++;
          continue;
        }
        if (c === delim || c === LF || c === CR) {
          this.#endQuoted(text);
          if (c === delim) {
            this.#state = FIELD_START;
            i++;
            continue;
          }
          i = this.#lineBreak(text, i, c, handler);
        } else {
          // Text after a closing quote: keep it, as spreadsheet tools do.
          this.#flushPending(text);
          this.#state = UNQUOTED;
          fs = i;
          continue;
        }
      }
      fs = i;
    }
    // A field cut by the end of the chunk: keep its piece for the next one.
    if ((this.#state === UNQUOTED || this.#state === QUOTED) && fs < n) this.#addPart(text.slice(fs, n));
    if (this.#state === QUOTE_IN_QUOTED) this.#flushPending(text);
    // Spans point into this chunk only: a record still open keeps its fields as strings.
    for (let f = 0; f < this.#count; f++) {
      if (this.#strings[f] === undefined) this.#strings[f] = text.slice(this.#starts[f], this.#ends[f]);
    }
    this.#replacementCarry =
      (this.#replacementCarry || this.#replacementInChunk) &&
      (this.#state !== FIELD_START || this.#count > 0);
  }

  /**
   * Finish the input: the last record may lack a line break; an open quote
   * is reported. With `discardPartial` (the input was cut short on purpose),
   * a record without its line break is dropped instead: it may be cut.
   */
  end(handler: CsvRecordHandler, discardPartial = false): void {
    this.#text = "";
    const state = this.#state;
    if (discardPartial) {
      // Nothing to report: the record was never read whole.
    } else if (state === QUOTED) {
      this.#pushString(this.#joinParts(""));
      this.#emitMalformed(
        handler,
        "CSV_UNTERMINATED_QUOTE",
        `a quoted field opened on line ${this.#recordLine} is not closed before the end of the input`,
      );
    } else if (state === UNQUOTED || state === QUOTE_IN_QUOTED) {
      this.#pushString(this.#joinParts(""));
      this.#endRecord(handler);
    } else if (this.#count > 0) {
      // The input ended right after a delimiter: the record has an empty last field.
      this.#pushString("");
      this.#endRecord(handler);
    }
    this.#state = FIELD_START;
    this.#clearRecord();
  }

  /** Handle the line break at `j` (character `c`); returns where scanning goes on. */
  #lineBreak(text: string, j: number, c: number, handler: CsvRecordHandler): number {
    this.#endRecord(handler);
    this.#line++;
    this.#recordLine = this.#line;
    if (c === CR) {
      if (j + 1 < text.length) {
        if (text.charCodeAt(j + 1) === LF) return j + 2;
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
    const invalid = this.#replacementCarry || this.#replacementInChunk ? this.#replacementField() : 0;
    if (invalid > 0) {
      this.#emitMalformed(
        handler,
        "CSV_INVALID_UTF8",
        `field ${invalid} holds bytes that are not valid UTF-8; save the file as UTF-8`,
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
    this.#parts = [];
    this.#pendingStart = -1;
    this.#recordLength = 0;
    this.#oversize = false;
    this.#firstQuoted = false;
    this.#replacementCarry = false;
  }

  /** The 1-based number of the first field holding U+FFFD, or 0. */
  #replacementField(): number {
    for (let f = 0; f < this.#count; f++) if (this.fieldValue(f).indexOf("\uFFFD") !== -1) return f + 1;
    return 0;
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

  #pushString(value: string): void {
    if (this.#oversize) return;
    this.#recordLength += value.length + 1;
    if (this.#recordLength > this.#maxRecordLength + 1) {
      this.#tooLarge();
      return;
    }
    const f = this.#count++;
    if (f === this.#starts.length) this.#growFields();
    this.#strings[f] = value;
  }

  /** The closing quote of a quoted field was found at `#pendingEnd`. */
  #endQuoted(text: string): void {
    if (this.#parts.length === 0) {
      this.#pushSpan(this.#pendingStart, this.#pendingEnd);
      this.#pendingStart = -1;
    } else {
      this.#flushPending(text);
      this.#pushString(this.#joinParts(""));
    }
  }

  #flushPending(text: string): void {
    if (this.#pendingStart < 0) return;
    this.#addPart(text.slice(this.#pendingStart, this.#pendingEnd));
    this.#pendingStart = -1;
  }

  #addPart(part: string): void {
    if (this.#oversize) return;
    this.#recordLength += part.length;
    if (this.#recordLength > this.#maxRecordLength) {
      this.#tooLarge();
      return;
    }
    this.#parts.push(part);
  }

  #joinParts(last: string): string {
    const parts = this.#parts;
    if (parts.length === 0) return last;
    parts.push(last);
    const value = parts.join("");
    this.#parts = [];
    // The parts were already counted in the record length; a push counts the whole field again.
    this.#recordLength -= value.length - last.length;
    return value;
  }

  #tooLarge(): void {
    // Keep the first fields, cut short, for the reject report; drop the rest so memory stays bounded.
    this.#oversize = true;
    this.#oversizeField = this.#count + 1;
    this.#parts = [];
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
    delimiter === '"' ||
    delimiter === "\n" ||
    delimiter === "\r"
  ) {
    throw new InvalidOptionError(
      where,
      "delimiter",
      "one character other than a quote or a line break",
      delimiter,
    );
  }
  const max = options.maxRecordLength ?? 1_048_576;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new InvalidOptionError(where, "maxRecordLength", "a positive integer", max);
  }
  return { delimiter, maxRecordLength: max };
}
