import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { EloquaBulkError, InvalidOptionError, isEloquaBulkError } from "../errors.ts";

/** Options of {@linkcode fileSource}. */
export interface FileSourceOptions {
  /**
   * Largest chunk the stream yields, in bytes (the file is read 1 MiB at a
   * time and handed on in pieces of this size). Larger chunks cost less CPU
   * through the core stages but more peak memory; 64 KiB keeps memory down
   * (bench/README.md).
   * @default 65_536
   */
  chunkSize?: number;
  /**
   * Where `"-"` reads from.
   * @default process.stdin
   */
  stdin?: AsyncIterable<Uint8Array>;
}

/** A file (or stdin) opened for reading as a web stream of bytes. */
export interface FileSource {
  /** The file's bytes, in chunks of at most `chunkSize`. */
  readonly stream: ReadableStream<Uint8Array<ArrayBuffer>>;
  /** The file's size in bytes when it is known before reading (a regular file), else `undefined`. */
  readonly size: number | undefined;
  /** A name for messages: the file's base name, or `"stdin"`. */
  readonly name: string;
  /** Bytes handed to the stream's reader so far. */
  readonly bytesRead: number;
}

/** Why a file could not be read. */
export type FileUnreadableReason = "not-found" | "is-directory" | "permission-denied" | "not-a-file" | "io";

/** The input file is missing, a directory, not readable, or failed while being read. */
export class FileUnreadableError extends EloquaBulkError {
  override readonly name = "FileUnreadableError";
  declare readonly code: "FILE_UNREADABLE";
  /** The path as given. */
  readonly path: string;
  readonly reason: FileUnreadableReason;

  constructor(path: string, reason: FileUnreadableReason, detail: string, cause?: unknown) {
    super("FILE_UNREADABLE", `Cannot read ${path}: ${detail}`, { cause });
    this.path = path;
    this.reason = reason;
  }
}

/** True when `error` is a {@linkcode FileUnreadableError}. */
export function isFileUnreadableError(error: unknown): error is FileUnreadableError {
  return isEloquaBulkError(error) && error.code === "FILE_UNREADABLE";
}

const DEFAULT_CHUNK_SIZE = 65_536;

/**
 * Opens a file (or stdin, for `"-"`) as a `ReadableStream` of bytes, read on
 * demand in chunks of at most `chunkSize` bytes, so a slow consumer holds
 * back the disk instead of filling memory. Problems with the path are found
 * here, before any byte flows, as a {@linkcode FileUnreadableError}; a read
 * error later errors the stream with one.
 *
 * @example
 * ```ts
 * import { fileSource } from "./file_source.ts";
 *
 * const source = await fileSource("linkages.csv");
 * for await (const chunk of source.stream) console.log(chunk.byteLength);
 * console.log(`${source.bytesRead} of ${source.size} bytes`);
 * ```
 */
export async function fileSource(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new InvalidOptionError("fileSource", "chunkSize", "a positive integer", chunkSize);
  }
  if (typeof path !== "string" || path === "") {
    throw new InvalidOptionError("fileSource", "path", 'a file path or "-" for stdin', path);
  }
  const counter = { bytes: 0 };
  if (path === "-") {
    const input = options.stdin ?? (process.stdin as AsyncIterable<Uint8Array>);
    return source(iterableStream(input, chunkSize, counter, path), undefined, "stdin", counter);
  }
  const handle = await openFile(path);
  let size: number;
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      throw new FileUnreadableError(path, "is-directory", "it is a directory; pass a CSV file");
    }
    // A FIFO or character device has no size known up front; it still streams.
    size = stat.isFile() ? stat.size : Number.NaN;
  } catch (error) {
    await handle.close().catch(() => {});
    throw isFileUnreadableError(error) ? error : unreadable(path, error);
  }
  const stream = fileStream(handle, path, chunkSize, counter);
  return source(stream, Number.isNaN(size) ? undefined : size, basename(path), counter);
}

