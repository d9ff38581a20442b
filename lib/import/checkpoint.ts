import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";
import type { ImportReport, SyncReport } from "./report.ts";

/**
 * What a rerun needs to finish an import that stopped (a crash, a kill, an
 * abort): written by `importLinkages` through `onCheckpoint` after
 * acknowledgements, read back as the `checkpoint` option.
 *
 * A rerun reads the source again from its start: rows up to
 * `acknowledgedLine` are parsed, validated and de-duplicated again (which
 * rebuilds the dedupe index and the counts) but not sent; the rest is sent.
 * Rows after that line that Eloqua had already accepted are sent again
 * (`stagedBeyond`, at most the bodies in flight or acknowledged out of
 * order): for linkage imports a pair linked twice is harmless.
 */
export interface ImportCheckpoint {
  version: 1;
  /** Identifies the source (e.g. its size and a hash of its first MB); a rerun on another source is refused. */
  fingerprint: string | null;
  definitionUri: string | null;
  /** Every row on a line up to this one is acknowledged: staged, rejected, or a duplicate. */
  acknowledgedLine: number;
  /** Rows on later lines that Eloqua accepted, or may have (in flight), when this was written. */
  stagedBeyond: number;
  /** Files and bytes Eloqua has, or may have, staged since the last sync. */
  sinceSync: { files: number; bytes: number };
  /** Syncs started so far; the last one may not be finished (`pendingSync`). */
  syncs: SyncReport[];
  /** A sync created and not seen finished: the rerun waits for it first. */
  pendingSync: string | null;
  requests: ImportReport["requests"];
  rejectedByEloqua: number;
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
    c.version !== 1 ||
    !Number.isSafeInteger(c.acknowledgedLine) ||
    typeof c.sinceSync !== "object" ||
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
