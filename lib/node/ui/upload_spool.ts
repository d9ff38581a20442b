import { type FileHandle, open, rm } from "node:fs/promises";
import { EloquaBulkError } from "../../errors.ts";
import { fileSource } from "../file_source.ts";

/** The copy of an upload could not be written or read back (a full disk, a folder removed). */
export class UploadSpoolError extends EloquaBulkError {
  override readonly name = "UploadSpoolError";
  declare readonly code: "UPLOAD_SPOOL_FAILED" | "UPLOAD_SPOOL_INCOMPLETE";

  constructor(code: UploadSpoolError["code"], message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

/** An upload on its way through, copied to a file so that it can be read a second time. */
export interface UploadSpool {
  /** The upload's bytes as they come, each one written to the file before it is handed on. */
  readonly stream: ReadableStream<Uint8Array>;
  /**
   * The file read from its start: its first pull waits for `stream` to have ended (then the file holds
   * every byte of the upload), and fails if the copy is deleted first.
   */
  reopen(): ReadableStream<Uint8Array>;
  /** Closes and deletes the file. */
  remove(): Promise<void>;
}

/**
 * Copies `source` to `path` while it is read: an upload can be read once, and keeping a repeated
 * identifier's last row reads the input twice. Each write is awaited before the chunk goes on, so the
 * reader's pace is the disk's too and memory holds one chunk, whatever the upload's size.
 */
export function spoolUpload(source: ReadableStream<Uint8Array>, path: string): UploadSpool {
  let handle: FileHandle | undefined;
  let removed = false;
  // Settles when the upload has ended (the file then holds all of it), or when the copy is deleted first.
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const spooled = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  spooled.catch(() => {});
  let reading: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const failed = (error: unknown) =>
    new UploadSpoolError(
      "UPLOAD_SPOOL_FAILED",
      `Could not keep a copy of the upload in ${path} (${(error as Error).message}): free some disk space, or set TMPDIR to a larger folder.`,
      error,
    );
  const stream = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async start() {
        try {
          handle = await open(path, "w");
        } catch (error) {
          throw failed(error);
        }
        // Removed while it was being opened: the file must not outlive the run.
        if (removed) await close();
      },
      async transform(chunk, out) {
        try {
          if (handle === undefined) throw new Error("the copy was deleted");
          await handle.write(chunk);
        } catch (error) {
          throw failed(error);
        }
        out.enqueue(chunk);
      },
      async flush() {
        const opened = handle;
        handle = undefined;
        await opened?.close();
        if (!removed) settle.resolve();
      },
    }),
  );
  async function close(): Promise<void> {
    const opened = handle;
    handle = undefined;
    await opened?.close().catch(() => {});
    await rm(path, { force: true });
  }
  return {
    stream,
    reopen() {
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (reader === undefined) {
            // Read before the upload ended, the file would miss its end: the import would lose rows.
            await spooled;
            reader = (await fileSource(path)).stream.getReader();
            reading = reader;
          }
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        async cancel(reason) {
          await reader?.cancel(reason);
        },
      });
    },
    async remove() {
      removed = true;
      settle.reject(
        new UploadSpoolError(
          "UPLOAD_SPOOL_INCOMPLETE",
          "The copy of the upload was deleted before the whole upload had arrived.",
        ),
      );
      await close();
      await reading?.cancel().catch(() => {});
    },
  };
}
