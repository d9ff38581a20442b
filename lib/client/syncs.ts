import { InvalidOptionError } from "../errors.ts";
import { checkFunction, checkHttpUrl, checkInteger, checkNumber } from "./_options.ts";
import { SyncWaitTimeoutError } from "./errors.ts";
import type { CallOptions } from "./imports.ts";
import type { PageOptions } from "./paging.ts";
import { checkPageOptions, paginate } from "./paging.ts";
import type { BulkRequester } from "./requester.ts";
import { checkResourceUri, expectObject } from "./requester.ts";
import type { Timers } from "./timers.ts";
import type { Page, Sync, SyncLog, SyncReject } from "./types.ts";

/** The body of `createSync`. */
export interface CreateSyncInput {
  /** The definition to sync, e.g. `"/opportunities/contacts/imports/12"`. */
  readonly syncedInstanceUri: string;
  /**
   * Eloqua calls this URL when the sync completes (Oracle prefers it to polling).
   * @default undefined: no callback
   */
  readonly callbackUrl?: string;
}

/** Options of `waitForSync`. */
export interface WaitForSyncOptions extends CallOptions {
  /**
   * Give up (with `SyncWaitTimeoutError`) after this long. The sync itself goes on.
   * @default 7200000 (2 hours)
   */
  readonly maxWaitMs?: number;
  /**
   * The first wait between polls.
   * @default 250
   */
  readonly pollIntervalMs?: number;
  /**
   * How much the wait grows after each poll.
   * @default 1.5
   */
  readonly pollFactor?: number;
  /**
   * The longest wait between polls.
   * @default 10000
   */
  readonly maxPollIntervalMs?: number;
  /**
   * Told every sync seen while waiting (progress reporting). Must not throw.
   * @default undefined
   */
  readonly onPoll?: (sync: Sync) => void;
}

const FINAL: ReadonlySet<string> = new Set(["success", "warning", "error", "errored"]);

/** True when `status` is final: `success`, `warning` (some records rejected) or `error`. */
export function isFinalSyncStatus(status: string): boolean {
  return FINAL.has(status);
}

const SYNC_EXAMPLE = "/syncs/1234";

export async function createSync(
  requester: BulkRequester,
  input: CreateSyncInput,
  options: CallOptions = {},
): Promise<Sync> {
  if (typeof input !== "object" || input === null) {
    throw new TypeError("Cannot create a sync as input must be an object with syncedInstanceUri");
  }
  const json: Record<string, string> = {
    syncedInstanceUri: checkResourceUri(
      "create a sync",
      "syncedInstanceUri",
      input.syncedInstanceUri,
      "/opportunities/contacts/imports/12",
    ),
  };
  if (input.callbackUrl !== undefined)
    json.callbackUrl = checkHttpUrl("createSync", "callbackUrl", input.callbackUrl);
  // A re-sent sync could run alongside the first one: only a 429 is retried.
  const result = await requester.request({
    method: "POST",
    path: "/syncs",
    json,
    signal: options.signal,
    retry: "create",
  });
  return expectObject(result, "a sync with a uri", "uri") as Sync;
}

export async function getSync(
  requester: BulkRequester,
  uri: string,
  options: CallOptions = {},
): Promise<Sync> {
  const path = checkResourceUri("get a sync", "uri", uri, SYNC_EXAMPLE);
  const result = await requester.request({ method: "GET", path, signal: options.signal });
  return expectObject(result, "a sync with a status", "status") as Sync;
}

/**
 * Polls the sync until its status is final and resolves with it (whatever
 * the status: check `status` for `warning` or `error`). Waits grow from
 * `pollIntervalMs` by `pollFactor` up to `maxPollIntervalMs`.
 */
export async function waitForSync(
  requester: BulkRequester,
  timers: Timers,
  uri: string,
  options: WaitForSyncOptions = {},
): Promise<Sync> {
  const where = "waitForSync";
  checkResourceUri("wait for a sync", "uri", uri, SYNC_EXAMPLE);
  const maxWaitMs = options.maxWaitMs ?? 7_200_000;
  checkNumber(where, "maxWaitMs", maxWaitMs, 0, Number.POSITIVE_INFINITY);
  let interval = checkInteger(where, "pollIntervalMs", options.pollIntervalMs ?? 250, 1, 3_600_000);
  const factor = checkNumber(where, "pollFactor", options.pollFactor ?? 1.5, 1, 10);
  const maxInterval = checkInteger(
    where,
    "maxPollIntervalMs",
    options.maxPollIntervalMs ?? 10_000,
    1,
    3_600_000,
  );
  if (maxInterval < interval) {
    throw new InvalidOptionError(
      where,
      "maxPollIntervalMs",
      `at least pollIntervalMs (${interval})`,
      maxInterval,
    );
  }
  const onPoll = options.onPoll === undefined ? undefined : checkFunction(where, "onPoll", options.onPoll);
  const signal = options.signal;
  const start = timers.now();
  for (;;) {
    const sync = await getSync(requester, uri, { ...(signal === undefined ? {} : { signal }) });
    try {
      onPoll?.(sync);
    } catch {
      // An observer's bug must not change the outcome.
    }
    if (isFinalSyncStatus(sync.status)) return sync;
    const waited = timers.now() - start;
    if (waited >= maxWaitMs) {
      throw new SyncWaitTimeoutError({ syncUri: uri, maxWaitMs, waitedMs: waited, lastStatus: sync.status });
    }
    await timers.sleep(Math.min(interval, maxWaitMs - waited), signal);
    interval = Math.min(maxInterval, Math.ceil(interval * factor));
  }
}

function syncPages<T>(
  requester: BulkRequester,
  uri: string,
  what: "logs" | "rejects",
  options: PageOptions,
): AsyncGenerator<T, void, undefined> {
  const path = checkResourceUri(`list sync ${what}`, "uri", uri, SYNC_EXAMPLE);
  const { limit, offset } = checkPageOptions(what === "logs" ? "syncLogs" : "syncRejects", options);
  return paginate(
    async (l, o, signal) => {
      const result = await requester.request({
        method: "GET",
        path: `${path}/${what}`,
        query: { limit: l, offset: o },
        signal,
      });
      return expectObject(result, `a page of sync ${what}`) as unknown as Page<T>;
    },
    limit,
    offset,
    options.signal,
  );
}

/** The sync's log entries, page after page. */
export function syncLogs(
  requester: BulkRequester,
  uri: string,
  options: PageOptions = {},
): AsyncGenerator<SyncLog, void, undefined> {
  return syncPages<SyncLog>(requester, uri, "logs", options);
}

/** The sync's rejected records, page after page. */
export function syncRejects(
  requester: BulkRequester,
  uri: string,
  options: PageOptions = {},
): AsyncGenerator<SyncReject, void, undefined> {
  return syncPages<SyncReject>(requester, uri, "rejects", options);
}
