import { batchLines, type JsonBatch } from "../batch/json_batch.ts";
import type { ImportDefinition } from "../client/types.ts";
import { isCsvHeaderError } from "../csv/csv_errors.ts";
import { CsvBatchStream, type CsvBatchStreamOptions } from "../csv_batch_stream.ts";
import type { KeyLineTable } from "../dedupe/key_line_table.ts";
import { findLastOccurrences, type LastOccurrencesOptions } from "../dedupe/last_occurrences.ts";
import { EloquaBulkError, InvalidOptionError, isEloquaBulkError, isInvalidOptionError } from "../errors.ts";
import {
  countReject,
  type Reject,
  type RejectCounts,
  type RejectHandler,
  sumRejectCounts,
} from "../reject.ts";
import { fieldNames } from "../schema.ts";
import { CheckpointMismatchError, checkCheckpoint, type ImportCheckpoint } from "./checkpoint.ts";
import {
  type CsvSource,
  checkImportInteger,
  IMPORT_LIMITS,
  type ImportRowsOptions,
} from "./import_options.ts";
import type { ImportProgress, ImportReport, RowReport } from "./report.ts";
import { Uploader } from "./uploader.ts";

const decoder = new TextDecoder();

/**
 * Load a CSV into Eloqua as one import of any kind — opportunities,
 * contacts, accounts, custom objects, opportunity linkages: source → parse →
 * validate → dedupe → JSON bodies → data POSTs and syncs, with backpressure
 * from Eloqua back to the source. `schema` says the fields (the
 * definition's field keys, in the rows' order), their rules and the dedupe
 * key; `definition` the body of the definition to create.
 *
 * Creates the definition when the first body is ready (so a bad file
 * creates nothing), or uses `importUri`. Every row ends in one place of the
 * report — `read = invalid + duplicate + staged + notSent` — and every row
 * not staged, and every row a sync rejected, goes to `onReject`.
 *
 * Resolves with the report also when the import stopped early (`ok: false`,
 * `error` says why). Throws only for problems found before any upload: bad
 * options (`InvalidOptionError`) and a header that does not fit
 * (`CsvHeaderError`).
 *
 * @example
 * ```ts
 * const fields = await client.listFields(IMPORT_KINDS.opportunities);
 * const plan = planImport(header, fields, { kind: IMPORT_KINDS.opportunities });
 * const report = await importRows(file, { client, ...plan.options });
 * ```
 */
export function importRows(source: CsvSource, options: ImportRowsOptions): Promise<ImportReport> {
  return runImport(source, options, "importRows");
}

