import { parse } from "fast-csv";
import type { CsvHeaderError } from "../csv/csv_errors.ts";
import { checkCsvParserOptions } from "../csv/csv_parser.ts";
import type { CsvReadStats, CsvRowReaderOptions } from "../csv/csv_row_reader.ts";
import { RecordMapper, StringRecord } from "../csv/record_mapper.ts";
import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";
import type { RowBatch } from "../row_batch.ts";

/** Options of {@linkcode FastCsvParseStream}: the same as `CsvParseStream`'s. */
export type FastCsvParseStreamOptions = CsvRowReaderOptions;

/** Fields kept in a too-large record's reject, as `CsvParser` keeps them. */
const KEPT_WHEN_TOO_LARGE = 8;

/**
 * `CsvParseStream` with fast-csv as the parser, for Node (and runtimes with Node's `stream`): the same
 * options, the same {@linkcode RowBatch}es (one per input chunk that completes rows), the same `stats`
 * and reject codes, and {@linkcode CsvHeaderError} for an empty input or a missing column.
 *
 * It is ~10× slower than `CsvParseStream` (every value becomes a string, and fast-csv yields to the
 * event loop every 100 rows); keep it for inputs where fast-csv's reading is wanted.
 *
 * Differences, all from fast-csv:
 * - `line` is the number of rows fast-csv reported before the record, plus one (blank lines count):
 *   the physical line only when no quoted field holds a line break.
 * - Text after a closing quote (`"a"b`) is an error of the stream (`CSV_PARSE_ERROR`), not kept.
 * - Lines of white space only are skipped as blank, not rejected as one-field records.
 * - `maxRecordLength` is checked once a record has been read, and counts characters, not bytes: it bounds
 *   what is passed on, not memory.
 *
 * @example
 * ```ts
 * const file = Readable.toWeb(createReadStream("links.csv")) as ReadableStream<Uint8Array>;
 * for await (const batch of file.pipeThrough(new FastCsvParseStream())) console.log(batch.toRows());
 * ```
 */
export class FastCsvParseStream extends TransformStream<Uint8Array | string, RowBatch> {
  readonly #rows: FastCsvRows;

  constructor(options: FastCsvParseStreamOptions = {}) {
    const rows = new FastCsvRows(options);
    super({
      // Returning a promise holds the next chunk back until fast-csv has handed over this one's rows,
      // and TransformStream calls transform only when the readable side has room: backpressure both ways.
      async transform(chunk, controller) {
        await rows.write(chunk);
        const batch = rows.take();
        if (batch !== undefined) controller.enqueue(batch);
      },
      async flush(controller) {
        await rows.end();
        const batch = rows.take();
        if (batch !== undefined) controller.enqueue(batch);
      },
    });
    this.#rows = rows;
  }

  /** Records read and rejected so far. */
  get stats(): Readonly<CsvReadStats> {
    return this.#rows.stats;
  }
}

/** The work behind {@linkcode FastCsvParseStream}: drives fast-csv and hands its records to a `RecordMapper`. */
class FastCsvRows {
  readonly #parser: ReturnType<typeof parse<string[], string[]>>;
  readonly #mapper: RecordMapper;
  readonly #record = new StringRecord();
  readonly #source: string;
  readonly #maxRecordLength: number;
  readonly #decoder = new TextDecoder("utf-8");
  #line = 0;
  #fromBytes = false;
  #first = true;
  #error: unknown;

