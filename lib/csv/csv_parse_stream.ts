import type { RowBatch } from "../row_batch.ts";
import { type CsvReadStats, CsvRowReader, type CsvRowReaderOptions } from "./csv_row_reader.ts";

/** Options of {@linkcode CsvParseStream}. */
export type CsvParseStreamOptions = CsvRowReaderOptions;

/**
 * Parses CSV (UTF-8 bytes or strings) into {@linkcode RowBatch}es — the
 * rows of each input chunk, with values in the schema's field order. Malformed records go to
 * `onReject` with their line number and the stream goes on; a missing
 * required column errors the stream before any row flows.
 *
 * @example
 * ```ts
 * const rows = ReadableStream.from(["OpportunityID,EmailAddress\n", "1,a@example.com\n"])
 *   .pipeThrough(new CsvParseStream());
 * for await (const batch of rows) console.log(batch.toRows()); // [{ line: 2, values: ["1", "a@example.com"] }]
 * ```
 */
export class CsvParseStream extends TransformStream<Uint8Array | string, RowBatch> {
  readonly #reader: CsvRowReader;
  readonly #input: { truncated: boolean };

  constructor(options: CsvParseStreamOptions = {}) {
    const reader = new CsvRowReader(options);
    const input = { truncated: false };
    super({
      transform(chunk, controller) {
        const batch = reader.push(chunk);
        if (batch !== undefined) controller.enqueue(batch);
      },
      flush(controller) {
        const batch = reader.end(input.truncated);
        if (batch !== undefined) controller.enqueue(batch);
      },
    });
    this.#reader = reader;
    this.#input = input;
  }

  /**
   * Declare that the input ends early on purpose (the reading was stopped):
   * at the end, a last record without its line break is dropped rather than
   * read, since it may be cut short.
   */
  truncate(): void {
    this.#input.truncated = true;
  }

  /** Records read and rejected so far. */
  get stats(): Readonly<CsvReadStats> {
    return this.#reader.stats;
  }
}