/** `importRows`, naming `where` (the function the caller called) in option errors. Internal. */
export async function runImport(
  source: CsvSource,
  options: ImportRowsOptions,
  where: string,
): Promise<ImportReport> {
  const started = Date.now();
  const settings = checkOptions(options, where);
  const input = toStream(source, where);
  const resume =
    options.checkpoint === undefined
      ? undefined
      : checkCheckpoint(options.checkpoint, options.fingerprint ?? null);
  const importUri = resume?.definitionUri ?? options.importUri;
  if (
    resume?.definitionUri &&
    options.importUri !== undefined &&
    options.importUri !== resume.definitionUri
  ) {
    throw new CheckpointMismatchError(
      `The checkpoint is for ${resume.definitionUri}, not --import-uri ${options.importUri}; drop one of them`,
    );
  }
  const skipThroughLine = resume?.acknowledgedLine ?? 0;
  // Rows up to the checkpoint's line were reported by an earlier run; the rest are this run's to report.
  const onReject =
    options.onReject === undefined || skipThroughLine === 0
      ? options.onReject
      : (reject: Reject) => {
          if (reject.line > skipThroughLine) options.onReject!(reject);
        };
  // Lines of this run's sync rejects and refused rows not yet behind a checkpoint's line, to count them there.
  const beyond = { rejected: [] as number[], refused: [] as number[] };
  const upTo = { rejected: 0, refused: 0 };
  // Eloqua's codes for the rows this run's syncs rejected.
  const syncRejectCodes: RejectCounts = {};
  const onUploadReject = (reject: Reject): void => {
    if (reject.code !== "ELOQUA_BODY_REFUSED") countReject(syncRejectCodes, reject.code);
    if (options.onCheckpoint !== undefined) {
      (reject.code === "ELOQUA_BODY_REFUSED" ? beyond.refused : beyond.rejected).push(reject.line);
    }
    onReject?.(reject);
  };
  // Aborts requests in flight when the import stops, whatever stopped it.
  const controller = new AbortController();
  const signal = controller.signal;

  const report: ImportReport = {
    definitionUri: null,
    ok: false,
    rows: { read: 0, invalid: 0, duplicate: 0, staged: 0, notSent: 0, rejectedByEloqua: 0 },
    rejectsByCode: {},
    requests: { dataPosts: 0, bytes: 0, retries: 0, splits: 0 },
    syncs: [],
    durationMs: 0,
  };
  let bytesRead = 0;
  let lastProgress = 0;
  const progress = (force: boolean): void => {
    if (options.onProgress === undefined) return;
    const now = Date.now();
    if (!force && now - lastProgress < settings.progressIntervalMs) return;
    lastProgress = now;
    fill();
    const snapshot: ImportProgress = {
      bytesRead,
      rows: { ...report.rows },
      dataPosts: report.requests.dataPosts,
      inFlight: uploader?.stats.inFlight ?? 0,
      retries: report.requests.retries,
      syncs: report.syncs.length,
      elapsedMs: now - started,
    };
    const waiting = uploader?.waitingSync;
    if (waiting !== undefined) snapshot.sync = waiting;
    options.onProgress(snapshot);
  };

  let reused: ImportDefinition | undefined;
  try {
    if (!settings.dryRun && importUri !== undefined)
      reused = await reuseDefinition(options, settings, importUri);
  } catch (error) {
    if (isInvalidOptionError(error)) throw error;
    report.error = describeError(error);
    report.durationMs = Date.now() - started;
    return report;
  }
  const definitionInput = settings.definition;
  const caseSensitive =
    options.keyCaseSensitivity === undefined || (reused ?? definitionInput) === undefined
      ? {}
      : options.keyCaseSensitivity((reused ?? definitionInput)!);
  // Keeping each key's last row: a first read finds the line of that row.
  let lastOccurrences: KeyLineTable | undefined;
  if (settings.keep === "last") {
    try {
      lastOccurrences = await findLastOccurrences(toStream(options.reread!(), where), {
        ...readingOptions(options),
        ...(typeof options.rowWorker === "function" ? { rowWorker: options.rowWorker() } : {}),
        schema: settings.schema,
        caseSensitive,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (isCsvHeaderError(error) || isInvalidOptionError(error)) throw error;
      report.error = describeError(options.signal?.aborted ? new AbortedError(options.signal.reason) : error);
      report.durationMs = Date.now() - started;
      return report;
    }
  }

  // Bodies cut by the batcher and not yet handed to the uploader: not acknowledged.
  const cut = new Set<JsonBatch>();
  // The smallest first line of the bodies reported as not sent: no checkpoint passes it.
  let unsentFloor = Number.POSITIVE_INFINITY;
  const rowWorker = typeof options.rowWorker === "function" ? options.rowWorker() : options.rowWorker;
  const batches = new CsvBatchStream({
    ...pick(options),
    ...(rowWorker === undefined ? {} : { rowWorker }),
    maxBytes: settings.maxBatchBytes,
    schema: settings.schema,
    caseSensitive,
    skipThroughLine,
    ...(lastOccurrences === undefined ? {} : { lastOccurrences }),
    // The uploader gives acknowledged bodies back (onBodyDone below).
    recycleBodies: true,
    onBody: (batch) => cut.add(batch),
    ...(onReject === undefined ? {} : { onReject }),
  });
  const uploader = settings.dryRun
    ? undefined
    : new Uploader({
        client: options.client!,
        definition: async () =>
          reused?.uri ??
          (await options.client!.createImport(settings.kind, definitionInput!, { signal })).uri,
        fields: settings.fields,
        concurrency: settings.concurrency,
        maxFilesPerSync: settings.maxFilesPerSync,
        maxBytesPerSync: settings.maxBytesPerSync,
        syncTimeoutMs: settings.syncTimeoutMs,
        signal,
        onReject: onUploadReject,
        sourceName: options.sourceName ?? "input",
        earlierStaging: resume === undefined ? undefined : { ...resume.sinceSync, rows: resume.unsyncedRows },
        ...(options.onCheckpoint === undefined ? {} : { onAck: () => checkpoint(false) }),
        // Acknowledged bodies' buffers go back to the batcher for the next bodies.
        onBodyDone: (batch) => batches.release(batch.body),
      });
  const earlier = {
    syncs: resume?.syncs.map((sync) => ({ ...sync })) ?? [],
    requests: resume?.requests ?? { dataPosts: 0, bytes: 0, retries: 0, splits: 0 },
    rejectedByEloqua: resume?.rejectedByEloqua ?? 0,
    refused: resume?.refused ?? 0,
    // A sync the earlier run left running (or was creating) takes rows this run sends again.
    mayBeStagedTwice:
      resume === undefined
        ? 0
        : resume.mayBeStagedTwice + (resume.pendingSync === null ? 0 : resume.unsyncedRows),
  };
  const mayBeStagedTwice = (): number => earlier.mayBeStagedTwice + (uploader?.mayBeStagedTwice ?? 0);

  // Checkpoints: the longest prefix of lines whose rows are all done (synced, invalid or duplicates).
  let lastCheckpoint = 0;
  let lastSyncState = "";
  const acknowledgedLine = (): number => {
    let min = uploader?.minOutstandingLine() ?? Number.POSITIVE_INFINITY;
    for (const batch of cut) if (batch.rows > 0 && batch.lines[0]! < min) min = batch.lines[0]!;
    const batcher = batches.batcher;
    min = Math.min(min, unsentFloor, batcher.openFirstLine ?? Number.POSITIVE_INFINITY, batcher.lastLine + 1);
    return Math.max(skipThroughLine, min - 1);
  };
  /** Moves the counted lines up to `line` out of `lines`, and returns how many they were. */
  const countThrough = (lines: number[], line: number): number => {
    const kept = lines.filter((l) => l > line);
    const counted = lines.length - kept.length;
    lines.splice(0, lines.length, ...kept);
    return counted;
  };
  const checkpoint = (complete: boolean): void => {
    if (options.onCheckpoint === undefined || uploader === undefined) return;
    const now = Date.now();
    const syncState = `${uploader.pendingSyncUri ?? "-"} ${uploader.stats.syncs.length}`;
    if (!complete && syncState === lastSyncState && now - lastCheckpoint < settings.checkpointIntervalMs)
      return;
    lastCheckpoint = now;
    lastSyncState = syncState;
    fill();
    const line = acknowledgedLine();
    upTo.rejected += countThrough(beyond.rejected, line);
    upTo.refused += countThrough(beyond.refused, line);
    const state: ImportCheckpoint = {
      version: 2,
      fingerprint: options.fingerprint ?? null,
      definitionUri: report.definitionUri,
      acknowledgedLine: line,
      sinceSync: uploader.sinceSync,
      unsyncedRows: uploader.unsyncedRows,
      syncs: report.syncs,
      pendingSync: uploader.pendingSyncUri ?? null,
      requests: report.requests,
      rejectedByEloqua: earlier.rejectedByEloqua + upTo.rejected,
      refused: earlier.refused + upTo.refused,
      // Rows synced past the line are sent again by a rerun from it: Eloqua may then hold them twice.
      mayBeStagedTwice: mayBeStagedTwice() + uploader.syncedBeyond(line),
      complete,
    };
    options.onCheckpoint(state);
  };
  // The first failure stops the reading; what was read by then still flows
  // through the stages, and the bodies it makes are reported as not sent.
  let failure: unknown;
  let reading: TransformStreamDefaultController<Uint8Array | string> | undefined;
  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = error;
    controller.abort(error);
    batches.truncate();
    try {
      reading?.terminate();
    } catch {
      // Already closed: the input had ended.
    }
  };
  const onAbort = (): void => fail(new AbortedError(options.signal?.reason));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const counter = new TransformStream<Uint8Array | string, Uint8Array | string>({
    start(controller) {
      reading = controller;
    },
    transform(chunk, controller) {
      bytesRead += typeof chunk === "string" ? chunk.length : chunk.byteLength;
      controller.enqueue(chunk);
      progress(false);
    },
  });
  const unsent = (batch: JsonBatch): void => {
    if (batch.rows > 0) unsentFloor = Math.min(unsentFloor, batch.lines[0]!);
    reportUnsent(batch, describeError(failure).message, options.sourceName ?? "input", onReject);
  };
  const target = new WritableStream<JsonBatch>({
    async write(batch) {
      cut.delete(batch);
      if (uploader === undefined) {
        // A dry run: its rows are counted as not sent, and the body's buffer is written again.
        batches.release(batch.body);
        return;
      }
      if (failure !== undefined) return unsent(batch);
      try {
        await uploader.write(batch);
      } catch (error) {
        fail(error);
      }
    },
    async close() {
      if (uploader === undefined || failure !== undefined) return;
      try {
        await uploader.close();
      } catch (error) {
        fail(error);
      }
    },
    abort(reason) {
      fail(reason);
    },
  });

  function fill(): void {
    const counts = batches.counts;
    const rows: RowReport = report.rows;
    rows.read = counts.read;
    rows.invalid = counts.invalid + earlier.refused + (uploader?.stats.refused ?? 0);
    rows.duplicate = counts.duplicate;
    // Rows an earlier run synced (resuming) were read again and skipped: they count as staged, but for those Eloqua refused.
    rows.staged = (uploader?.stats.staged ?? 0) + counts.skipped - earlier.refused;
    rows.rejectedByEloqua = earlier.rejectedByEloqua + (uploader?.stats.rejectedByEloqua ?? 0);
    rows.notSent = rows.read - rows.invalid - rows.duplicate - rows.staged;
    report.rejectsByCode = sumRejectCounts(counts.invalidByCode, syncRejectCodes, {
      ELOQUA_BODY_REFUSED: earlier.refused + (uploader?.stats.refused ?? 0),
      // A dry run sends nothing on purpose: its batched rows are not rejects.
      NOT_SENT: settings.dryRun ? 0 : rows.notSent,
    });
    if (uploader !== undefined) {
      report.definitionUri = uploader.definitionUri ?? reused?.uri ?? null;
      const { dataPosts, bytes, retries, splits } = uploader.stats;
      const before = earlier.requests;
      report.requests = {
        dataPosts: before.dataPosts + dataPosts,
        bytes: before.bytes + bytes,
        retries: before.retries + retries,
        splits: before.splits + splits,
      };
      report.syncs = [...earlier.syncs, ...uploader.stats.syncs].map((sync) => ({ ...sync }));
    }
  }

  // Progress also while nothing is read (a sync can take minutes).
  const ticker =
    options.onProgress === undefined || settings.progressIntervalMs === 0
      ? undefined
      : setInterval(() => progress(false), settings.progressIntervalMs);
  try {
    // A sync the earlier run left running comes first: no POST while it runs.
    const definitionUri = reused?.uri;
    if (
      resume !== undefined &&
      uploader !== undefined &&
      definitionUri !== undefined &&
      (resume.pendingSync !== null || resume.sinceSync.files > 0)
    ) {
      const pending = resume.pendingSync
        ? earlier.syncs.find((sync) => sync.uri === resume.pendingSync)
        : undefined;
      await uploader.clearEarlierRun(pending, definitionUri);
    }
    await input.pipeThrough(counter).pipeThrough(batches).pipeTo(target);
  } catch (error) {
    // The source or a stage failed: what was in the stages is lost, but counted (read − the rest).
    fail(error);
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    options.signal?.removeEventListener("abort", onAbort);
  }
  if (isCsvHeaderError(failure)) throw failure;
  if (failure !== undefined) {
    report.error = describeError(failure);
    await uploader?.abort(failure);
    for (const batch of uploader?.takeUnsent() ?? []) unsent(batch);
  }
  fill();
  if (resume !== undefined)
    report.resumed = { fromLine: skipThroughLine, mayBeStagedTwice: mayBeStagedTwice() };
  report.ok =
    report.error === undefined &&
    (settings.dryRun || report.rows.notSent === 0) &&
    // An earlier run's failed sync does not count: its rows were sent again.
    (uploader?.stats.syncs ?? []).every((s) => s.status === "success" || s.status === "warning");
  report.durationMs = Date.now() - started;
  checkpoint(report.ok);
  progress(true);
  return report;
}

interface Settings {
  where: string;
  kind: ImportRowsOptions["kind"];
  schema: ImportRowsOptions["schema"];
  fields: string[];
  definition: ImportRowsOptions["definition"];
  dryRun: boolean;
  maxBatchBytes: number;
  concurrency: number;
  maxFilesPerSync: number;
  maxBytesPerSync: number;
  syncTimeoutMs: number;
  progressIntervalMs: number;
  checkpointIntervalMs: number;
  keep: "first" | "last";
}

function checkOptions(options: ImportRowsOptions, where: string): Settings {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(where, "options", "an object", options);
  }
  const dryRun = options.dryRun ?? false;
  if (typeof dryRun !== "boolean") throw new InvalidOptionError(where, "dryRun", "a boolean", dryRun);
  if (!dryRun && (typeof options.client !== "object" || options.client === null)) {
    throw new InvalidOptionError(where, "client", "an EloquaBulkClient (or set dryRun)", options.client);
  }
  const { kind, schema, definition } = options;
  if (typeof kind !== "object" || kind === null || typeof kind.path !== "string") {
    throw new InvalidOptionError(where, "kind", "an ImportKind like IMPORT_KINDS.opportunities", kind);
  }
  if (
    typeof schema !== "object" ||
    schema === null ||
    !Array.isArray(schema.fields) ||
    schema.fields.length === 0
  ) {
    throw new InvalidOptionError(where, "schema", "an ImportSchema with at least one field", schema);
  }
  const fields = fieldNames(schema);
  if (definition !== undefined) {
    const keys = Object.keys(definition.fields ?? {});
    if (keys.length !== fields.length || !fields.every((name) => keys.includes(name))) {
      throw new InvalidOptionError(
        where,
        "definition.fields",
        `the keys of the schema's fields (${fields.join(", ")})`,
        keys.join(", "),
      );
    }
  } else if (!dryRun && options.importUri === undefined && !options.checkpoint?.definitionUri) {
    throw new InvalidOptionError(
      where,
      "definition",
      "a definition body (or importUri, or dryRun)",
      definition,
    );
  }
  const { importUri } = options;
  if (importUri !== undefined) {
    const pattern = new RegExp(`^${kind.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\d{1,15}$`, "i");
    if (typeof importUri !== "string" || !pattern.test(importUri)) {
      throw new InvalidOptionError(
        where,
        "importUri",
        `a definition URI under ${kind.path}, like "${kind.path}/12"`,
        importUri,
      );
    }
  }
  const keep = options.keep ?? "first";
  if (keep !== "first" && keep !== "last") {
    throw new InvalidOptionError(where, "keep", '"first" or "last"', keep);
  }
  if (keep === "last" && typeof options.reread !== "function") {
    throw new InvalidOptionError(
      where,
      "reread",
      'a function that opens the input again (keep: "last" reads it twice)',
      options.reread,
    );
  }
  const int = (name: keyof typeof IMPORT_LIMITS): number =>
    checkImportInteger(where, name, options[name] ?? IMPORT_LIMITS[name].default);
  return {
    where,
    kind,
    schema,
    fields,
    definition,
    dryRun,
    maxBatchBytes: int("maxBatchBytes"),
    concurrency: int("concurrency"),
    maxFilesPerSync: int("maxFilesPerSync"),
    maxBytesPerSync: int("maxBytesPerSync"),
    syncTimeoutMs: int("syncTimeoutMs"),
    progressIntervalMs: int("progressIntervalMs"),
    checkpointIntervalMs: int("checkpointIntervalMs"),
    keep,
  };
}

