import { batchLines, type JsonBatch, rowsAfterLine, splitBatch } from "../batch/json_batch.ts";
import type { EloquaBulkClient } from "../client/client.ts";
import { isEloquaHttpError } from "../client/errors.ts";
import type { RetryEvent } from "../client/http.ts";
import { EloquaBulkError, InvalidOptionError } from "../errors.ts";
import type { RejectHandler } from "../reject.ts";
import { checkImportInteger } from "./import_options.ts";
import type { SyncReport } from "./report.ts";
import { SyncFileTable } from "./sync_files.ts";

/** The reason a POST's own signal is aborted with when its retry must wait for the next sync. */
const HOLD_FOR_SYNC: unique symbol = Symbol("hold for sync");

/** Options of {@linkcode Uploader}; `importLinkages` documents the defaults. */
export interface UploaderOptions {
  client: EloquaBulkClient;
  /** Resolves the definition's URI; called once, when the first body is ready (so a bad input creates nothing). */
  definition: () => Promise<string>;
  /** The definition's field names, in the order bodies carry them. */
  fields: readonly string[];
  concurrency: number;
  maxFilesPerSync: number;
  maxBytesPerSync: number;
  syncTimeoutMs: number;
  signal?: AbortSignal | undefined;
  onReject?: RejectHandler | undefined;
  sourceName: string;
  /**
   * What an earlier run staged and did not sync (resuming from a checkpoint): it counts as staged since
   * the last sync until {@linkcode Uploader.clearEarlierRun} deleted it, so a checkpoint written before
   * then still tells the next rerun to delete it.
   */
  earlierStaging?: { files: number; bytes: number; rows: number } | undefined;
  /**
   * Told when a POST starts and after each acknowledgement (a body staged, a sync), e.g. to write a
   * checkpoint. With it, the uploader keeps the lines of synced files that are past rows still
   * outstanding, until {@linkcode Uploader.syncedBeyond} is asked past them: ask it in here.
   */
  onAck?: (() => void) | undefined;
  /**
   * Told when a body's bytes are read no more: Eloqua acknowledged it (and its rows were recorded for the
   * sync's rejects), or it was split into new bodies. E.g. to give its buffer back to the batcher.
   */
  onBodyDone?: ((batch: JsonBatch) => void) | undefined;
}

/** What the uploader did so far. */
export interface UploadStats {
  /** Rows in bodies Eloqua accepted. */
  staged: number;
  /** Rows Eloqua refused even alone in a body (404 after splitting down to one row). */
  refused: number;
  /** Staged rows a sync rejected. */
  rejectedByEloqua: number;
  dataPosts: number;
  bytes: number;
  retries: number;
  splits: number;
  inFlight: number;
  syncs: SyncReport[];
}

/**
 * Posts request bodies to a definition's data endpoint and runs its syncs:
 * at most `concurrency` POSTs in flight; before a file would pass
 * `maxFilesPerSync` or the staged bytes `maxBytesPerSync`, it lets the
 * in-flight POSTs finish, syncs, waits for the sync and reads its rejects,
 * then goes on — so there is never a POST during a sync nor two syncs at
 * once. A 404 on a data POST means the body was too big when the definition
 * still exists: the body is split in halves (a single row still refused is
 * rejected). A 413 means staging is full: sync to drain it, then post the
 * same body again. Any other failure, once the client's retries are spent,
 * stops the upload; its bodies are reported as not sent.
 *
 * `write` resolves once the body's POST has started, so a slow Eloqua slows
 * the writer: memory is about (concurrency + 1) bodies.
 */
