import { createWriteStream, type WriteStream } from "node:fs";
import type { Reject } from "../../reject.ts";
import type { RejectsCsvWriterOptions } from "../../rejects_csv.ts";
import { RejectsCsvWriter } from "../../rejects_csv.ts";
import { UsageError } from "./cli_errors.ts";

/** Text gathered before one write to the file: few system calls, little memory. */
const FLUSH_AT = 65_536;

/**
 * Writes rejects to a CSV file as they come. Lines are gathered into writes of ~64 KiB; memory stays
 * bounded as long as the disk keeps up with the import, which it does by far (rejects are a small part
 * of the rows, and `onReject` cannot wait: it runs on the import's hot path).
 */
export class RejectsFile {
  readonly #stream: WriteStream;
  readonly #writer: RejectsCsvWriter;
  readonly path: string;
  #pending = "";
  #error: Error | undefined;

  private constructor(path: string, stream: WriteStream, writer: RejectsCsvWriter, append: boolean) {
    this.path = path;
    this.#stream = stream;
    this.#writer = writer;
    this.#pending = append ? "" : writer.header();
    stream.on("error", (error) => {
      this.#error ??= error;
    });
  }

  /** Opens (creates or truncates, or appends to) the file; a path that cannot be written is a usage error. */
  /** Open `path` for writing; with `append` (resuming an import), add to it without a new header. */
  static async open(
    path: string,
    options: RejectsCsvWriterOptions = {},
    append = false,
  ): Promise<RejectsFile> {
    const stream = createWriteStream(path, { flags: append ? "a" : "w" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (error: NodeJS.ErrnoException) => {
        reject(new UsageError(`Cannot write the rejects file ${path}: ${reason(error)}.`));
      });
    });
    return new RejectsFile(path, stream, new RejectsCsvWriter(options), append);
  }

  /** Rejects written so far. */
  get written(): number {
    return this.#writer.written;
  }

  /** The import's `onReject`. */
  readonly onReject = (reject: Reject): void => {
    if (this.#error !== undefined) return;
    this.#pending += this.#writer.write(reject);
    if (this.#pending.length >= FLUSH_AT) {
      this.#stream.write(this.#pending);
      this.#pending = "";
    }
  };

  /** Writes what is left and closes the file; rejects with the first write error, if any. */
  async close(): Promise<void> {
    const stream = this.#stream;
    await new Promise<void>((resolve) => {
      if (this.#error !== undefined || stream.destroyed) return resolve();
      stream.end(this.#pending, () => resolve());
      stream.once("error", () => resolve());
    });
    this.#pending = "";
    if (this.#error !== undefined) {
      throw new Error(
        `Could not write the rejects file ${this.path}: ${reason(this.#error as NodeJS.ErrnoException)}`,
      );
    }
  }
}

/** A short reason for a file system error, without the path repeated. */
export function reason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "its folder does not exist";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "ENOSPC":
      return "the disk is full";
    default:
      return error.code ?? error.message;
  }
}