/** Look up the definition to reuse, and check this tool can stage into it. */
async function reuseDefinition(
  options: ImportRowsOptions,
  settings: Settings,
  uri: string,
): Promise<ImportDefinition> {
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const definition = await options.client!.getImport(uri, call);
  const fields = Object.keys(definition.fields ?? {});
  const missing = settings.fields.filter((name) => !fields.includes(name));
  if (missing.length > 0 || !uri.toLowerCase().startsWith(`${settings.kind.path.toLowerCase()}/`)) {
    throw new InvalidOptionError(
      settings.where,
      "importUri",
      `a ${settings.kind.name} definition under ${settings.kind.path} with the fields ${settings.fields.join(", ")} (it has ${fields.join(", ") || "none"})`,
      options.importUri,
    );
  }
  if (definition.isSyncTriggeredOnImport === true) {
    throw new InvalidOptionError(
      settings.where,
      "importUri",
      "a definition with isSyncTriggeredOnImport false (each POST would start a sync of its own)",
      options.importUri,
    );
  }
  return definition;
}

function reportUnsent(
  batch: JsonBatch,
  why: string,
  sourceName: string,
  onReject: RejectHandler | undefined,
): void {
  if (onReject === undefined) return;
  const { body, offsets } = batch;
  const lines = batchLines(batch);
  for (let i = 0; i < batch.rows; i++) {
    const line = lines[i]!;
    const values = JSON.parse(decoder.decode(body.subarray(offsets[i]!, offsets[i + 1]! - 1))) as Record<
      string,
      string
    >;
    const reject: Reject = {
      line,
      stage: "upload",
      code: "NOT_SENT",
      message: `${sourceName} line ${line}: not staged: ${why}`,
      values,
    };
    onReject(reject);
  }
}