export class Uploader {
  readonly stats: UploadStats = {
    staged: 0,
    refused: 0,
    rejectedByEloqua: 0,
    dataPosts: 0,
    bytes: 0,
    retries: 0,
    splits: 0,
    inFlight: 0,
    syncs: [],
  };
  readonly #options: UploaderOptions;
  readonly #table: SyncFileTable;
  /** Bodies waiting for a slot: the one being written, halves of split bodies, bodies to post again after a sync. */
  readonly #queue: JsonBatch[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #inFlightBatches = new Set<JsonBatch>();
  /** The sync being created or waited for, if any. */
  #syncUri: string | undefined;
  /** The sync waited for now and its rows: what Eloqua is processing, for progress. */
  #waiting: { readonly uri: string; readonly rows: number } | undefined;
  /** Bodies that failed for good or were never posted; reported as not sent. */
  readonly #unsent: JsonBatch[] = [];
  /** Bodies already posted again once after a 413 or 400: a second time is an error. */
  readonly #retriedAfterSync = new WeakSet<JsonBatch>();
  #pendingFiles = 0;
  #pendingBytes = 0;
  #stagedBytes = 0;
  #needSync = false;
  #failure: unknown;
  #definition: Promise<string> | undefined;
  /**
   * Data POSTs that failed without an answer and were sent again: Eloqua may
   * have staged them anyway (a lost response after a commit), so each counts
   * as a file of the sync (and its bytes as staged), and a retry that could
   * take the sync past its file limit waits for the next sync instead.
   */
  #uncertainFiles = 0;
  #uncertainBytes = 0;
  #uncertainRows = 0;
  #maybeTwice = 0;
  /**
   * Lines of the files of syncs that ended, kept while some of their rows are past the lines the
   * import has acknowledged (a body before them still outstanding): a rerun sends those rows again.
   */
  #syncedAhead: (readonly number[])[] = [];
  /** The smallest first line of the bodies handed out by `takeUnsent`. */
  #unsentMin = Number.POSITIVE_INFINITY;

  constructor(options: UploaderOptions) {
    checkUploaderOptions(options);
    this.#options = options;
    this.#uncertainFiles = options.earlierStaging?.files ?? 0;
    this.#uncertainBytes = options.earlierStaging?.bytes ?? 0;
    this.#uncertainRows = options.earlierStaging?.rows ?? 0;
    this.#table = new SyncFileTable(options.fields);
  }

  /**
   * The smallest source line among the rows not yet acknowledged (queued,
   * in flight, or failed), or `Infinity` when there are none.
   */
  minOutstandingLine(): number {
    // Staged rows are outstanding too until their sync ended and its rejects were read.
    let min = Math.min(this.#table.minLine(), this.#unsentMin);
    for (const list of [this.#queue, this.#inFlightBatches, this.#unsent]) {
      for (const batch of list) if (batch.rows > 0 && batch.lines[0]! < min) min = batch.lines[0]!;
    }
    return min;
  }

  /** Files (and their bytes) Eloqua has, or may have, staged since the last sync: POSTs in flight count. */
  get sinceSync(): { files: number; bytes: number } {
    return {
      files: this.#table.files + this.#uncertainFiles + this.#pendingFiles,
      bytes: this.#stagedBytes + this.#uncertainBytes + this.#pendingBytes,
    };
  }

  /** Rows Eloqua holds, or may hold, in staging since the last sync: staged, in flight, or sent without an answer. */
  get unsyncedRows(): number {
    let rows = this.#table.rows + this.#uncertainRows;
    for (const batch of this.#inFlightBatches) rows += batch.rows;
    return rows;
  }

  /** Rows sent again after a POST that got no answer, and rows of a sync that failed: Eloqua may hold them twice. */
  get mayBeStagedTwice(): number {
    return this.#maybeTwice;
  }

  /**
   * Rows that ended syncs took on lines after `line` (the import's acknowledged line): a rerun from
   * that line sends them again, so Eloqua may hold them twice. Forgets the files wholly up to `line`.
   */
  syncedBeyond(line: number): number {
    let rows = 0;
    this.#syncedAhead = this.#syncedAhead.filter((lines) => {
      const beyond = rowsAfterLine(lines, line);
      rows += beyond;
      return beyond > 0;
    });
    return rows;
  }

  /** The sync created and not yet seen finished, if any. */
  get pendingSyncUri(): string | undefined {
    return this.#syncUri;
  }

  /** The sync the upload waits for now (no data is sent meanwhile), if any. */
  get waitingSync(): { readonly uri: string; readonly rows: number } | undefined {
    return this.#waiting;
  }

  /** `client.waitForSync`, with the sync shown as waited for meanwhile. */
  async #waitForSync(uri: string, rows: number): Promise<{ status: SyncReport["status"] }> {
    const { client, signal, syncTimeoutMs } = this.#options;
    this.#waiting = { uri, rows };
    try {
      return await client.waitForSync(uri, { ...(signal ? { signal } : {}), maxWaitMs: syncTimeoutMs });
    } finally {
      this.#waiting = undefined;
    }
  }