function source(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  size: number | undefined,
  name: string,
  counter: { bytes: number },
): FileSource {
  return {
    stream,
    size,
    name,
    get bytesRead() {
      return counter.bytes;
    },
  };
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, "r");
  } catch (error) {
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): FileUnreadableError {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return new FileUnreadableError(path, "not-found", "no such file; check the path", error);
    case "EISDIR":
      return new FileUnreadableError(path, "is-directory", "it is a directory; pass a CSV file", error);
    case "EACCES":
    case "EPERM":
      return new FileUnreadableError(
        path,
        "permission-denied",
        "permission denied; check the file's permissions",
        error,
      );
    case "ENOTDIR":
      return new FileUnreadableError(
        path,
        "not-found",
        "a part of the path is not a directory; check the path",
        error,
      );
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new FileUnreadableError(path, "io", `${detail}`, error);
    }
  }
}

/** Reads the file on demand: one `read` per pull, into a fresh buffer the consumer may keep. */
/** Bytes read from a file at once; handed on in `chunkSize` pieces. */
const READ_BLOCK_BYTES = 1 << 20;

function fileStream(
  handle: FileHandle,
  path: string,
  chunkSize: number,
  counter: { bytes: number },
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => {});
  };
  // Read in blocks of several chunks and hand out chunk-sized views of them:
  // each read is a round trip through libuv's thread pool, so small reads
  // cost more CPU than large ones (bench/README.md); downstream still gets
  // small chunks, which keep the stages' working sets small.
  const blockSize = chunkSize * Math.max(1, Math.floor(READ_BLOCK_BYTES / chunkSize));
  let block = new Uint8Array(0);
  let offset = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      async pull(controller) {
        if (offset >= block.length) {
          const buffer = new Uint8Array(blockSize);
          let bytesRead: number;
          try {
            ({ bytesRead } = await handle.read(buffer, 0, blockSize, null));
          } catch (error) {
            await close();
            controller.error(unreadable(path, error));
            return;
          }
          if (bytesRead === 0) {
            await close();
            controller.close();
            return;
          }
          counter.bytes += bytesRead;
          block = bytesRead === blockSize ? buffer : buffer.subarray(0, bytesRead);
          offset = 0;
        }
        const end = Math.min(offset + chunkSize, block.length);
        controller.enqueue(block.subarray(offset, end));
        offset = end;
      },
      cancel: close,
    },
    { highWaterMark: 1 },
  );
}

/** A stream over an async iterable of byte chunks (stdin), re-cut to at most `chunkSize` bytes. */
function iterableStream(
  input: AsyncIterable<Uint8Array>,
  chunkSize: number,
  counter: { bytes: number },
  path: string,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let pending: Uint8Array<ArrayBuffer> | undefined;
  return new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      async pull(controller) {
        // Loop past empty chunks: a pull that enqueues nothing would leave the reader waiting.
        while (pending === undefined) {
          iterator ??= input[Symbol.asyncIterator]();
          let next: IteratorResult<Uint8Array>;
          try {
            next = await iterator.next();
          } catch (error) {
            controller.error(unreadable(path, error));
            return;
          }
          if (next.done) {
            controller.close();
            return;
          }
          const chunk = next.value;
          if (chunk.byteLength === 0) continue;
          // A copy, so the consumer owns its chunks whatever the iterable does with its buffers.
          pending = new Uint8Array(chunk.byteLength);
          pending.set(chunk);
        }
        const piece = pending.byteLength <= chunkSize ? pending : pending.subarray(0, chunkSize);
        pending = piece === pending ? undefined : pending.subarray(chunkSize);
        counter.bytes += piece.byteLength;
        controller.enqueue(piece);
      },
      async cancel(reason) {
        await iterator?.return?.(reason);
      },
    },
    { highWaterMark: 1 },
  );
}
