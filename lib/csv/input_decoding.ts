import { InvalidOptionError } from "../errors.ts";

/** Options of {@linkcode decodeInput}. */
export interface DecodeInputOptions {
  /**
   * The text encoding, as a `TextDecoder` label (`"windows-1252"`, `"iso-8859-1"`, `"utf-16le"`, …); a
   * byte order mark in the input wins over it, as it does in browsers.
   * @default "utf-8", unless the input starts with a UTF-16 byte order mark
   */
  encoding?: string;
}

/** How {@linkcode decodeInput} read the input. */
export interface DecodedInput {
  /** The input as UTF-8 bytes (unchanged) or as text (decoded from another encoding). */
  readonly stream: ReadableStream<Uint8Array | string>;
  /** Whether it was gzip-compressed (and is now decompressed). */
  readonly gzip: boolean;
  /** The encoding it was read with, e.g. `"utf-8"`, `"utf-16le"`, `"windows-1252"`. */
  readonly encoding: string;
}

const GZIP = [0x1f, 0x8b];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/**
 * The input of an import as the parser reads it: gzip (by its magic bytes) decompressed with the
 * web-standard `DecompressionStream`, UTF-16 (by its byte order mark, as Excel's "Unicode text"
 * writes it) or `options.encoding` decoded to text with `TextDecoderStream`; UTF-8 passes through
 * as bytes, untouched (the fast path). Reads only the first chunk to decide.
 */
export async function decodeInput(
  source: ReadableStream<Uint8Array | string>,
  options: DecodeInputOptions = {},
): Promise<DecodedInput> {
  const label = checkEncoding(options.encoding);
  let { first, stream } = await peekFirst(source);
  let gzip = false;
  if (first instanceof Uint8Array && startsWith(first, GZIP)) {
    gzip = true;
    ({ first, stream } = await peekFirst(
      (stream as ReadableStream<Uint8Array>).pipeThrough(
        new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
      ),
    ));
  }
  if (!(first instanceof Uint8Array)) return { stream, gzip, encoding: "utf-8" };
  const sniffed = startsWith(first, UTF16LE_BOM)
    ? "utf-16le"
    : startsWith(first, UTF16BE_BOM)
      ? "utf-16be"
      : undefined;
  const encoding = sniffed ?? label;
  if (encoding === "utf-8") return { stream, gzip, encoding };
  const text = (stream as ReadableStream<Uint8Array>).pipeThrough(
    new TextDecoderStream(encoding) as unknown as ReadableWritablePair<string, Uint8Array>,
  );
  return { stream: text, gzip, encoding };
}

/** The encoding's canonical name, from a label `TextDecoder` knows; throws for one it does not. */
function checkEncoding(label: string | undefined): string {
  if (label === undefined) return "utf-8";
  try {
    return new TextDecoder(label).encoding;
  } catch {
    throw new InvalidOptionError(
      "decodeInput",
      "encoding",
      'an encoding label TextDecoder knows, e.g. "windows-1252", "iso-8859-15" or "utf-16le"',
      label,
    );
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** Reads the first non-empty chunk and returns it with a stream that yields it again, then the rest. */
async function peekFirst<T extends Uint8Array | string>(
  source: ReadableStream<T>,
): Promise<{ first: T | undefined; stream: ReadableStream<T> }> {
  const reader = source.getReader();
  let first: T | undefined;
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    if (next.value.length > 0) {
      first = next.value;
      break;
    }
  }
  let pending = first;
  const stream = new ReadableStream<T>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
  return { first, stream };
}

/**
 * The input `open` gives, decoded as {@linkcode decodeInput} decodes it, opened at the first read: a
 * second read of the same input (`importRows`'s `reread`, or the import's read of a copy).
 */
export async function* decodeLater(
  open: () => ReadableStream<Uint8Array | string> | Promise<ReadableStream<Uint8Array | string>>,
  options: DecodeInputOptions = {},
): AsyncGenerator<Uint8Array | string> {
  const reader = (await decodeInput(await open(), options)).stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