  /**
   * Resuming from a checkpoint: let a sync the earlier run left running end
   * (no sync may start while it runs), then delete what the earlier run
   * staged and did not sync, so that Eloqua holds no row of the lines this
   * run sends again. The earlier sync's rejects are not read: its rows are
   * sent again, and the sync of this run rejects them with their lines.
   */
  async clearEarlierRun(pendingSync: SyncReport | undefined, definitionUri: string): Promise<void> {
    const { client, signal, syncTimeoutMs } = this.#options;
    const call = signal ? { signal } : {};
    if (pendingSync !== undefined) {
      // Until it is seen ended, a checkpoint still names it.
      this.#syncUri = pendingSync.uri;
      const done = await this.#waitForSync(pendingSync.uri, pendingSync.rows);
      pendingSync.status = done.status;
      this.#syncUri = undefined;
    }
    // 409 while a sync runs on the definition: one the earlier run was creating when it stopped.
    const deadline = Date.now() + syncTimeoutMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        await client.deleteData(definitionUri, call);
        break;
      } catch (error) {
        if (!isEloquaHttpError(error) || error.status !== 409 || Date.now() + wait > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    this.#uncertainFiles = 0;
    this.#uncertainBytes = 0;
    this.#uncertainRows = 0;
    this.#options.onAck?.();
  }

  /** The definition's URI, once resolved. */
  definitionUri: string | undefined;

  /** Post `batch` when a slot is free; resolves when its POST has started. Throws the upload's failure. */
  async write(batch: JsonBatch): Promise<void> {
    this.#queue.push(batch);
    await this.#pump();
  }

  /** Post what is left, wait for it, and run the last sync. Throws the upload's failure. */
  async close(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight.size > 0 || this.#needSync) {
      await this.#pump();
      await this.#drain();
      this.#throwIfFailed();
      if (this.#needSync) await this.#sync();
    }
    if (this.#table.files + this.#uncertainFiles > 0) await this.#sync();
  }

  /** Stop: bodies not yet acknowledged become not sent. In-flight POSTs are aborted through the signal. */
  async abort(reason: unknown): Promise<void> {
    this.#failure ??= reason;
    this.#unsent.push(...this.#queue.splice(0));
    await this.#drain();
  }

  /** Bodies that were never acknowledged: every row in them is not sent. Their lines stay outstanding. */
  takeUnsent(): JsonBatch[] {
    this.#unsent.push(...this.#queue.splice(0));
    const taken = this.#unsent.splice(0);
    for (const batch of taken)
      if (batch.rows > 0) this.#unsentMin = Math.min(this.#unsentMin, batch.lines[0]!);
    return taken;
  }

  async #pump(): Promise<void> {
    const { concurrency } = this.#options;
    while (this.#queue.length > 0) {
      this.#throwIfFailed();
      this.#options.signal?.throwIfAborted();
      const batch = this.#queue[0]!;
      if (this.#needSync || this.#wouldOverflow(batch)) {
        await this.#drain();
        this.#throwIfFailed();
        if (this.#needSync || this.#wouldOverflow(batch)) await this.#sync();
        continue;
      }
      if (this.#inFlight.size >= concurrency) {
        await Promise.race(this.#inFlight);
        continue;
      }
      this.#queue.shift();
      this.#start(batch);
    }
    this.#throwIfFailed();
  }

  #wouldOverflow(batch: JsonBatch): boolean {
    const files = this.#table.files + this.#uncertainFiles + this.#pendingFiles;
    if (files + 1 > this.#options.maxFilesPerSync) return true;
    const bytes = this.#stagedBytes + this.#uncertainBytes + this.#pendingBytes + batch.body.length;
    return files > 0 && bytes > this.#options.maxBytesPerSync;
  }

  #start(batch: JsonBatch): void {
    const size = batch.body.length;
    this.#pendingFiles++;
    this.#pendingBytes += size;
    this.#inFlightBatches.add(batch);
    const task = this.#post(batch).finally(() => {
      this.#inFlight.delete(task);
      this.#inFlightBatches.delete(batch);
      this.#pendingFiles--;
      this.#pendingBytes -= size;
      this.stats.inFlight = this.#inFlight.size;
    });
    this.#inFlight.add(task);
    this.stats.inFlight = this.#inFlight.size;
    // Checkpointed as it starts: if the process dies now, a rerun knows these rows may be staged already.
    if (this.definitionUri !== undefined) this.#options.onAck?.();
  }

