import type { SyncStatus } from "../client/types.ts";
import type { RejectCounts } from "../reject.ts";

/** Where every row of the input went. `read = invalid + duplicate + staged + notSent` always holds. */
export interface RowReport {
  /** Data rows read (not the header, not blank lines). */
  read: number;
  /** Rows rejected on the client: malformed, invalid, or too large for a body. */
  invalid: number;
  /** Later occurrences of a key already read. */
  duplicate: number;
  /** Rows in bodies Eloqua accepted (204); resuming, also the rows earlier runs' syncs took. */
  staged: number;
  /** Rows that were never acknowledged by Eloqua: the import stopped before or while sending them. */
  notSent: number;
  /** Staged rows that a sync then rejected (e.g. ELQ-00084, ELQ-00085); a subset of `staged`. */
  rejectedByEloqua: number;
}

/** One sync the import ran. */
export interface SyncReport {
  uri: string;
  /** The final status, or the last one seen if the import stopped while waiting. */
  status: SyncStatus;
  /** Data POSTs ("files") staged for this sync. */
  files: number;
  /** Rows staged for this sync. */
  rows: number;
  /** Rows this sync rejected. */
  rejected: number;
}

/** What an import did; the return value of `importLinkages` and the CLI's `--report`. */
export interface ImportReport {
  /** The linkage definition used, e.g. `/opportunities/contacts/imports/21` (null for a dry run). */
  definitionUri: string | null;
  /** True when every row was staged, rejected on the client or dropped as a duplicate, and every sync ended success or warning. */
  ok: boolean;
  rows: RowReport;
  /**
   * The rows not staged, and those a sync rejected, by reject code (duplicates are `rows.duplicate`): the
   * client's codes over the whole input (as `rows.invalid`), `ELOQUA_BODY_REFUSED`, Eloqua's own codes
   * (e.g. `ELQ-00084`; resuming, an earlier run's sync rejects are in `rows.rejectedByEloqua` only) and
   * `NOT_SENT` (`rows.notSent`, but for a dry run). Counted whether or not `onReject` is given.
   */
  rejectsByCode: RejectCounts;
  requests: {
    /** Data POSTs that Eloqua accepted. */
    dataPosts: number;
    /** Bytes of those POSTs' bodies. */
    bytes: number;
    /** Requests sent again after a retryable failure. */
    retries: number;
    /** Bodies split in halves after Eloqua refused them as too large. */
    splits: number;
  };
  syncs: SyncReport[];
  /**
   * When the import resumed from a checkpoint: the line it resumed after, and how many rows Eloqua may
   * hold twice over every run (those of a sync a stopped run left running or that failed, and bodies
   * sent again after a POST got no answer).
   */
  resumed?: { fromLine: number; mayBeStagedTwice: number };
  /** Why the import stopped early, when it did. */
  error?: { code: string; message: string };
  /** Wall time, in milliseconds. */
  durationMs: number;
}

/** A snapshot passed to `onProgress`. */
export interface ImportProgress {
  /** Bytes of the source read so far. */
  bytesRead: number;
  rows: RowReport;
  dataPosts: number;
  inFlight: number;
  retries: number;
  syncs: number;
  /** Milliseconds since the import started. */
  elapsedMs: number;
  /**
   * The sync Eloqua is processing while the import waits for it (no data is sent meanwhile), e.g.
   * `{ uri: "/syncs/12", rows: 1_200_000 }`.
   * @default undefined (no sync is being waited for)
   */
  sync?: { readonly uri: string; readonly rows: number };
}
