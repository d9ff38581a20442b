import { formatTimestamp } from "./clock.ts";
import type { Call, EmulatorContext } from "./context.ts";
import type { Definition } from "./definitions.ts";
import { processFiles } from "./import_processing.ts";
import type { Sync, SyncLogItem } from "./syncs.ts";

/**
 * Log codes. ELQ-00040, ELQ-00101, ELQ-00111 and ELQ-00146 are Oracle's; Oracle publishes no code for
 * "links created", so LINKED is the emulator's own choice: match on it only against the emulator.
 */
export const LOG_CODES = {
  processed: { statusCode: "ELQ-00040", message: "Total records processed." },
  ignoredColumns: { statusCode: "ELQ-00111", message: "Columns not in the import definition were ignored." },
  linked: { statusCode: "ELQ-00104", message: "Opportunity links created." },
  temporaryError: {
    statusCode: "ELQ-00146",
    message: "The sync failed because of a temporary error. Retry the sync later.",
  },
  finished: {
    statusCode: "ELQ-00101",
    message: "Sync processed for sync {id}, resulting in {status} status.",
  },
} as const;

/**
 * Creates a sync of a definition: it takes the files staged now, and counts as overlapping when another
 * sync on the definition is still pending or active. A `"syncError"` fault makes it end in `error`.
 */
export function startSync(
  ctx: EmulatorContext,
  definition: Definition,
  call: Call,
  callbackUrl?: string,
): Sync {
  const { stats } = ctx;
  if (ctx.syncs.busy(definition.uri)) stats.overlappingSyncs++;
  stats.syncsCreated++;
  const forceError = ctx.faults.onSyncCreated(call.route.name, call.request.method);
  if (forceError) {
    stats.faultsInjected++;
    call.fault = "syncError";
  }
  const sync = ctx.syncs.create({
    definitionUri: definition.uri,
    createdBy: ctx.auth.credentials.user,
    now: call.now,
    pendingMs: ctx.options.pendingMs,
    activeMs: ctx.options.activeMs,
    forceError,
    callbackUrl,
  });
  sync.files = ctx.staging.claim(definition.uri, sync.uri);
  return sync;
}

/**
 * Does the work of every sync whose time is up, exactly once each, in the order they finish. Called
 * before each request is handled, so state is evaluated lazily from the clock without timers.
 */
export function completeDueSyncs(ctx: EmulatorContext): void {
  for (const sync of ctx.syncs.due(ctx.options.now())) completeSync(ctx, sync);
}

function completeSync(ctx: EmulatorContext, sync: Sync): void {
  const definition = ctx.definitions.get(sync.definitionUri);
  const at = formatTimestamp(sync.endsAt);
  const log = (
    count: number,
    severity: SyncLogItem["severity"],
    code: { statusCode: string; message: string },
  ) => ({
    syncUri: sync.uri,
    count,
    severity,
    statusCode: code.statusCode,
    message: code.message.replace("{id}", String(sync.id)),
    createdAt: at,
  });
  const finished = (status: string, severity: SyncLogItem["severity"]) =>
    log(0, severity, {
      ...LOG_CODES.finished,
      message: LOG_CODES.finished.message.replace("{status}", status),
    });

  if (sync.forceError || definition === undefined) {
    // A failed sync moves nothing: its files wait in staging for the next sync.
    ctx.staging.release(sync.definitionUri, sync.files);
    sync.outcome = "error";
    sync.logs = [log(0, "error", LOG_CODES.temporaryError), finished("Error", "error")];
    return;
  }
  const result = processFiles(definition, sync.files, sync.uri, ctx);
  ctx.staging.complete(definition.uri, sync.files);
  const { stats } = ctx;
  stats.filesPerSync.push(sync.files.length);
  stats.maxFilesPerSync = Math.max(stats.maxFilesPerSync, sync.files.length);
  stats.rejectedRows += result.rejects.length;

  const logs: SyncLogItem[] = [log(result.rows, "information", LOG_CODES.processed)];
  if (result.filesWithIgnoredColumns > 0) {
    logs.push(log(result.filesWithIgnoredColumns, "information", LOG_CODES.ignoredColumns));
  }
  const byCode = new Map<string, { statusCode: string; message: string; count: number }>();
  for (const reject of result.rejects) {
    const entry = byCode.get(reject.statusCode) ?? {
      statusCode: reject.statusCode,
      message: reject.message,
      count: 0,
    };
    entry.count++;
    byCode.set(reject.statusCode, entry);
  }
  for (const entry of byCode.values()) logs.push(log(entry.count, "warning", entry));
  if (definition.kind === "linkage")
    logs.push(log(result.rows - result.rejects.length, "information", LOG_CODES.linked));
  sync.outcome = result.rejects.length > 0 ? "warning" : "success";
  logs.push(sync.outcome === "warning" ? finished("Warning", "warning") : finished("Success", "information"));
  sync.logs = logs;
  sync.rejects = result.rejects;
}
