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
  /**
   * Read as UTF-8 by default (no `encoding` given, no byte order mark), when its first chunk (at most
   * 64 KiB of it) is clearly in another encoding: which one is likely, and the first line that shows it.
   */
  readonly notUtf8?: NotUtf8;
}

/** Evidence that bytes read as UTF-8 are text in another encoding (see {@linkcode sniffNotUtf8}). */
export interface NotUtf8 {
  /** The likely encoding, as a `TextDecoder` label: `"windows-1252"`, `"utf-16le"` or `"utf-16be"`. */
  readonly likely: string;
  /** The 1-based line of the first byte that is not UTF-8. */
  readonly line: number;
  /** Byte sequences that are not UTF-8, in the bytes looked at. */
  readonly invalid: number;
}

/** Bytes {@linkcode sniffNotUtf8} looks at. */
const SNIFF_BYTES = 65_536;

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
  if (encoding === "utf-8") {
    const notUtf8 = options.encoding === undefined ? sniffNotUtf8(first) : undefined;
    return notUtf8 === undefined ? { stream, gzip, encoding } : { stream, gzip, encoding, notUtf8 };
  }
  const text = (stream as ReadableStream<Uint8Array>).pipeThrough(
    new TextDecoderStream(encoding) as unknown as ReadableWritablePair<string, Uint8Array>,
  );
  return { stream: text, gzip, encoding };
}

/**
 * Whether the first 64 KiB of `bytes` are clearly not UTF-8: some byte sequences are not UTF-8 and none
 * is a UTF-8 character past ASCII (a UTF-8 file with a damaged row has those too), or NUL bytes fill
 * every other position (UTF-16 without a byte order mark). The likely encoding is UTF-16 for the
 * latter, else windows-1252, what Excel on Windows writes (its letters are those of ISO-8859-1 and
 * most of ISO-8859-15). `undefined` when the bytes may well be UTF-8.
 */
export function sniffNotUtf8(bytes: Uint8Array): NotUtf8 | undefined {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let line = 1;
  let firstBadLine = 0;
  let invalid = 0;
  let multibyte = 0;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x0a) line++;
      else if (b === 0) {
        if ((i & 1) === 0) evenNul++;
        else oddNul++;
      }
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    // A sequence cut by the end of the bytes looked at is not held against them.
    if (length > 0 && i + length > n && n < bytes.length) break;
    if (length > 0 && isContinuation(bytes, i, length, b)) {
      multibyte++;
      i += length;
      continue;
    }
    invalid++;
    if (firstBadLine === 0) firstBadLine = line;
    i++;
  }
  const pairs = n >> 1;
  if (pairs >= 8 && Math.max(evenNul, oddNul) >= pairs * 0.3 && Math.min(evenNul, oddNul) === 0) {
    return { likely: oddNul > 0 ? "utf-16le" : "utf-16be", line: 1, invalid };
  }
  if (invalid === 0 || multibyte > 0) return undefined;
  return { likely: "windows-1252", line: firstBadLine, invalid };
}

/** Whether the `length - 1` bytes after lead byte `lead` at `i` continue a well-formed UTF-8 sequence. */
function isContinuation(bytes: Uint8Array, i: number, length: number, lead: number): boolean {
  const second = bytes[i + 1];
  if (second === undefined) return false;
  // The lead's range for the second byte excludes overlong forms and surrogates (RFC 3629).
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return false;
  for (let k = 2; k < length; k++) {
    const c = bytes[i + k];
    if (c === undefined || c < 0x80 || c > 0xbf) return false;
  }
  return true;
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