  constructor(options: CsvRowReaderOptions) {
    const { delimiter, maxRecordLength: max } = checkCsvParserOptions("FastCsvParseStream", options);
    this.#maxRecordLength = max;
    this.#mapper = new RecordMapper(options);
    this.#source = options.sourceName ?? "input";
    // `headers: false`: rows come as arrays, blank lines as []; the header is mapped by the RecordMapper.
    // Rows are taken in a row transform that returns null, so fast-csv pushes nothing downstream and the
    // write callback fires only once every row of the chunk has been handed over.
    this.#parser = parse<string[], string[]>({ headers: false, delimiter, objectMode: true });
    this.#parser.transform((row: string[]) => {
      this.#row(row);
      return null as unknown as string[];
    });
    // Errors reach `write`'s callback too; this keeps the first one for `end` and avoids an unhandled event.
    this.#parser.on("error", (error) => {
      this.#error ??= error;
    });
    this.#parser.resume();
  }

  get stats(): CsvReadStats {
    return this.#mapper.stats;
  }

  /** Feed a chunk; resolves when fast-csv has handed over all the rows it completed. */
  write(chunk: Uint8Array | string): Promise<void> {
    let text: string;
    if (typeof chunk === "string") {
      this.#fromBytes = false;
      text = chunk;
      if (this.#first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    } else {
      this.#fromBytes = true;
      text = this.#decoder.decode(chunk, { stream: true });
    }
    if (text.length > 0) this.#first = false;
    if (text.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#parser.write(text, (error) => {
        const failure = error ?? this.#error;
        if (failure) reject(this.#wrap(failure));
        else resolve();
      });
    });
  }

  /** End of input: the decoder's tail and fast-csv's last record; throws on a missing header. */
  async end(): Promise<void> {
    const rest = this.#decoder.decode();
    if (rest.length > 0) await this.write(rest);
    const parser = this.#parser;
    const failure = await new Promise<unknown>((resolve) => {
      if (this.#error !== undefined) return resolve(this.#error);
      parser.once("error", resolve);
      parser.once("finish", () => resolve(this.#error));
      parser.end();
    });
    if (failure !== undefined) {
      const message = failure instanceof Error ? failure.message : String(failure);
      // fast-csv finds an open quote only at the end of the input; CsvParseStream rejects that record.
      if (!message.startsWith("Parse Error: missing closing")) throw this.#wrap(failure);
      const line = this.#line + 1;
      this.#record.fields = [];
      this.#mapper.malformed(
        this.#record,
        "CSV_UNTERMINATED_QUOTE",
        `a quoted field opened on line ${line} is not closed before the end of the input`,
        line,
      );
    }
    this.#mapper.requireHeader();
  }

  /** The rows completed since the last call, or `undefined` when none. */
  take(): RowBatch | undefined {
    return this.#mapper.take();
  }

  #row(fields: string[]): void {
    const line = ++this.#line;
    if (fields.length === 0) return; // a blank line
    const record = this.#record;
    record.fields = fields;
    // Checks of what our parser finds as it reads; fast-csv hands over whole records.
    let length = fields.length - 1;
    for (const value of fields) length += value.length;
    if (length > this.#maxRecordLength) {
      record.fields = fields
        .slice(0, KEPT_WHEN_TOO_LARGE)
        .map((v) => (v.length > 100 ? `${v.slice(0, 100)}…` : v));
      this.#mapper.malformed(
        record,
        "CSV_RECORD_TOO_LARGE",
        `the record is longer than ${this.#maxRecordLength} characters (maxRecordLength)`,
        line,
      );
      return;
    }
    if (this.#fromBytes && fields.some((value) => value.includes("\uFFFD"))) {
      this.#mapper.malformed(
        record,
        "CSV_INVALID_UTF8",
        "the record holds bytes that are not valid UTF-8; save the file as UTF-8",
        line,
      );
      return;
    }
    this.#mapper.record(record, line);
  }

  /** Header errors pass as they are; fast-csv's own errors get a code and the source's name. */
  #wrap(error: unknown): unknown {
    if (isEloquaBulkError(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new EloquaBulkError(
      "CSV_PARSE_ERROR",
      `${this.#source}: fast-csv cannot read the input (${message}); ` +
        "fix the quoting, or read the file with CsvParseStream, which keeps text after a closing quote",
      { cause: error },
    );
  }
}
