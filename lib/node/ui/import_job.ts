import { join } from "node:path";
import type { EloquaBulkClient } from "../../client/client.ts";
import type { EloquaField } from "../../client/types.ts";
import { decodeInput, decodeLater } from "../../csv/input_decoding.ts";
import { peekHeader } from "../../csv/peek_header.ts";
import {
  checkCheckpoint,
  type ImportCheckpoint,
  isCheckpointMismatchError,
} from "../../import/checkpoint.ts";
import { importLinkages } from "../../import/import_linkages.ts";
import type { ImportOptions } from "../../import/import_options.ts";
import { importRows } from "../../import/import_rows.ts";
import type { ImportReport, RowReport, SyncReport } from "../../import/report.ts";
import { RejectsFile } from "../cli/rejects_file.ts";
import { expectedKeysOf } from "../expected_keys.ts";
import { spawnRowWorkerThread } from "../row_worker_thread.ts";
import { fingerprintStream } from "./fingerprint_stream.ts";
import { type ImportChoice, problemOf, type SetupProblem, setupImport } from "./import_setup.ts";
import { tallyRejectsFile } from "./rejects_tally.ts";
import { spoolUpload, type UploadSpool } from "./upload_spool.ts";

/** Rejects kept for the page's table; the rejects file has them all. */
const FIRST_REJECTS = 50;

/** Where a job is. `stopped` and `failed` can be resumed from the checkpoint with the same file. */
export type JobState = "ready" | "running" | "stopping" | "stopped" | "done" | "failed";

/** What the page is shown of a job: every number of the run, never a credential. */
export interface JobSnapshot {
  readonly id: string;
  readonly state: JobState;
  readonly file: string | null;
  readonly size: number | null;
  /** Bytes read over every read of the file: up to `size` times `reads`. */
  readonly bytesRead: number;
  /** How many times the run reads the file: 2 for records (a first read finds each identifier's last valid row), else 1. */
  readonly reads: 1 | 2;
  readonly elapsedMs: number;
  readonly rows: RowReport;
  readonly syncs: number;
  /** The newest sync the checkpoint knows, with its state. */
  readonly sync: { uri: string; status: string } | null;
  /** Rejects by code, duplicates left out (they are counted in `rows`). */
  readonly reasons: Readonly<Record<string, number>>;
  readonly firstRejects: readonly { line: number; code: string; message: string }[];
  /** Lines up to this one are done, from the checkpoint: a resume starts after it. */
  readonly checkpointLine: number | null;
  readonly report: ImportReport | null;
  readonly problem: SetupProblem | null;
}

/** What a job needs from the server: the target's client, the kind's fields, a folder for its files. */
export interface JobContext {
  readonly client: EloquaBulkClient;
  readonly fieldsOf: (choice: ImportChoice) => Promise<readonly EloquaField[]>;
  readonly folder: string;
  /** Import options for every run (tests make bodies small to get many of them). */
  readonly importOptions?: Pick<ImportOptions, "maxBatchBytes" | "concurrency" | "maxFilesPerSync">;
}

/** A job is already running: one run at a time. */
export class JobBusyError extends Error {
  override readonly name = "JobBusyError";
  readonly code = "JOB_BUSY";
  constructor() {
    super("This import is running: stop it before starting it again.");
  }
}

const NO_ROWS: RowReport = { read: 0, invalid: 0, duplicate: 0, staged: 0, notSent: 0, rejectedByEloqua: 0 };

/**
 * One import of the page: the choice it was created with, and its runs. A run reads an upload as the
 * CLI reads a file (same decoding, plan, options and rejects file); a stopped or failed run leaves a
 * checkpoint in memory, and the next run of the same file resumes from it.
 */
export class ImportJob {
  readonly id: string;
  readonly choice: ImportChoice;
  readonly rejectsPath: string;
  /** Where a run's upload is copied while it is read, so that the import can read it again. */
  readonly spoolPath: string;
  readonly #context: JobContext;
  readonly #listeners = new Set<(snapshot: JobSnapshot) => void>();
  #state: JobState = "ready";
  #controller: AbortController | undefined;
  #checkpoint: ImportCheckpoint | undefined;
  #file: string | null = null;
  #size: number | null = null;
  #bytesRead = 0;
  #started = 0;
  #elapsedMs = 0;
  #rows: RowReport = NO_ROWS;
  #syncs = 0;
  #reasons = new Map<string, number>();
  #firstRejects: { line: number; code: string; message: string }[] = [];
  #report: ImportReport | null = null;
  #problem: SetupProblem | null = null;
  #running: Promise<JobSnapshot> | undefined;

