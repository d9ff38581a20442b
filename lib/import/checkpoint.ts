import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";
import type { ImportReport, SyncReport } from "./report.ts";

/**
 * What a rerun needs to finish an import that stopped (a crash, a kill, an
 * abort, a failure): written by `importLinkages` through `onCheckpoint`,
 * read back as the `checkpoint` option.
 *
 * `acknowledgedLine` moves only past rows whose fate Eloqua confirmed: the
 * sync that took them ended and its rejects were read (or they were
 * rejected on the client, or duplicates). A rerun reads the source again
 * from its start: rows up to that line are parsed, validated and
 * de-duplicated again (which rebuilds the dedupe index and the counts) but
 * not sent; the rest is sent. Before it sends, it lets a sync the earlier
 * run left running end and deletes what that run staged without syncing, so
 * Eloqua holds each row once, except the rows of such a sync
 * (`mayBeStagedTwice`: for linkage imports a pair linked twice is harmless).
 */
export interface ImportCheckpoint {
  version: 2;
  /** Identifies the source (e.g. its size and a hash of its first MB); a rerun on another source is refused. */
  fingerprint: string | null;
  definitionUri: string | null;
  /** Every row on a line up to this one is done: synced (and maybe rejected by the sync), invalid, or a duplicate. */
  acknowledgedLine: number;
  /** Files and bytes Eloqua has, or may have, staged since the last sync. */
  sinceSync: { files: number; bytes: number };
  /** Rows in those files. */
  unsyncedRows: number;
  /** Syncs started so far; the last one may not be finished (`pendingSync`). */
  syncs: SyncReport[];
  /** A sync created (`/syncs/…`) or being created (`""`) and not seen finished: the rerun waits for it first. */
  pendingSync: string | null;
  requests: ImportReport["requests"];
  /** Rows up to `acknowledgedLine` that a sync rejected. */
  rejectedByEloqua: number;
  /** Rows up to `acknowledgedLine` that Eloqua refused even alone in a body. */
  refused: number;
  /**
   * Rows Eloqua may hold twice, over every run so far, counting the rows past `acknowledgedLine` that a
   * sync took (a body before them was still outstanding): a rerun from that line sends them again.
   */
  mayBeStagedTwice: number;
  /** True once the import finished; a rerun then sends nothing. */
  complete: boolean;
}

/** The checkpoint does not belong to this source or this tool version. */
export class CheckpointMismatchError extends EloquaBulkError {
  override readonly name = "CheckpointMismatchError";
  constructor(message: string) {
    super("CHECKPOINT_MISMATCH", message);
  }
}

/** True when `error` is a {@linkcode CheckpointMismatchError}. */
export function isCheckpointMismatchError(error: unknown): error is CheckpointMismatchError {
  return isEloquaBulkError(error) && error.code === "CHECKPOINT_MISMATCH";
}

/** Check a checkpoint read back from storage, and that it belongs to `fingerprint`. */
export function checkCheckpoint(value: unknown, fingerprint: string | null): ImportCheckpoint {
  const c = value as Partial<ImportCheckpoint> | null;
  if (
    typeof c !== "object" ||
    c === null ||
    c.version !== 2 ||
    !Number.isSafeInteger(c.acknowledgedLine) ||
    typeof c.sinceSync !== "object" ||
    c.sinceSync === null ||
    !Number.isSafeInteger(c.unsyncedRows) ||
    !Number.isSafeInteger(c.rejectedByEloqua) ||
    !Number.isSafeInteger(c.refused) ||
    !Number.isSafeInteger(c.mayBeStagedTwice) ||
    !Array.isArray(c.syncs)
  ) {
    throw new CheckpointMismatchError(
      "The checkpoint is not one this version of eloqua-bulk-stream wrote; remove it to start the import over",
    );
  }
  if (c.fingerprint !== fingerprint) {
    throw new CheckpointMismatchError(
      "The checkpoint belongs to another input (its size or first megabyte differ); use the same file, or remove the checkpoint to start over",
    );
  }
  return c as ImportCheckpoint;
}
