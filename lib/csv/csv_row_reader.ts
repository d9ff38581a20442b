import type { RowBatch } from "../row_batch.ts";
import { CsvParser, type CsvParserOptions, type CsvRecordHandler } from "./csv_parser.ts";
import { type CsvReadStats, RecordMapper, type RecordMapperOptions } from "./record_mapper.ts";

export type { CsvReadStats } from "./record_mapper.ts";

/** Options of {@linkcode CsvRowReader} and `CsvParseStream`: the parser's and the record mapper's. */
export interface CsvRowReaderOptions extends CsvParserOptions, RecordMapperOptions {}

/**
 * The pure core of the parse stage: bytes or text in, {@linkcode RowBatch}es
 * out. Reads UTF-8 bytes (a multi-byte character may be split across chunks),
 * reads the header, maps source columns to the schema's fields, and rejects
 * malformed records with their line number.
 */
export class CsvRowReader {
  readonly #parser: CsvParser;
  readonly #mapper: RecordMapper;
  readonly #handler: CsvRecordHandler;

  constructor(options: CsvRowReaderOptions = {}) {
    const parser = new CsvParser(options);
    const mapper = new RecordMapper(options);
    this.#parser = parser;
    this.#mapper = mapper;
    this.#handler = {
      record: (line) => mapper.record(parser, line),
      malformed: (code, message, line) => mapper.malformed(parser, code, message, line),
    };
  }

  /** Records read and rejected so far. */
  get stats(): CsvReadStats {
    return this.#mapper.stats;
  }

  /** The source column names, once the header has been read. */
  get header(): readonly string[] | undefined {
    return this.#mapper.header;
  }

  /** Read the next chunk; returns the rows it completed, or `undefined` when none. */
  push(chunk: Uint8Array | string): RowBatch | undefined {
    const parser = this.#parser;
    parser.push(chunk, this.#handler);
    // A header past maxRecordLength can never be read: say so now, not at the end of an input that may
    // never end (a file without line breaks, /dev/zero).
    const problem = this.#mapper.header === undefined ? parser.oversizeProblem : undefined;
    if (problem !== undefined)
      this.#mapper.malformed(parser, "CSV_RECORD_TOO_LARGE", problem, parser.recordLine);
    return this.#mapper.take(parser.chunk);
  }

  /**
   * End of input: returns the last rows. Throws when there was no header at
   * all. With `truncated` (the reading was stopped on purpose), a last record
   * without its line break is dropped, not read: it may be cut short.
   */
  end(truncated = false): RowBatch | undefined {
    this.#parser.end(this.#handler, truncated);
    if (truncated && this.#mapper.header === undefined) return undefined;
    this.#mapper.requireHeader();
    return this.#mapper.take(this.#parser.chunk);
  }
}
