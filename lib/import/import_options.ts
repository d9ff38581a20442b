import { DEFAULT_MAX_BATCH_BYTES } from "../batch/json_batcher.ts";
import type { EloquaBulkClient } from "../client/client.ts";
import type { LinkageDefinitionOptions } from "../client/definitions.ts";
import type { ImportKind } from "../client/imports.ts";
import type { ImportDefinition, ImportDefinitionInput } from "../client/types.ts";
import type { CsvBatchStreamOptions } from "../csv_batch_stream.ts";
import { ELOQUA_MAX_BODY_BYTES, ELOQUA_MAX_FILES_PER_SYNC } from "../eloqua_limits.ts";
import { InvalidOptionError } from "../errors.ts";
import type { RejectHandler } from "../reject.ts";
import type { ImportSchema } from "../schema.ts";
import type { RowWorkerPort } from "../worker/worker_row_stream.ts";
import type { ImportCheckpoint } from "./checkpoint.ts";
import type { ImportProgress } from "./report.ts";

/** Longest timer a runtime takes (2³¹ − 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The numeric options of an import, with their defaults and allowed ranges,
 * in one place: `importLinkages` fills in and checks its options by this
 * table, the `Uploader` checks its own by the same ranges, and the CLI's
 * flags by them too.
 */
export const IMPORT_LIMITS = {
  maxBatchBytes: { default: DEFAULT_MAX_BATCH_BYTES, min: 2, max: ELOQUA_MAX_BODY_BYTES },
  concurrency: { default: 4, min: 1, max: 64 },
  maxFilesPerSync: { default: ELOQUA_MAX_FILES_PER_SYNC, min: 1, max: ELOQUA_MAX_FILES_PER_SYNC },
  maxBytesPerSync: { default: 250_000_000, min: 1, max: Number.MAX_SAFE_INTEGER },
  syncTimeoutMs: { default: 3_600_000, min: 1, max: MAX_TIMER_MS },
  progressIntervalMs: { default: 500, min: 0, max: MAX_TIMER_MS },
  checkpointIntervalMs: { default: 0, min: 0, max: MAX_TIMER_MS },
} as const satisfies Record<string, { default: number; min: number; max: number }>;

/** The numeric option `name` checked against its range; bad values throw naming `where`. */
export function checkImportInteger(where: string, name: keyof typeof IMPORT_LIMITS, value: unknown): number {
  const { min, max } = IMPORT_LIMITS[name];
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidOptionError(where, name, `an integer from ${min} to ${max}`, value);
  }
  return value as number;
}

/** A source of CSV: a stream or async iterable of UTF-8 bytes or strings. */
export type CsvSource = ReadableStream<Uint8Array | string> | AsyncIterable<Uint8Array | string>;

