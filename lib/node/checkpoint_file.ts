import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { checkCheckpoint, type ImportCheckpoint } from "../import/checkpoint.ts";

/** Bytes hashed from the start of a file to tell it apart from another of the same size. */
const HEAD_BYTES = 1 << 20;

/** `size:<bytes>;head:<sha-256 of the first MiB>` of a file: what a checkpoint is tied to. */
export function fingerprintFile(path: string): string {
  const size = statSync(path).size;
  const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
  const fd = openSync(path, "r");
  try {
    let read = 0;
    while (read < head.length) {
      const n = readSync(fd, head, read, head.length - read, read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  return `size:${size};head:${createHash("sha256").update(head).digest("hex")}`;
}

/** The checkpoint stored at `path`, or `undefined` when there is none yet. */
export function readCheckpoint(path: string, fingerprint: string): ImportCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  return checkCheckpoint(value, fingerprint);
}

/**
 * Store `checkpoint` at `path` atomically: written to a temporary file beside
 * it, then renamed over it, so a crash leaves the old checkpoint or the new
 * one, never half of one. Synchronous on purpose: it is small, written at most
 * about once a second, and must be on disk before the import goes on.
 */
export function writeCheckpoint(path: string, checkpoint: ImportCheckpoint): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(temporary, path);
}
