import type { RejectCode, RejectHandler } from "../reject.ts";
import { valuesByName } from "../reject.ts";
import { type RowBatch, RowBatchBuilder } from "../row_batch.ts";
import { fieldNames, type ImportSchema, LINKAGE_SCHEMA } from "../schema.ts";
import { CsvHeaderError } from "./csv_errors.ts";
import { CsvParser, type CsvParserOptions, type CsvRecordHandler } from "./csv_parser.ts";
import { type HeaderMappingOptions, mapHeader } from "./header_mapping.ts";

/**
 * Fields of a rejected record kept in its `values`, past the header's width: a ragged line of a million
 * commas would otherwise become a reject of a million values (seconds of work and hundreds of MB for
 * one line). The schema's own columns are always kept.
 */
const KEPT_PAST_HEADER = 8;
/** Fields of a rejected record kept at most besides the schema's columns, however wide the header. */
const MAX_KEPT_FIELDS = 1_024;

/** Options of {@linkcode CsvRowReader} and `CsvParseStream`. */
export interface CsvRowReaderOptions extends CsvParserOptions, HeaderMappingOptions {
  /**
   * The fields to read.
   * @default LINKAGE_SCHEMA (OpportunityID, EmailAddress)
   */
  schema?: ImportSchema;
  /**
   * The input's name in messages, e.g. a file name.
   * @default "input"
   */
  sourceName?: string;
  /**
   * Receives every record that cannot be read (malformed, wrong number of fields). Its `values` hold
   * the record's first fields (at most 8 past the header's width, 1,024 in all) and the schema's columns.
   * @default undefined (such records are only counted in `stats.rejected`)
   */
  onReject?: RejectHandler;
}

/** Counts of the parse stage. */
export interface CsvReadStats {
  /** Data records read: every record after the header, well-formed or not; blank lines are not records. */
  read: number;
  /** Records set aside as malformed (also passed to `onReject`). */
  rejected: number;
}

/**
 * The pure core of the parse stage: bytes or text in, {@linkcode RowBatch}es
 * out. Reads UTF-8 bytes (a multi-byte character may be split across chunks),
 * reads the header, maps source columns to the schema's fields, and rejects
 * malformed records with their line number.
 */
export class CsvRowReader {
  readonly stats: CsvReadStats = { read: 0, rejected: 0 };
  readonly #parser: CsvParser;
  readonly #schema: ImportSchema;
  readonly #names: string[];
  readonly #mapping: HeaderMappingOptions;
  readonly #source: string;
  readonly #onReject: RejectHandler | undefined;
  readonly #builder: RowBatchBuilder;
  readonly #handler: CsvRecordHandler;
  #header: string[] | undefined;
  #indices: number[] = [];

  constructor(options: CsvRowReaderOptions = {}) {
    this.#parser = new CsvParser(options);
    this.#schema = options.schema ?? LINKAGE_SCHEMA;
    this.#names = fieldNames(this.#schema);
    this.#mapping = options;
    this.#source = options.sourceName ?? "input";
    this.#onReject = options.onReject;
    this.#builder = new RowBatchBuilder(this.#names.length);
    this.#handler = {
      record: (line) => this.#record(line),
      malformed: (code, message, line) => this.#malformed(code, message, line),
    };
  }

  /** The source column names, once the header has been read. */
  get header(): readonly string[] | undefined {
    return this.#header;
  }

  /** Read the next chunk; returns the rows it completed, or `undefined` when none. */
  push(chunk: Uint8Array | string): RowBatch | undefined {
    const parser = this.#parser;
    parser.push(chunk, this.#handler);
    // A header past maxRecordLength can never be read: say so now, not at the end of an input that may
    // never end (a file without line breaks, /dev/zero).
    const problem = this.#header === undefined ? parser.oversizeProblem : undefined;
    if (problem !== undefined) this.#malformed("CSV_RECORD_TOO_LARGE", problem, parser.recordLine);
    return this.#take();
  }

  /**
   * End of input: returns the last rows. Throws when there was no header at
   * all. With `truncated` (the reading was stopped on purpose), a last record
   * without its line break is dropped, not read: it may be cut short.
   */
  end(truncated = false): RowBatch | undefined {
    this.#parser.end(this.#handler, truncated);
    if (truncated && this.#header === undefined) return undefined;
    if (this.#header === undefined) {
      throw new CsvHeaderError(
        "CSV_NO_HEADER",
        this.#source,
        1,
        undefined,
        `the input is empty; expected a header row naming the columns ${this.#names.join(", ")}`,
      );
    }
    return this.#take();
  }

  #take(): RowBatch | undefined {
    return this.#builder.length === 0 ? undefined : this.#builder.finish(this.#parser.chunk);
  }

  #record(line: number): void {
    const parser = this.#parser;
    const header = this.#header;
    if (header === undefined) {
      this.#readHeader(parser.fields(), line);
      return;
    }
    this.stats.read++;
    if (parser.fieldCount !== header.length) {
      const n = parser.fieldCount;
      this.#reject(
        "CSV_FIELD_COUNT",
        `the record has ${n} field${n === 1 ? "" : "s"}, the header has ${header.length}`,
        line,
      );
      return;
    }
    const builder = this.#builder;
    const indices = this.#indices;
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k]!;
      if (index < 0) {
        builder.addString("");
        continue;
      }
      const value = parser.fieldString(index);
      if (value === undefined) builder.addSpan(parser.spanStart(index), parser.spanEnd(index));
      else builder.addString(value);
    }
    builder.endRow(line);
  }

  #readHeader(fields: string[], line: number): void {
    this.#indices = mapHeader(fields, this.#schema, this.#mapping, this.#source, line);
    this.#header = fields;
  }

  #malformed(code: RejectCode, message: string, line: number): void {
    if (this.#header === undefined) {
      throw new CsvHeaderError(
        "CSV_NO_HEADER",
        this.#source,
        line,
        undefined,
        `the header row cannot be read: ${message}`,
      );
    }
    this.stats.read++;
    this.#reject(code, message, line);
  }

  #reject(code: RejectCode, message: string, line: number): void {
    this.stats.rejected++;
    this.#onReject?.({
      line,
      stage: "parse",
      code,
      message: `${this.#source} line ${line}: ${message}`,
      values: this.#rejectValues(),
    });
  }

  /** The rejected record's values by column name: the first fields and the schema's columns, bounded. */
  #rejectValues(): Record<string, string> {
    const parser = this.#parser;
    const header = this.#header ?? [];
    const count = parser.fieldCount;
    const kept = Math.min(count, header.length + KEPT_PAST_HEADER, MAX_KEPT_FIELDS);
    const values: string[] = [];
    for (let f = 0; f < kept; f++) values.push(parser.fieldValue(f));
    const out = valuesByName(header, values);
    for (const index of this.#indices) {
      if (index >= kept && index < count) out[header[index]!] = parser.fieldValue(index);
    }
    return out;
  }
}