/** Options every import takes (`importRows`, `importLinkages`). */
export interface ImportOptions
  extends Pick<
    CsvBatchStreamOptions,
    | "columns"
    | "caseSensitiveHeaders"
    | "sourceName"
    | "delimiter"
    | "maxRecordLength"
    | "expectedKeys"
    | "maxRows"
    | "rejectDuplicates"
  > {
  /**
   * Parse, validate and hash keys in a worker while this thread dedupes, batches and uploads: a worker
   * (`spawnRowWorkerThread()` on Node, `spawnWebRowWorker()` where web workers exist), or the function that
   * spawns one (`spawnRowWorkerThread`), with which `keep: "last"` reads the input twice on two threads
   * instead of once on two and once on one. The import terminates the workers it uses.
   * @default undefined (every stage on this thread)
   */
  rowWorker?: RowWorkerPort | (() => RowWorkerPort);
  /** The Eloqua client. Required unless `dryRun`. */
  client?: EloquaBulkClient;
  /**
   * Use this definition, e.g. `/opportunities/contacts/imports/21`; it must
   * have the schema's fields, and its case-sensitivity flags decide how
   * duplicates are matched.
   * @default undefined (a definition is created from `definition` when the first body is ready)
   */
  importUri?: string;
  /**
   * Hard cap of a request body in UTF-8 bytes.
   * @default 4_000_000
   */
  maxBatchBytes?: number;
  /**
   * Data POSTs in flight at once. Memory ≈ (concurrency + 1) × maxBatchBytes.
   * @default 4
   */
  concurrency?: number;
  /**
   * Sync once this many files are staged (Eloqua refuses the 501st of a sync).
   * @default 500
   */
  maxFilesPerSync?: number;
  /**
   * Sync once this many bytes are staged (Oracle recommends about 250 MB).
   * @default 250_000_000
   */
  maxBytesPerSync?: number;
  /**
   * Longest wait for one sync to finish.
   * @default 3_600_000 (one hour)
   */
  syncTimeoutMs?: number;
  /**
   * Parse, validate, dedupe and batch without any network call.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Receives every row that is not staged (invalid, duplicate, not sent) and every row a sync rejected.
   * @default undefined (rows are only counted)
   */
  onReject?: RejectHandler;
  /**
   * Called with a snapshot of the import's progress, at most every `progressIntervalMs`.
   * @default undefined
   */
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Least time between two `onProgress` calls.
   * @default 500
   */
  progressIntervalMs?: number;
  /**
   * Stops the import: reading stops, in-flight requests are aborted, the report says what was done.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Resume from this checkpoint (from `onCheckpoint` of an earlier run on the same source): rows it
   * acknowledged are read again but not sent, a sync it left running is waited for, and the report
   * totals cover the whole import.
   * @default undefined (start from the beginning)
   */
  checkpoint?: ImportCheckpoint;
  /**
   * Receives the state needed to resume as each data POST starts and after
   * each acknowledgement (a body staged, a sync started or done); store it
   * atomically before returning.
   * @default undefined
   */
  onCheckpoint?: (checkpoint: ImportCheckpoint) => void;
  /**
   * Least time between two `onCheckpoint` calls for data POSTs (syncs always
   * call it). With 0, every body is checkpointed as its POST starts and when
   * it is acknowledged, so a rerun sends again at most the bodies that were
   * in flight: two writes per body, few enough that checkpoints add little
   * to an import's CPU (`bench/checkpoint_overhead.ts`, bench/README.md).
   * @default 0
   */
  checkpointIntervalMs?: number;
  /**
   * Identifies the source in checkpoints (e.g. its size and a hash of its first MB); a checkpoint of
   * another fingerprint is refused.
   * @default null
   */
  fingerprint?: string;
}

/** Options of `importRows`: an import of any kind, described by data. */
export interface ImportRowsOptions extends ImportOptions {
  /** Where the definitions of this import live, e.g. `IMPORT_KINDS.opportunities`. */
  kind: ImportKind;
  /**
   * The rows' fields (named by the definition's field keys, which are the
   * staged JSON's keys), their rules, and the dedupe key. `planImport` makes
   * one from Eloqua's fields and a file's header.
   */
  schema: ImportSchema;
  /**
   * The definition to create when no `importUri` is given; its `fields` keys
   * must be the schema's field names. Required unless `importUri`, a
   * checkpoint or `dryRun`.
   * @default undefined
   */
  definition?: ImportDefinitionInput;
  /**
   * Which key fields are compared with case, from the definition in use (the
   * one created or the one `importUri` names), e.g. `linkageCaseSensitivity`.
   * @default undefined (every key field compared without case, as Eloqua's defaults do)
   */
  keyCaseSensitivity?: (
    definition: ImportDefinition | ImportDefinitionInput,
  ) => Readonly<Record<string, boolean>>;
  /**
   * Which row of a key (the schema's `key`, e.g. the identifier of an entity
   * import) is imported. `"first"` keeps the first and rejects later ones
   * as `DUPLICATE`. `"last"` keeps the last valid one, as if the rows were
   * applied in order, so Eloqua ends with the file's last value; it reads
   * the input twice (the first read finds each key's last valid line), so
   * it needs `reread`, and costs 21–43 bytes a unique key for that table.
   * @default "first"
   */
  keep?: "first" | "last";
  /**
   * Opens the same input again, from its start, for the first read of
   * `keep: "last"`; the import's own read is the `source` given. It must
   * give the same bytes.
   * @default undefined
   */
  reread?: () => CsvSource;
}

/** Options of `importLinkages`: the opportunity ↔ contact (or account) linkage preset. */
export interface ImportLinkagesOptions extends ImportOptions {
  /**
   * How to create the linkage definition when no `importUri` is given; its
   * fields, match field and source field also make the rows' schema.
   * @default { name: "eloqua-bulk-stream <date>", autoDeleteDuration: "P7D" }: OpportunityID and EmailAddress, linked to contacts
   */
  definition?: LinkageDefinitionOptions;
}
