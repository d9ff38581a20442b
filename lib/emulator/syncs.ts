import { formatTimestamp } from "./clock.ts";
import type { StagedFile } from "./staging.ts";

/** A sync's status, as in Oracle's `SyncStatusType`. */
export type SyncStatus = "pending" | "active" | "success" | "warning" | "error";

/** Every {@linkcode SyncStatus}, in lifecycle order. */
export const SYNC_STATUSES: readonly SyncStatus[] = ["pending", "active", "success", "warning", "error"];

/** One item of `GET /syncs/{id}/logs`. */
export interface SyncLogItem {
  readonly syncUri: string;
  readonly count: number;
  readonly severity: "information" | "warning" | "error";
  readonly statusCode: string;
  readonly message: string;
  readonly createdAt: string;
}

/** One item of `GET /syncs/{id}/rejects`. */
export interface SyncRejectItem {
  readonly fieldValues: Readonly<Record<string, string>>;
  readonly message: string;
  readonly statusCode: string;
  readonly recordIndex: number;
  readonly invalidFields: readonly string[];
}

/** A sync as the emulator keeps it. */
export interface Sync {
  readonly id: number;
  readonly uri: string;
  readonly definitionUri: string;
  readonly callbackUrl: string | undefined;
  readonly createdAt: number;
  readonly createdBy: string;
  /** When it turns active, and when it finishes. */
  readonly startsAt: number;
  readonly endsAt: number;
  /** Set by a `"syncError"` fault: the sync ends in `error`. */
  readonly forceError: boolean;
  /** The staged files it took when created. */
  files: readonly StagedFile[];
  /** Null until the sync's work was done (exactly once, when first observed past `endsAt`). */
  outcome: "success" | "warning" | "error" | null;
  logs: readonly SyncLogItem[];
  rejects: readonly SyncRejectItem[];
}

export interface NewSync {
  readonly definitionUri: string;
  readonly createdBy: string;
  readonly now: number;
  readonly pendingMs: number;
  readonly activeMs: number;
  readonly forceError: boolean;
  readonly callbackUrl: string | undefined;
}

/** Every sync, in creation order. */
export class SyncStore {
  #syncs: Sync[] = [];
  /** Syncs whose work is not done: checked on every request, so kept apart from the finished ones. */
  #open: Sync[] = [];

  /** Syncs get ids from one counter; the URI is `/syncs/{id}`. */
  create(spec: NewSync): Sync {
    const id = this.#syncs.length + 1;
    const sync: Sync = {
      id,
      uri: `/syncs/${id}`,
      definitionUri: spec.definitionUri,
      callbackUrl: spec.callbackUrl,
      createdAt: spec.now,
      createdBy: spec.createdBy,
      startsAt: spec.now + spec.pendingMs,
      endsAt: spec.now + spec.pendingMs + spec.activeMs,
      forceError: spec.forceError,
      files: [],
      outcome: null,
      logs: [],
      rejects: [],
    };
    this.#syncs.push(sync);
    this.#open.push(sync);
    return sync;
  }

  get(id: string): Sync | undefined {
    return /^\d{1,15}$/.test(id) ? this.#syncs[Number(id) - 1] : undefined;
  }

  all(): readonly Sync[] {
    return this.#syncs;
  }

  /** Whether a sync on the definition is pending or active (its work not done yet). */
  busy(definitionUri: string): boolean {
    return this.#open.some((sync) => sync.outcome === null && sync.definitionUri === definitionUri);
  }

  /** Syncs whose time is up but whose work is not done, in the order they finish. */
  due(now: number): Sync[] {
    this.#open = this.#open.filter((sync) => sync.outcome === null);
    return this.#open.filter((sync) => sync.endsAt <= now).sort((a, b) => a.endsAt - b.endsAt || a.id - b.id);
  }

  clear(): void {
    this.#syncs = [];
    this.#open = [];
  }

  /**
   * A plain copy, for `saveState`: a sync still running refers to its files by `fileIds`' numbering;
   * a finished one keeps none, its work being done.
   */
  save(fileIds: ReadonlyMap<StagedFile, number>): SyncState[] {
    return this.#syncs.map(({ files, ...sync }) => ({
      ...structuredClone(sync),
      files:
        sync.outcome === null ? files.flatMap((file) => (fileIds.has(file) ? [fileIds.get(file)!] : [])) : [],
    }));
  }

  /** Replaces every sync with saved ones; `files` are the staged files by their saved numbers. */
  load(saved: readonly SyncState[], files: readonly StagedFile[]): void {
    this.#syncs = saved.map((sync) => ({
      ...structuredClone(sync),
      callbackUrl: sync.callbackUrl ?? undefined,
      files: sync.files.flatMap((id) => (files[id] === undefined ? [] : [files[id]])),
    }));
    this.#open = this.#syncs.filter((sync) => sync.outcome === null);
  }
}

/** A sync as `saveState` keeps it: its files by number (see `Staging.save`). */
export type SyncState = Omit<Sync, "files" | "callbackUrl"> & {
  readonly files: readonly number[];
  /** Undefined becomes null in JSON. */
  readonly callbackUrl?: string | null | undefined;
};

/** The status of a sync at time `now`. */
export function syncStatus(sync: Sync, now: number): SyncStatus {
  if (sync.outcome !== null) return sync.outcome;
  return now < sync.startsAt ? "pending" : "active";
}

/** The sync as Eloqua shows it; `syncStartedAt` and `syncEndedAt` appear once known. */
export function syncJson(sync: Sync, now: number): Record<string, unknown> {
  const status = syncStatus(sync, now);
  const json: Record<string, unknown> = { syncedInstanceUri: sync.definitionUri };
  if (status !== "pending") json.syncStartedAt = formatTimestamp(sync.startsAt);
  if (sync.outcome !== null) json.syncEndedAt = formatTimestamp(sync.endsAt);
  json.status = status;
  json.createdAt = formatTimestamp(sync.createdAt);
  json.createdBy = sync.createdBy;
  json.uri = sync.uri;
  if (sync.callbackUrl !== undefined) json.callbackUrl = sync.callbackUrl;
  return json;
}