  async #post(batch: JsonBatch): Promise<void> {
    const { client, signal, maxFilesPerSync } = this.#options;
    // Its own signal, so a retry that could pass the sync's file limit can be held back.
    const request = new AbortController();
    const stop = (): void => request.abort(signal?.reason);
    if (signal?.aborted) stop();
    signal?.addEventListener("abort", stop, { once: true });
    const onRetry = (event: RetryEvent): void => {
      this.stats.retries++;
      if (isEloquaHttpError(event.error)) return;
      this.#maybeStored(batch);
      this.#maybeTwice += batch.rows;
      if (this.#table.files + this.#uncertainFiles + this.#pendingFiles > maxFilesPerSync)
        request.abort(HOLD_FOR_SYNC);
    };
    try {
      const uri = await this.#resolveDefinition();
      await client.postData(uri, batch.body, { signal: request.signal, onRetry });
      this.#table.add(batch);
      this.#stagedBytes += batch.body.length;
      this.stats.staged += batch.rows;
      this.stats.dataPosts++;
      this.stats.bytes += batch.body.length;
      this.#options.onBodyDone?.(batch);
      this.#options.onAck?.();
    } catch (error) {
      // No answer (aborted, whatever the reason, or the network failed): Eloqua may have stored it all the same.
      if (error !== HOLD_FOR_SYNC && (request.signal.aborted || !isEloquaHttpError(error)))
        this.#maybeStored(batch);
      if (error === HOLD_FOR_SYNC && !signal?.aborted) {
        this.#needSync = true;
        this.#queue.unshift(batch);
      } else if (!(await this.#recover(batch, error))) {
        this.#failure ??= error;
        this.#unsent.push(batch);
      }
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  }

  /** A POST of `batch` got no answer: it counts toward the sync's limits as if staged. */
  #maybeStored(batch: JsonBatch): void {
    this.#uncertainFiles++;
    this.#uncertainBytes += batch.body.length;
    this.#uncertainRows += batch.rows;
  }

  /** The definition's URI, created or looked up once. */
  #resolveDefinition(): Promise<string> {
    this.#definition ??= this.#options.definition().then((uri) => {
      this.definitionUri = uri;
      // Known before anything is staged on it: a rerun must reuse it, not create another.
      this.#options.onAck?.();
      return uri;
    });
    return this.#definition;
  }

  /** Handle a failed POST the way Eloqua's status codes call for; false when it cannot be recovered. */
  async #recover(batch: JsonBatch, error: unknown): Promise<boolean> {
    if (this.#failure !== undefined || this.#options.signal?.aborted || !isEloquaHttpError(error))
      return false;
    if (error.status === 413 || (error.status === 400 && this.#table.files > 0)) {
      // Staging full, or (a 400 after files were staged) the files-per-sync limit: sync, then post it again, once.
      if (this.#retriedAfterSync.has(batch)) return false;
      this.#retriedAfterSync.add(batch);
      this.#needSync = true;
      this.#queue.unshift(batch);
      return true;
    }
    if (error.status === 404) {
      // Eloqua answers 404 to a body over its size limit; unless the definition itself is gone.
      const uri = this.definitionUri!;
      try {
        await this.#options.client.getImport(
          uri,
          this.#options.signal ? { signal: this.#options.signal } : {},
        );
      } catch (lookup) {
        if (isEloquaHttpError(lookup) && lookup.status === 404) {
          this.#failure ??= new EloquaBulkError(
            "DEFINITION_NOT_FOUND",
            `The linkage definition ${uri} no longer exists in Eloqua (a data POST and a look-up both answered 404); create a new one or pass another --import-uri`,
            { cause: error },
          );
        }
        return false;
      }
      if (batch.rows >= 2) {
        this.stats.splits++;
        this.#queue.unshift(...splitBatch(batch));
        this.#options.onBodyDone?.(batch);
        return true;
      }
      this.stats.refused += batch.rows;
      for (const line of batchLines(batch)) {
        this.#options.onReject?.({
          line,
          stage: "upload",
          code: "ELOQUA_BODY_REFUSED",
          message: `${this.#options.sourceName} line ${line}: Eloqua refused the row even alone in a request body (404)`,
          values: {},
        });
      }
      return true;
    }
    return false;
  }

  async #drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Sync the definition's staged files; never while a POST is in flight (the caller drained them). */
  async #sync(): Promise<void> {
    this.#needSync = false;
    if (this.#table.files + this.#uncertainFiles === 0) return;
    const uri = await this.#resolveDefinition();
    const { client, signal } = this.#options;
    const call = signal ? { signal } : {};
    const report: SyncReport = {
      uri: "",
      status: "pending",
      files: this.#table.files,
      rows: this.#table.rows,
      rejected: 0,
    };
    try {
      this.#syncUri = "";
      // Checkpointed before the request: if the process dies now, a rerun knows a sync may take these rows.
      this.#options.onAck?.();
      const created = await client.createSync({ syncedInstanceUri: uri }, call);
      report.uri = created.uri;
      this.#syncUri = created.uri;
      this.stats.syncs.push(report);
      this.#options.onAck?.();
      const done = await this.#waitForSync(created.uri, report.rows);
      report.status = done.status;
      this.#syncUri = undefined;
      if (done.status === "error") {
        throw new EloquaBulkError(
          "SYNC_FAILED",
          `Eloqua's sync ${created.uri} of ${uri} ended with status "error"; read its logs (GET /syncs/…/logs) and run the import again (with --checkpoint it resends the rows of this sync)`,
        );
      }
      if (done.status === "warning") await this.#readRejects(report);
    } catch (error) {
      this.#failure ??= error;
      // Eloqua answered the create with an error: no sync exists. Otherwise one may, and a checkpoint names it.
      if (report.uri === "" && isEloquaHttpError(error)) this.#syncUri = undefined;
      // It ended (in error, or its rejects could not be read): Eloqua may have imported rows a rerun sends again.
      else if (this.#syncUri === undefined) this.#maybeTwice += this.#table.rows;
      throw error;
    }
    // Only now are the rows of this sync done: staged into Eloqua, and each reject traced.
    if (this.#options.onAck !== undefined) this.#syncedAhead.push(...this.#table.fileLines());
    this.#table.clear();
    this.#stagedBytes = 0;
    this.#uncertainFiles = 0;
    this.#uncertainBytes = 0;
    this.#uncertainRows = 0;
    this.#options.onAck?.();
  }

  async #readRejects(report: SyncReport): Promise<void> {
    const { client, signal, onReject, sourceName } = this.#options;
    for await (const reject of client.syncRejects(report.uri, signal ? { signal } : {})) {
      const { line, repeat } = this.#table.trace(reject.recordIndex, reject.fieldValues);
      // A row Eloqua held twice is rejected twice: it is one source row, counted and reported once. A reject
      // that matches no row of this sync's files is of a body whose POST got no answer and that waits for the
      // next sync: that sync judges the row again, and traces it.
      if (repeat || line === undefined) continue;
      report.rejected++;
      this.stats.rejectedByEloqua++;
      onReject?.({
        line,
        stage: "sync",
        code: reject.statusCode,
        message: `${sourceName} line ${line}: ${reject.message} (sync ${report.uri}, record ${reject.recordIndex})`,
        values: { ...reject.fieldValues },
      });
    }
  }
}

/** Checks what `importLinkages` does not already check, for users who compose an `Uploader` themselves. */
function checkUploaderOptions(options: UploaderOptions): void {
  const where = "Uploader";
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionError(where, "options", "an object", options);
  if (typeof options.client !== "object" || options.client === null)
    throw new InvalidOptionError(where, "client", "an EloquaBulkClient", options.client);
  if (typeof options.definition !== "function")
    throw new InvalidOptionError(
      where,
      "definition",
      "a function resolving the definition's URI",
      options.definition,
    );
  if (
    !Array.isArray(options.fields) ||
    options.fields.length === 0 ||
    !options.fields.every((f) => typeof f === "string")
  )
    throw new InvalidOptionError(where, "fields", "a non-empty array of field names", options.fields);
  for (const name of ["concurrency", "maxFilesPerSync", "maxBytesPerSync", "syncTimeoutMs"] as const)
    checkImportInteger(where, name, options[name]);
  if (typeof options.sourceName !== "string")
    throw new InvalidOptionError(where, "sourceName", "a string", options.sourceName);
}
