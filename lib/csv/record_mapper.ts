import { reuseOf } from "../buffer_pool.ts";
import { countReject, type RejectCode, type RejectCounts, type RejectHandler } from "../reject.ts";
import { type RowBatch, RowBatchBuilder } from "../row_batch.ts";
import { fieldNames, type ImportSchema, LINKAGE_SCHEMA } from "../schema.ts";
import { CsvHeaderError } from "./csv_errors.ts";
import { type HeaderMappingOptions, mapHeader } from "./header_mapping.ts";

/**
 * Fields of a rejected record kept in its `values`, past the header's width: a ragged line of a million
 * commas would otherwise become a reject of a million values (seconds of work and hundreds of MB for
 * one line). The schema's own columns are always kept.
 */
const KEPT_PAST_HEADER = 8;
/** Fields of a rejected record kept at most besides the schema's columns, however wide the header. */
const MAX_KEPT_FIELDS = 1_024;

/** The fields of one record, as a parser holds them while it reports the record. `CsvParser` is one. */
export interface RecordFields {
  readonly fieldCount: number;
  /** The field as a string of its own, or `undefined` when it is a span of the chunk's (ASCII) bytes. */
  fieldString(field: number): string | undefined;
  spanStart(field: number): number;
  spanEnd(field: number): number;
  /** The field as a string, whatever it is. */
  fieldValue(field: number): string;
}

/** A record given as strings, e.g. a row of another parser. */
export class StringRecord implements RecordFields {
  fields: readonly string[] = [];

  get fieldCount(): number {
    return this.fields.length;
  }
  fieldString(field: number): string {
    return this.fields[field] ?? "";
  }
  spanStart(): number {
    return 0;
  }
  spanEnd(): number {
    return 0;
  }
  fieldValue(field: number): string {
    return this.fields[field] ?? "";
  }
}

/** Options of {@linkcode RecordMapper}: those of `CsvRowReader` that are not the parser's. */
export interface RecordMapperOptions extends HeaderMappingOptions {
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
   * the schema's fields under their names, read through `columns` as a row's are, and the record's
   * other first fields under their column names (at most 8 past the header's width, 1,024 in all).
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
  /** Those records by reject code, counted whether or not anyone reads rejects. */
  byCode: RejectCounts;
}

/**
 * What every CSV front end does with the records its parser finds: reads
 * the first as the header and maps its columns to the schema's fields,
 * turns the others into rows of a {@linkcode RowBatch} in the schema's
 * order, and rejects records that cannot be rows (wrong number of fields,
 * or malformed as the parser says) with their line and bounded values.
 * Used by `CsvRowReader` (our parser) and `FastCsvParseStream` (fast-csv).
 */
export class RecordMapper {
  readonly stats: CsvReadStats = { read: 0, rejected: 0, byCode: {} };
  readonly #schema: ImportSchema;
  readonly #names: string[];
  /** The schema's field names in lower case: no other column's value is kept under one of them. */
  readonly #fieldNamesFolded: Set<string>;
  readonly #mapping: HeaderMappingOptions;
  readonly #source: string;
  readonly #onReject: RejectHandler | undefined;
  readonly #builder: RowBatchBuilder;
  #header: string[] | undefined;
  #indices: number[] = [];
  /** Fields a record needs: up to the last mapped column (exporters that drop trailing empty cells stop early). */
  #needed = 0;

  constructor(options: RecordMapperOptions) {
    this.#schema = options.schema ?? LINKAGE_SCHEMA;
    this.#names = fieldNames(this.#schema);
    this.#fieldNamesFolded = new Set(this.#names.map((name) => name.toLowerCase()));
    this.#mapping = options;
    this.#source = options.sourceName ?? "input";
    this.#onReject = options.onReject;
    this.#builder = new RowBatchBuilder(this.#names.length, reuseOf(options).pool);
  }

  /** The source column names, once the header has been read. */
  get header(): readonly string[] | undefined {
    return this.#header;
  }

  /** A well-formed record on `line`: the header when none was read yet, else a row or a `CSV_FIELD_COUNT` reject. */
  record(fields: RecordFields, line: number): void {
    const header = this.#header;
    if (header === undefined) {
      const names: string[] = [];
      for (let f = 0; f < fields.fieldCount; f++) names.push(fields.fieldValue(f));
      this.#indices = mapHeader(names, this.#schema, this.#mapping, this.#source, line);
      this.#needed = Math.max(0, ...this.#indices) + 1;
      this.#header = names;
      return;
    }
    this.stats.read++;
    const n = fields.fieldCount;
    // Fewer fields than the header is a row whose trailing empty cells were dropped, as long as every
    // mapped column is there; more is not a row of this file.
    if (n > header.length || n < this.#needed) {
      const first = Math.min(...this.#indices.filter((index) => index >= n));
      const missing =
        n < header.length ? `, and it ends before the mapped column ${JSON.stringify(header[first])}` : "";
      this.#reject(
        fields,
        "CSV_FIELD_COUNT",
        `the record has ${n} field${n === 1 ? "" : "s"}, the header has ${header.length}${missing}`,
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
      const value = fields.fieldString(index);
      if (value === undefined) builder.addSpan(fields.spanStart(index), fields.spanEnd(index));
      else builder.addString(value);
    }
    builder.endRow(line);
  }

  /** A record that cannot be read: before the header, a `CsvHeaderError`; after it, a reject. */
  malformed(fields: RecordFields, code: RejectCode, message: string, line: number): void {
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
    this.#reject(fields, code, message, line);
  }

  /** End of input: throws `CSV_NO_HEADER` when there was no header at all. */
  requireHeader(): void {
    if (this.#header !== undefined) return;
    throw new CsvHeaderError(
      "CSV_NO_HEADER",
      this.#source,
      1,
      undefined,
      `the input is empty; expected a header row naming the columns ${this.#names.join(", ")}`,
    );
  }

  /** The rows since the last call, their spans over `bytes`; `undefined` when none. */
  take(bytes?: Uint8Array): RowBatch | undefined {
    return this.#builder.length === 0 ? undefined : this.#builder.finish(bytes);
  }

  #reject(fields: RecordFields, code: RejectCode, message: string, line: number): void {
    this.stats.rejected++;
    countReject(this.stats.byCode, code);
    this.#onReject?.({
      line,
      stage: "parse",
      code,
      message: `${this.#source} line ${line}: ${message}`,
      values: this.#rejectValues(fields),
    });
  }

  /**
   * The rejected record's values, bounded: the schema's fields under their names, read through the column
   * mapping as a row's would be, then the record's other first fields under their source column names
   * (`column N` past the header, and for a column named like a field that another column feeds).
   */
  #rejectValues(fields: RecordFields): Record<string, string> {
    const header = this.#header ?? [];
    const indices = this.#indices;
    const names = this.#names;
    const count = fields.fieldCount;
    const kept = Math.min(count, header.length + KEPT_PAST_HEADER, MAX_KEPT_FIELDS);
    const out: Record<string, string> = {};
    for (let f = 0; f < kept; f++) {
      const field = indices.indexOf(f);
      if (field !== -1) {
        out[names[field]!] = fields.fieldValue(f);
        continue;
      }
      const name = header[f];
      const taken = name === undefined || this.#fieldNamesFolded.has(name.toLowerCase());
      out[taken ? `column ${f + 1}` : name] = fields.fieldValue(f);
    }
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k]!;
      if (index >= kept && index < count) out[names[k]!] = fields.fieldValue(index);
    }
    return out;
  }
}
