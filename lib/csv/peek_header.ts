import { CsvParser, type CsvParserOptions } from "./csv_parser.ts";

/** The delimiters {@linkcode detectDelimiter} chooses from: what spreadsheets and CRMs export. */
export const DELIMITERS: readonly string[] = [",", ";", "\t", "|"];

/**
 * The delimiter of a CSV's header line: the one of {@linkcode DELIMITERS} seen most often outside
 * quotes (a European Excel writes `;`, "Unicode text" a tab); `,` when none is seen.
 */
export function detectDelimiter(line: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

/** Options of {@linkcode peekHeader}: the parser's, and `delimiter: "auto"`. */
export interface PeekHeaderOptions extends Omit<CsvParserOptions, "delimiter"> {
  /**
   * The field separator, or `"auto"` to detect it from the header line ({@linkcode detectDelimiter}).
   * @default ","
   */
  delimiter?: string;
}

/** What {@linkcode peekHeader} found, and the input to read in its place. */
export interface PeekedHeader {
  /** The first record's fields, or `undefined` when the input has none (empty, or its first record is malformed). */
  readonly header: readonly string[] | undefined;
  /** The delimiter the header was read with (the detected one with `"auto"`). */
  readonly delimiter: string;
  /** Why there is no header, when there is none: the input is empty, its first record is malformed, or longer than `maxRecordLength`. */
  readonly problem?: string;
  /**
   * Average size of the records in the chunks read (bytes of byte chunks, code units of strings), header
   * included; `undefined` when those chunks end within the second record. An input of `size` bytes holds
   * about `size / recordBytes` records: what a dedupe index is sized for ({@linkcode estimateRecords}).
   */
  readonly recordBytes?: number;
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
  options: PeekHeaderOptions = {},
): Promise<PeekedHeader> {
  const reader = source.getReader();
  const held: (Uint8Array | string)[] = [];
  const max = options.maxRecordLength ?? 1_048_576;
  let delimiter = options.delimiter ?? ",";
  if (delimiter === "auto") {
    try {
      const line = await firstLine(reader, held, max);
      // A first line without its end within the limit is no header to detect anything from.
      delimiter = line === undefined ? "," : detectDelimiter(line);
    } catch (error) {
      reader.releaseLock();
      throw error;
    }
  }
  const parser = new CsvParser({ ...options, delimiter });
  let header: string[] | undefined;
  let problem: string | undefined;
  let stop = false;
  // The parser reads each chunk whole: counting the records after the header costs nothing.
  let records = 0;
  const handler = {
    record(): void {
      if (!stop) header = parser.fields();
      stop = true;
      records++;
    },
    malformed(_code: string, message: string): void {
      if (!stop) problem = message;
      stop = true;
      records++;
    },
  };
  // Bytes held: a header that does not end within `max` is not waited for (the input may never end).
  let bytes = 0;
  const sizeOf = (chunk: Uint8Array | string) =>
    typeof chunk === "string" ? chunk.length * 3 : chunk.byteLength;
  let units = 0;
  const unitsOf = (chunk: Uint8Array | string) =>
    typeof chunk === "string" ? chunk.length : chunk.byteLength;
  let done = false;
  // The chunks read to find the first line go through the parser first.
  for (const chunk of held) {
    bytes += sizeOf(chunk);
    if (stop) continue;
    units += unitsOf(chunk);
    parser.push(chunk, handler);
  }
  try {
    while (!stop && bytes <= max) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        parser.end(handler);
        break;
      }
      held.push(next.value);
      bytes += sizeOf(next.value);
      units += unitsOf(next.value);
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
  if (header === undefined && problem === undefined) {
    problem = done && bytes === 0 ? "the input is empty" : `the first line is longer than ${max} bytes`;
  }
  return {
    header,
    delimiter,
    stream,
    ...(problem === undefined || header !== undefined ? {} : { problem }),
    ...(records >= 2 ? { recordBytes: units / records } : {}),
  };
}

/** Bytes a record is taken to have when nothing better is known: a two-column linkage row has ~45. */
const DEFAULT_RECORD_BYTES = 40;

/**
 * Records an input of `size` bytes holds, estimated from the records {@linkcode peekHeader} read
 * (`recordBytes`; 40 bytes a record without it), rounded up: what a dedupe index is sized for up front.
 */
export function estimateRecords(size: number, peeked: Pick<PeekedHeader, "recordBytes">): number {
  return Math.ceil(size / (peeked.recordBytes ?? DEFAULT_RECORD_BYTES));
}

const decoder = new TextDecoder();

/**
 * Reads chunks into `held` until a line break or the end, and returns the text before it; `undefined`
 * when `max` characters pass without one.
 */
async function firstLine(
  reader: ReadableStreamDefaultReader<Uint8Array | string>,
  held: (Uint8Array | string)[],
  max: number,
): Promise<string | undefined> {
  let text = "";
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    held.push(next.value);
    text += typeof next.value === "string" ? next.value : decoder.decode(next.value, { stream: true });
    if (/[\r\n]/.test(text)) break;
    if (text.length > max) return undefined;
  }
  return text.split(/\r?\n|\r/, 1)[0] ?? "";
}
