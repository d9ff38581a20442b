import { CsvParseStream } from "../csv/csv_parse_stream.ts";
import type { CsvRowReaderOptions } from "../csv/csv_row_reader.ts";
import { LINKAGE_SCHEMA } from "../schema.ts";
import { ValidateStream } from "../validate/validate_stream.ts";
import { KeyLineTable } from "./key_line_table.ts";
import { rowKey } from "./row_key.ts";

/** Options of {@linkcode findLastOccurrences}: the reading and validation options of the import that uses the table. */
export interface LastOccurrencesOptions extends Omit<CsvRowReaderOptions, "onReject"> {
  /**
   * Per key field, whether case matters (as `RowDeduperOptions.caseSensitive`).
   * @default {}
   */
  caseSensitive?: Readonly<Record<string, boolean>>;
  /**
   * Unique keys expected, to size the table once.
   * @default 0 (start small and grow)
   */
  expectedKeys?: number;
  /** Stops the read. */
  signal?: AbortSignal;
}

/**
 * Read a CSV once, as the import will (same parsing, same validation), and
 * return the line of the last valid row of each key: the table with which
 * a dedupe stage keeps the last occurrence of a key instead of the first
 * (`RowDeduperOptions.lastOccurrences`). Rejects are not reported here; the
 * import's own read reports them.
 *
 * The table costs 21 to 43 bytes a unique key (see {@linkcode KeyLineTable}).
 */
export async function findLastOccurrences(
  input: ReadableStream<Uint8Array | string>,
  options: LastOccurrencesOptions = {},
): Promise<KeyLineTable> {
  const schema = options.schema ?? LINKAGE_SCHEMA;
  const key = rowKey(schema, options.caseSensitive ?? {}, "findLastOccurrences");
  const table = new KeyLineTable(options.expectedKeys ?? 0);
  const { signal, caseSensitive: _case, expectedKeys: _expected, ...reading } = options;
  await input
    .pipeThrough(new CsvParseStream({ ...reading, schema }))
    .pipeThrough(new ValidateStream({ schema }))
    .pipeTo(
      new WritableStream({
        write(batch) {
          const keys = batch.keyHashes(key);
          const lines = batch.lines;
          for (let r = 0; r < batch.length; r++) {
            table.set(keys[r * 4]!, keys[r * 4 + 1]!, keys[r * 4 + 2]!, lines[r]!);
          }
        },
      }),
      signal === undefined ? {} : { signal },
    );
  return table;
}
