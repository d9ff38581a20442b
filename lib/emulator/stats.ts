/** Live counters of what the emulator saw, for tests to assert on. One object, updated in place. */
export interface EmulatorStats {
  /** Requests received, whatever their outcome. */
  requests: number;
  /** Requests by route name (`"unknown"` for paths the emulator does not serve). */
  readonly requestsByRoute: Record<string, number>;
  /** Answers by status code, plus `"dropped"` for connections closed without an answer. */
  readonly responsesByStatus: Record<string, number>;
  /** Requests being handled now, from their start until their answer, data POST body reading included. */
  inFlight: number;
  /** The highest `inFlight` seen. */
  maxInFlight: number;
  /** Data POSTs accepted and staged (answered 204/201, or committed before a `commitThenDrop`). */
  dataPosts: number;
  /** Bytes of data POST bodies received, accepted or not: the total and the largest one. */
  readonly bodyBytes: { total: number; max: number };
  /** Files staged and not yet synced, per definition URI (claimed by a running sync included). */
  readonly filesSinceSync: Record<string, number>;
  /** Files processed by each completed (`success`/`warning`) sync, in completion order. */
  readonly filesPerSync: number[];
  /** The largest entry of `filesPerSync`. */
  maxFilesPerSync: number;
  /** Syncs created, by `POST /syncs` or by a data POST to a definition with `isSyncTriggeredOnImport`. */
  syncsCreated: number;
  /** Syncs created while another sync on the same definition was pending or active. */
  overlappingSyncs: number;
  /** Data POSTs accepted while a sync on the same definition was pending or active. */
  postsDuringSync: number;
  /** Rows accepted by data POSTs, in total. */
  stagedRows: number;
  /** Rows rejected by completed syncs (always 0 in `"count"` mode). */
  rejectedRows: number;
  /** Faults injected by fault rules. */
  faultsInjected: number;
}

export function createStats(): EmulatorStats {
  return {
    requests: 0,
    requestsByRoute: {},
    responsesByStatus: {},
    inFlight: 0,
    maxInFlight: 0,
    dataPosts: 0,
    bodyBytes: { total: 0, max: 0 },
    filesSinceSync: {},
    filesPerSync: [],
    maxFilesPerSync: 0,
    syncsCreated: 0,
    overlappingSyncs: 0,
    postsDuringSync: 0,
    stagedRows: 0,
    rejectedRows: 0,
    faultsInjected: 0,
  };
}

/** Zeroes the counters in place, so references held by tests stay live. `inFlight` is kept: those requests are real. */
export function resetStats(stats: EmulatorStats): void {
  const fresh = createStats();
  fresh.inFlight = stats.inFlight;
  fresh.maxInFlight = stats.inFlight;
  for (const key of ["requestsByRoute", "responsesByStatus", "filesSinceSync"] as const) {
    for (const name of Object.keys(stats[key])) delete stats[key][name];
  }
  stats.filesPerSync.length = 0;
  stats.bodyBytes.total = 0;
  stats.bodyBytes.max = 0;
  const { requestsByRoute, responsesByStatus, filesSinceSync, filesPerSync, bodyBytes, ...counters } = fresh;
  Object.assign(stats, counters);
}

/** Adds one to a counter in a by-name record. */
export function bump(counters: Record<string, number>, name: string, by = 1): void {
  counters[name] = (counters[name] ?? 0) + by;
}