  constructor(id: string, choice: ImportChoice, context: JobContext) {
    this.id = id;
    this.choice = choice;
    this.#context = context;
    this.rejectsPath = join(context.folder, `job-${id}-rejects.csv`);
    this.spoolPath = join(context.folder, `job-${id}-upload`);
  }

  get report(): ImportReport | null {
    return this.#report;
  }

  get state(): JobState {
    return this.#state;
  }

  /** Records keep a repeated identifier's last valid row, as the CLI does for a file; linkages the first. */
  get #lastRow(): boolean {
    return this.choice.kind.name !== "linkages";
  }

  /** Calls `listener` with every new snapshot until the returned function is called. */
  subscribe(listener: (snapshot: JobSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): JobSnapshot {
    const last: SyncReport | undefined = this.#report?.syncs.at(-1) ?? this.#checkpoint?.syncs.at(-1);
    return {
      id: this.id,
      state: this.#state,
      file: this.#file,
      size: this.#size,
      bytesRead: this.#bytesRead,
      reads: this.#lastRow ? 2 : 1,
      elapsedMs: this.#state === "running" ? Date.now() - this.#started : this.#elapsedMs,
      rows: this.#rows,
      syncs: this.#syncs,
      sync: last === undefined ? null : { uri: last.uri, status: last.status },
      reasons: Object.fromEntries(this.#reasons),
      firstRejects: this.#firstRejects,
      checkpointLine: this.#checkpoint?.acknowledgedLine ?? null,
      report: this.#report,
      problem: this.#problem,
    };
  }

  /** Stops a running import cleanly: requests in flight end, the checkpoint says what is done. */
  stop(): void {
    if (this.#state !== "running") return;
    this.#state = "stopping";
    this.#controller?.abort(new Error("stopped from the page"));
    this.#emit();
  }

  /**
   * Imports `body` (an upload of `size` bytes, read as it arrives: its pace is the import's), resuming
   * from the checkpoint when an earlier run stopped. Resolves when the run ends, however it ends.
   */
  run(body: ReadableStream<Uint8Array>, size: number, file: string): Promise<JobSnapshot> {
    if (this.#state === "running" || this.#state === "stopping") throw new JobBusyError();
    const running = this.#run(body, size, file);
    this.#running = running;
    return running;
  }

  /** Stops a running import and resolves once it has ended (its requests in flight answered). */
  async settle(): Promise<void> {
    this.stop();
    await this.#running;
  }

  async #run(body: ReadableStream<Uint8Array>, size: number, file: string): Promise<JobSnapshot> {
    if (this.#state === "done") this.#checkpoint = undefined;
    const controller = new AbortController();
    this.#controller = controller;
    this.#state = "running";
    this.#file = file;
    this.#size = size;
    this.#bytesRead = 0;
    this.#started = Date.now();
    this.#problem = null;
    this.#report = null;
    // A resumed run counts again from the first line (rows up to the checkpoint are read, not sent).
    this.#rows = NO_ROWS;
    this.#emit();
    let rejects: RejectsFile | undefined;
    let spool: UploadSpool | undefined;
    try {
      const counted = this.#counted(body);
      // Every byte of the upload goes to the copy as it passes, read for the fingerprint, the header or
      // the first read: the copy is the upload, byte for byte, as the CLI reads a file twice.
      spool = this.#lastRow ? spoolUpload(counted, this.spoolPath) : undefined;
      const { fingerprint, stream } = await fingerprintStream(spool?.stream ?? counted, size);
      const resumeFrom =
        this.#checkpoint === undefined ? undefined : checkCheckpoint(this.#checkpoint, fingerprint);
      const decoded = await decodeInput(stream);
      const peeked = await peekHeader(decoded.stream, { delimiter: "auto" });
      if (peeked.header === undefined) {
        throw Object.assign(new Error("no header"), { problem: noHeader(peeked.problem) });
      }
      const fields = this.choice.kind.name === "linkages" ? [] : await this.#context.fieldsOf(this.choice);
      const setup = setupImport(peeked.header, fields, this.choice);
      if (setup.problem !== undefined) throw Object.assign(new Error("plan"), { problem: setup.problem });
      rejects = await RejectsFile.open(
        this.rejectsPath,
        {
          includeDuplicates: false,
          columns: setup.plan?.options.columns ?? setup.columns,
          ...(setup.rejectFields === undefined ? {} : { fields: setup.rejectFields }),
        },
        resumeFrom?.acknowledgedLine,
      );
      // A resumed run reports only rows past the checkpoint: those up to it are in the kept rejects file.
      const tally =
        resumeFrom === undefined ? undefined : await tallyRejectsFile(this.rejectsPath, FIRST_REJECTS);
      this.#reasons = tally?.reasons ?? new Map();
      this.#firstRejects = tally?.first ?? [];
      const rejectsFile = rejects;
      const options: ImportOptions = {
        ...this.#context.importOptions,
        client: this.#context.client,
        sourceName: file,
        signal: controller.signal,
        progressIntervalMs: 250,
        fingerprint,
        rowWorker: spawnRowWorkerThread,
        expectedKeys: expectedKeysOf(size, peeked),
        onProgress: (progress) => {
          this.#rows = progress.rows;
          this.#syncs = progress.syncs;
          this.#emit();
        },
        onCheckpoint: (checkpoint) => {
          this.#checkpoint = structuredClone(checkpoint);
        },
        onReject: (reject) => {
          rejectsFile.onReject(reject);
          if (reject.code === "DUPLICATE") return;
          this.#reasons.set(reject.code, (this.#reasons.get(reject.code) ?? 0) + 1);
          if (this.#firstRejects.length < FIRST_REJECTS) {
            this.#firstRejects.push({ line: reject.line, code: reject.code, message: reject.message });
          }
        },
      };
      if (resumeFrom !== undefined) options.checkpoint = resumeFrom;
      if (peeked.delimiter !== ",") options.delimiter = peeked.delimiter;
      // A const, so the closure that reads the copy sees it set.
      const copy = spool;
      const report =
        setup.plan === undefined
          ? await importLinkages(peeked.stream, {
              ...options,
              ...(Object.keys(setup.columns).length === 0 ? {} : { columns: setup.columns }),
              ...(setup.linkage === undefined ? {} : { definition: setup.linkage }),
            })
          : copy === undefined
            ? await importRows(peeked.stream, { ...options, ...setup.plan.options })
            : await importRows(
                decodeLater(() => this.#counted(copy.reopen())),
                {
                  ...options,
                  ...setup.plan.options,
                  // The first read (the upload, copied as it goes) finds each identifier's last valid row;
                  // the import then reads the copy. A resumed run reads the whole upload again too.
                  keep: "last",
                  reread: () => peeked.stream,
                },
              );
      await rejects.close();
      rejects = undefined;
      this.#report = report;
      this.#rows = report.rows;
      this.#syncs = report.syncs.length;
      if (report.ok) this.#state = "done";
      else {
        this.#state = report.error?.code === "ABORTED" ? "stopped" : "failed";
        if (report.error !== undefined && report.error.code !== "ABORTED") this.#problem = report.error;
      }
    } catch (error) {
      await rejects?.close().catch(() => {});
      body.cancel().catch(() => {});
      this.#problem = isCheckpointMismatchError(error)
        ? {
            code: error.code,
            message:
              "This is not the file the stopped import read: choose that file again to resume, or start a new import.",
          }
        : ((error as { problem?: SetupProblem }).problem ?? problemOf(error));
      this.#state = controller.signal.aborted ? "stopped" : "failed";
    } finally {
      await spool?.remove().catch(() => {});
      this.#elapsedMs = Date.now() - this.#started;
      this.#controller = undefined;
    }
    this.#emit();
    return this.snapshot();
  }

  /** `source`, its bytes added to the run's `bytesRead`. */
  #counted(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    return source.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, out) => {
          this.#bytesRead += chunk.byteLength;
          out.enqueue(chunk);
        },
      }),
    );
  }

  #emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.#listeners) listener(snapshot);
  }
}

function noHeader(problem: string | undefined): SetupProblem {
  return {
    code: "CSV_NO_HEADER",
    message: `No header could be read (${problem ?? "the file is empty"}): the first line must name the columns.`,
  };
}