function describeError(error: unknown): { code: string; message: string } {
  if (isEloquaBulkError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "ERROR", message: error.message };
  return { code: "ERROR", message: String(error) };
}

/** The caller's signal stopped the import. */
class AbortedError extends EloquaBulkError {
  override readonly name = "AbortedError";
  constructor(reason: unknown) {
    const why = reason instanceof Error ? reason.message : reason === undefined ? "" : String(reason);
    const shown = why && why !== "This operation was aborted" ? `: ${why}` : "";
    super("ABORTED", `The import was stopped${shown}`, { cause: reason });
  }
}

/** The options that go to the CSV stages, without the undefined ones (exactOptionalPropertyTypes). */
function pick(options: ImportRowsOptions): CsvBatchStreamOptions {
  const out: Record<string, unknown> = {};
  const keys = [
    "columns",
    "caseSensitiveHeaders",
    "sourceName",
    "delimiter",
    "maxRecordLength",
    "expectedKeys",
    "maxRows",
    "rejectDuplicates",
  ];
  for (const key of keys) {
    const value = (options as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as CsvBatchStreamOptions;
}

/** The options that say how the input is read and validated, for the first read of `keep: "last"`. */
function readingOptions(options: ImportRowsOptions): LastOccurrencesOptions {
  const { rejectDuplicates: _duplicates, ...reading } = pick(options);
  return reading;
}

function toStream(source: CsvSource, where: string): ReadableStream<Uint8Array | string> {
  if (source instanceof ReadableStream) return source;
  if (source === null || typeof source !== "object" || !(Symbol.asyncIterator in source)) {
    throw new InvalidOptionError(
      where,
      "source",
      "a ReadableStream or an async iterable of bytes or strings",
      source,
    );
  }
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}
