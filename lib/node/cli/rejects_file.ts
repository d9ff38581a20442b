import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rename } from "node:fs/promises";
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

  /**
   * Open `path` for writing (created or truncated; a path that cannot be written is a usage error).
   * With `keepThroughLine` (resuming an import), the file an earlier run wrote keeps its records of
   * lines up to that one, which are final, and drops the later ones: this run reports those again.
   */
  static async open(
    path: string,
    options: RejectsCsvWriterOptions = {},
    keepThroughLine?: number,
  ): Promise<RejectsFile> {
    const kept = keepThroughLine === undefined ? false : await keepRecordsThrough(path, keepThroughLine);
    const stream = createWriteStream(path, { flags: kept ? "a" : "w" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (error: NodeJS.ErrnoException) => {
        reject(new UsageError(`Cannot write the rejects file ${path}: ${reason(error)}.`));
      });
    });
    return new RejectsFile(path, stream, new RejectsCsvWriter(options), kept);
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

/**
 * Rewrites the rejects file at `path` with its header and its records of lines up to `line`; false
 * when there is no such file. Records are split on line breaks outside quotes (values may hold breaks).
 */
async function keepRecordsThrough(path: string, line: number): Promise<boolean> {
  const input = createReadStream(path, { encoding: "utf8", highWaterMark: FLUSH_AT });
  const temporary = `${path}.${process.pid}.tmp`;
  const output = createWriteStream(temporary);
  let record = "";
  let quoted = false;
  let header = true;
  let out = "";
  const end = (text: string): void => {
    const first = Number(text.slice(0, text.indexOf(",")));
    if (header || (Number.isSafeInteger(first) && first > 0 && first <= line)) out += text;
    header = false;
  };
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let from = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (c === 0x22) quoted = !quoted;
        else if (c === 0x0a && !quoted) {
          end(record + chunk.slice(from, i + 1));
          record = "";
          from = i + 1;
        }
      }
      record += chunk.slice(from);
      if (out.length >= FLUSH_AT) {
        if (!output.write(out)) await new Promise<void>((resolve) => output.once("drain", () => resolve()));
        out = "";
      }
    }
  } catch (error) {
    output.destroy();
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new UsageError(
      `Cannot read the rejects file ${path} to resume: ${reason(error as NodeJS.ErrnoException)}.`,
    );
  }
  // A last record without its line break was cut off by a crash: this run writes it again.
  await new Promise<void>((resolve, reject) => {
    output.once("error", reject);
    output.end(out, () => resolve());
  });
  await rename(temporary, path);
  // An empty file (a crash before the header was written) gets its header from the writer.
  return !header;
}
