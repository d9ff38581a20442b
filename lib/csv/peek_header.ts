import { CsvParser, type CsvParserOptions } from "./csv_parser.ts";

/** What {@linkcode peekHeader} found, and the input to read in its place. */
export interface PeekedHeader {
  /** The first record's fields, or `undefined` when the input has none (empty, or its first record is malformed). */
  readonly header: readonly string[] | undefined;
  /** The whole input again, header included: read this one, not the original. */
  readonly stream: ReadableStream<Uint8Array | string>;
}

/**
 * Reads a CSV input up to the end of its header record and returns the
 * header's fields, with a stream that yields the whole input again (the
 * chunks read are held and given first), so a mapping can be planned from
 * the header before the import starts. Reads at most the header's chunks:
 * memory is bounded by `maxRecordLength` plus one chunk.
 */
export async function peekHeader(
  source: ReadableStream<Uint8Array | string>,
  options: CsvParserOptions = {},
): Promise<PeekedHeader> {
  const parser = new CsvParser(options);
  const reader = source.getReader();
  const held: (Uint8Array | string)[] = [];
  let header: string[] | undefined;
  let stop = false;
  const handler = {
    record(): void {
      if (!stop) header = parser.fields();
      stop = true;
    },
    malformed(): void {
      stop = true;
    },
  };
  let done = false;
  try {
    while (!stop) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        parser.end(handler);
        break;
      }
      held.push(next.value);
      parser.push(next.value, handler);
    }
  } catch (error) {
    reader.releaseLock();
    throw error;
  }
  const stream = new ReadableStream<Uint8Array | string>({
    async pull(controller) {
      const first = held.shift();
      if (first !== undefined) return controller.enqueue(first);
      if (done) return controller.close();
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
  return { header, stream };
}
