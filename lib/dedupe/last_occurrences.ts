import { CsvParseStream } from "../csv/csv_parse_stream.ts";
import type { CsvRowReaderOptions } from "../csv/csv_row_reader.ts";
import type { RowBatch } from "../row_batch.ts";
import { type ImportSchema, LINKAGE_SCHEMA } from "../schema.ts";
import { RowValidator } from "../validate/row_validator.ts";
import { type RowWorkerPort, WorkerRowStream } from "../worker/worker_row_stream.ts";
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
  /**
   * Parse, trim and hash keys in this worker while this thread fills the table (the read then takes
   * about the parse's time instead of the sum); it is terminated when the read ends.
   * @default undefined (all on this thread)
   */
  rowWorker?: RowWorkerPort;
}

/**
 * Read a CSV once, as the import will (same parsing, same validation), and
 * return for each key the line of the row to keep: the table with which a
 * dedupe stage keeps the last occurrence of a key instead of the first
 * (`RowDeduperOptions.lastOccurrences`). That line is the key's last valid
 * row; for a key no later row of which is valid, its first row (which the
 * import then keeps if it is valid, and rejects otherwise). So only the rows
 * of a key seen before are validated here: most rows are read, trimmed and
 * hashed, nothing more. Rejects are not reported here; the import's own read
 * reports them.
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
  const { signal, caseSensitive, expectedKeys: _expected, rowWorker, ...reading } = options;
  // Trimming the key fields first gives the hashes the import's validated rows will have.
  const trimming = trimmingOnly(schema, key.fields);
  const trim = new RowValidator({ schema: trimming });
  const validator = new RowValidator({ schema });
  // A worker's rows come trimmed: it validates them with the trimming schema.
  const rows: ReadableStream<RowBatch> =
    rowWorker === undefined
      ? input.pipeThrough(new CsvParseStream({ ...reading, schema }))
      : input.pipeThrough(
          new WorkerRowStream({
            ...reading,
            schema: trimming,
            ...(caseSensitive === undefined ? {} : { caseSensitive }),
            worker: rowWorker,
          }),
        );
  let repeated = new Uint8Array(1024);
  await rows.pipeTo(
    new WritableStream({
      write(batch) {
        if (rowWorker === undefined) trim.validate(batch);
        if (repeated.length < batch.length) repeated = new Uint8Array(batch.length * 2);
        let keys = batch.keyHashes(key);
        let lines = batch.lines;
        let repeats = 0;
        for (let r = 0; r < batch.length; r++) {
          const h0 = keys[r * 4]!;
          const h1 = keys[r * 4 + 1]!;
          const h2 = keys[r * 4 + 2]!;
          const seen = table.get(h0, h1, h2) !== 0;
          repeated[r] = seen ? 1 : 0;
          if (seen) repeats++;
          else table.set(h0, h1, h2, lines[r]!);
        }
        if (repeats === 0) return;
        // A key's later rows, validated: the last valid one wins.
        batch.keep(repeated);
        validator.validate(batch);
        keys = batch.keyHashes(key);
        lines = batch.lines;
        for (let r = 0; r < batch.length; r++) {
          table.set(keys[r * 4]!, keys[r * 4 + 1]!, keys[r * 4 + 2]!, lines[r]!);
        }
      },
    }),
    signal === undefined ? {} : { signal },
  );
  return table;
}

/**
 * `schema` with no check but the trimming of the key fields `keyFields` (indices) and required fields
 * (which also map a header as the import's read does; a row it refuses is refused by the import too).
 */
function trimmingOnly(schema: ImportSchema, keyFields: readonly number[]): ImportSchema {
  return {
    ...schema,
    fields: schema.fields.map((field, k) => ({
      name: field.name,
      trim: keyFields.includes(k) && field.trim !== false,
      allowControlCharacters: true,
      ...(field.required === true ? { required: true } : {}),
    })),
  };
}
