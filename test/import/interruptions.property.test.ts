// Stopped runs resumed from their checkpoint: a property over generated sequences of interruptions, for
// each import kind (test/import/_import_kinds.ts): linkages (importLinkages), and opportunities, contacts
// and accounts (planImport on the emulator's GET /…/fields of the kind, then importRows).
//
// One emulator per case; the same input is imported by 1–4 runs that each stop in some way (an abort at
// a data POST or a sync poll or after some milliseconds, the network going down, Eloqua refusing past the
// retry budget, a sync creation failing, a sync ending in error), each run given the last checkpoint the
// runs before it wrote, then by one last run that nothing stops. What Eloqua holds in the end (the
// emulator's records, synced) must be every valid unique row of the input, rows held twice only as far
// as the final report owned up to, and the rejects handed to onReject, once those a later run superseded
// are left out, must name every client-side reject of the input exactly once, each on its line.
import fc from "fast-check";
import { describe, it } from "vitest";
import { EloquaBulkClient, type FetchLike, requestBodySource } from "../../lib/client/mod.ts";
import type { FaultRule } from "../../lib/emulator/mod.ts";
import type { ImportCheckpoint } from "../../lib/import/checkpoint.ts";
import type { ImportReport } from "../../lib/import/report.ts";
import type { Reject } from "../../lib/mod.ts";
import { type EmulatorServer, startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { FETCH_RESENDS_POST_ON_DROP } from "../runtimes/runtime.ts";
import { instantTimers } from "./_import_harness.ts";
import { KIND_BY_NAME, KINDS, type KindFile, type KindName } from "./_import_kinds.ts";

/** How a run is stopped. Ordinals count within the run (the fault rules are set again for each run). */
type Interruption =
  /** The caller's AbortSignal is aborted at the `post`-th data POST: before it is sent, once its answer came, or 1 ms after it was sent. */
  | { kind: "abortAtPost"; post: number; phase: "before" | "after" | "inFlight" }
  /** Aborted as the run polls a sync for the `poll`-th time (a sync is running). */
  | { kind: "abortAtSyncPoll"; poll: number }
  /** Aborted `ms` milliseconds after the run started (timed: a counterexample may not replay exactly). */
  | { kind: "abortAfterMs"; ms: number }
  /** Every request after the answer to the `afterPost`-th data POST throws TypeError("fetch failed"). */
  | { kind: "networkDown"; afterPost: number }
  /** From its `from`-th request on, the route answers `status`, every time: the retry budget runs out. */
  | { kind: "refuse"; route: "data.post" | "sync.get" | "rejects"; status: 500 | 503; from: number }
  /** A burst of `status` answers on data POSTs from the `from`-th, just long enough to spend the budget of one body. */
  | { kind: "budget"; status: 429 | 500 | 502 | 503; from: number }
  /** The `sync`-th sync creation answers 500 (not retried: its outcome would be unknown). */
  | { kind: "syncCreateFails"; sync: number }
  /** The `sync`-th sync ends with status "error" (its files stay staged). */
  | { kind: "syncError"; sync: number };

interface Case {
  /** What is imported: linkages, or records (opportunities, contacts, accounts). */
  kind: KindName;
  seed: number;
  /** Data rows of the file. */
  rows: number;
  maxBatchBytes: number;
  maxFilesPerSync: number;
  concurrency: number;
  pendingMs: number;
  activeMs: number;
  /** Faults the retries usually absorb, in every run (the last one included). */
  faults: FaultRule[];
  /** The interrupted runs, in order; each with its retry attempts. */
  interruptions: { stop: Interruption; attempts: number }[];
}

/** Retry attempts of the last run: enough that the background faults (≤ 30 % of a route's requests) never spend them. */
const FINAL_ATTEMPTS = 10;
/** A run that takes longer is aborted and the case fails. */
const RUN_WATCHDOG_MS = 20_000;
const FINGERPRINT = "interruptions-property";
/** Linkage syncs reject rows of these contacts (the linkage files have some); imports of records ignore it. */
const known = (email: string) => !email.endsWith("@unknown.org");

interface RunOutcome {
  label: string;
  report: ImportReport;
  rejects: Reject[];
  /** The checkpoint the run was given. */
  given: ImportCheckpoint | undefined;
  /** The last checkpoint it wrote, if any. */
  last: ImportCheckpoint | undefined;
  hung: boolean;
  /** Byte sizes of the data bodies it sent, to the rows they held (for commitThenDrop accounting). */
  bodyRows: Map<number, number>;
}

function faultsOf(stop: Interruption, attempts: number, concurrency: number): FaultRule[] {
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  switch (stop.kind) {
    case "refuse":
      return [{ route: stop.route, action: { status: stop.status }, schedule: range(stop.from, 5_000) }];
    case "budget":
      // With c bodies in flight that each give up after `attempts` failures, c × attempts failures in a
      // row leave one of them without attempts.
      return [
        {
          route: "data.post",
          action: { status: stop.status },
          schedule: range(stop.from, attempts * concurrency),
        },
      ];
    case "syncCreateFails":
      return [{ route: "sync.create", action: { status: 500 }, schedule: [stop.sync] }];
    case "syncError":
      return [{ route: "sync.create", action: "syncError", schedule: [stop.sync] }];
    default:
      return [];
  }
}

const encoder = new TextEncoder();

/** The rows and bytes of a data POST's JSON body, read without using up the Request's own. */
async function bodyOf(request: Request): Promise<{ rows: number; bytes: number }> {
  const source = requestBodySource(request);
  const bytes =
    source === undefined
      ? new Uint8Array(await request.clone().arrayBuffer())
      : typeof source === "string"
        ? encoder.encode(source)
        : source;
  try {
    return { rows: (JSON.parse(new TextDecoder().decode(bytes)) as unknown[]).length, bytes: bytes.length };
  } catch {
    return { rows: 0, bytes: bytes.length };
  }
}

/** One run of the case's import over `csv`, stopped as `stop` says (never, when null). */
async function runImport(
  server: EmulatorServer,
  csv: string,
  c: Case,
  label: string,
  stop: Interruption | null,
  attempts: number,
  given: ImportCheckpoint | undefined,
): Promise<RunOutcome> {
  const controller = new AbortController();
  const abort = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new Error(`test: ${why}`));
  };
  let dataPosts = 0;
  let syncPolls = 0;
  let down = false;
  const bodyRows = new Map<number, number>();
  const transport: FetchLike = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const method = request?.method ?? init?.method ?? "GET";
    const path = new URL(request?.url ?? String(input)).pathname;
    if (down) throw new TypeError("fetch failed");
    if (method === "GET" && /\/syncs\/\d+$/i.test(path)) {
      syncPolls++;
      if (stop?.kind === "abortAtSyncPoll" && syncPolls === stop.poll)
        abort(`stop at sync poll ${syncPolls}`);
    }
    if (!(method === "POST" && path.endsWith("/data"))) return fetch(input, init);
    const n = ++dataPosts;
    if (request !== undefined) {
      const { rows, bytes } = await bodyOf(request);
      bodyRows.set(bytes, Math.max(bodyRows.get(bytes) ?? 0, rows));
    }
    const at = stop?.kind === "abortAtPost" && n === stop.post ? stop.phase : undefined;
    if (at === "before") abort(`stop before data POST ${n}`);
    if (at === "inFlight") setTimeout(() => abort(`stop during data POST ${n}`), 1);
    try {
      const response = await fetch(input, init);
      if (at === "after") abort(`stop after the answer to data POST ${n}`);
      return response;
    } finally {
      if (stop?.kind === "networkDown" && n === stop.afterPost) down = true;
    }
  };
  const client = new EloquaBulkClient({
    fetch: transport,
    baseUrl: server.url,
    auth: { type: "basic", site: "EmulatorSite", user: "emulator.user", password: "emulator-password" },
    timers: instantTimers,
    retry: { attempts, maxDelayMs: 5_000 },
  });
  const rejects: Reject[] = [];
  let last: ImportCheckpoint | undefined;
  let hung = false;
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (stop?.kind === "abortAfterMs")
    timers.push(setTimeout(() => abort(`stop after ${stop.ms} ms`), stop.ms));
  timers.push(
    setTimeout(() => {
      hung = true;
      abort("watchdog");
    }, RUN_WATCHDOG_MS),
  );
  try {
    const running = KIND_BY_NAME[c.kind].run(() => new Blob([csv]).stream(), {
      client,
      maxBatchBytes: c.maxBatchBytes,
      maxFilesPerSync: c.maxFilesPerSync,
      concurrency: c.concurrency,
      fingerprint: FINGERPRINT,
      signal: controller.signal,
      onReject: (r) => rejects.push({ ...r, values: { ...r.values } }),
      // Stored as the CLI stores it: as JSON.
      onCheckpoint: (state) => {
        last = JSON.parse(JSON.stringify(state)) as ImportCheckpoint;
      },
      ...(given === undefined ? {} : { checkpoint: JSON.parse(JSON.stringify(given)) as ImportCheckpoint }),
    });
    // Even an import that ignores its abort must not hold the test forever.
    const report = await Promise.race([
      running,
      new Promise<never>((_, reject) =>
        timers.push(
          setTimeout(
            () => reject(new Error(`${label}: did not end after its watchdog abort`)),
            RUN_WATCHDOG_MS + 10_000,
          ),
        ),
      ),
    ]);
    return { label, report, rejects, given, last, hung, bodyRows };
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

/** Runs the case and returns every rule it breaks (empty when it holds). */
async function scenario(c: Case): Promise<string[]> {
  const file = KIND_BY_NAME[c.kind].file(c.rows, c.seed);
  const csv = file.csv;
  const server = await startEmulatorServer({
    syncTiming: { pendingMs: c.pendingMs, activeMs: c.activeMs },
    knownContacts: known,
    seed: c.seed,
    historyLimit: 1_000_000,
  });
  try {
    const runs: RunOutcome[] = [];
    let carried: ImportCheckpoint | undefined;
    for (const [i, { stop, attempts }] of c.interruptions.entries()) {
      server.emulator.setFaults([...faultsOf(stop, attempts, c.concurrency), ...c.faults]);
      const run = await runImport(server, csv, c, `run ${i + 1} (${stop.kind})`, stop, attempts, carried);
      runs.push(run);
      carried = run.last ?? carried;
    }
    server.emulator.setFaults(c.faults);
    const final = await runImport(server, csv, c, "final run", null, FINAL_ATTEMPTS, carried);
    runs.push(final);
    return judge(server, file, c, runs);
  } finally {
    await server.close();
  }
}

function judge(server: EmulatorServer, file: KindFile, c: Case, runs: RunOutcome[]): string[] {
  const broken: string[] = [];
  const final = runs.at(-1)!;
  const report = final.report;
  const r = report.rows;
  const heldKey = KIND_BY_NAME[c.kind].heldKey;
  const shown = (keys: string[]) =>
    keys
      .slice(0, 8)
      .map((k) => `line ${file.lineOf.get(k) ?? "?"} ${k.replace("\u0000", ",")}`)
      .join("; ");

  for (const run of runs) if (run.hung) broken.push(`${run.label} hung: the watchdog stopped it`);

  // The final report.
  if (!report.ok)
    broken.push(`final report not ok: ${JSON.stringify(report.error ?? report.syncs.map((s) => s.status))}`);
  if (r.notSent !== 0) broken.push(`final rows.notSent is ${r.notSent}, not 0`);
  if (r.read !== r.invalid + r.duplicate + r.staged + r.notSent)
    broken.push(`final rows do not add up: ${JSON.stringify(r)}`);
  if (r.read !== file.rows) broken.push(`final rows.read ${r.read}, the input has ${file.rows}`);
  const expected = file.expected;
  if (r.staged !== expected.size)
    broken.push(`final rows.staged ${r.staged}, valid unique rows ${expected.size}`);
  if (r.rejectedByEloqua > r.staged)
    broken.push(`final rows.rejectedByEloqua ${r.rejectedByEloqua} > rows.staged ${r.staged}`);

  // What Eloqua holds.
  // Rows a sync took in (synced, or rejected by it); not those still waiting in staging or deleted from it.
  const records = server.emulator.records();
  const staged = records
    .filter((x) => x.state === "synced" || x.state === "rejected")
    .map((x) => heldKey(x.row));
  const got = new Set(staged);
  const missing = [...expected].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !expected.has(k));
  if (missing.length > 0)
    broken.push(`LOST: ${missing.length} valid unique rows never imported by a sync: ${shown(missing)}`);
  if (extra.length > 0) broken.push(`${extra.length} rows in Eloqua that should not be: ${shown(extra)}`);
  const leftStaged = records.filter((x) => x.state === "staged").length;
  if (leftStaged > 0) broken.push(`${leftStaged} rows left staged, never synced`);
  // Rows held twice: only as many as the reports said might be, plus those of bodies the emulator staged
  // and then dropped the connection of (commitThenDrop): no answer came, nothing in a report can own up to them.
  const twice = staged.length - got.size;
  // The final report's figure covers the whole import (its totals do); the sum of the runs' figures is
  // shown beside it, for a report that would give each run's own.
  const owned = report.resumed?.mayBeStagedTwice ?? 0;
  const summed = runs.reduce((n, run) => n + (run.report.resumed?.mayBeStagedTwice ?? 0), 0);
  const dropped = committedThenDroppedRows(server, runs);
  if (twice > owned + dropped) {
    broken.push(
      `${twice} rows held twice > the final report's mayBeStagedTwice ${owned} + ${dropped} rows of commitThenDrop bodies (the runs' reports sum to ${summed})`,
    );
  }
  const stats = server.emulator.stats;
  if (stats.maxFilesPerSync > c.maxFilesPerSync)
    broken.push(`a sync took ${stats.maxFilesPerSync} files > maxFilesPerSync ${c.maxFilesPerSync}`);
  if (stats.overlappingSyncs !== 0) broken.push(`${stats.overlappingSyncs} overlapping syncs`);

  // Rejects: a run's rejects on lines the next run's checkpoint acknowledged are final; the last run's
  // on lines after the one it resumed from are final; the rest were superseded.
  const kept: Reject[] = [];
  for (let i = 0; i < runs.length - 1; i++) {
    const through = runs[i + 1]!.given?.acknowledgedLine ?? 0;
    kept.push(...runs[i]!.rejects.filter((x) => x.line <= through));
  }
  const from = final.given?.acknowledgedLine ?? 0;
  kept.push(...final.rejects.filter((x) => x.line > from));
  const clientSide = (x: Reject) => x.stage === "parse" || x.stage === "validate" || x.stage === "batch";
  compareLines(
    broken,
    "invalid rows",
    kept.filter(clientSide).map((x) => x.line),
    file.invalidLines,
  );
  compareLines(
    broken,
    "duplicates",
    kept.filter((x) => x.code === "DUPLICATE").map((x) => x.line),
    file.duplicateLines,
  );
  const notSent = kept.filter((x) => x.code === "NOT_SENT");
  if (notSent.length > 0)
    broken.push(
      `${notSent.length} NOT_SENT rejects on lines a later run skipped, from line ${Math.min(...notSent.map((x) => x.line))}`,
    );
  // No reject twice (same line and code), none without its line. Eloqua rejects a row staged twice within
  // one sync twice, and only commitThenDrop can make that happen unseen: the sync's rejects may exceed
  // those rules by the rows of such bodies; the client's own rejects may not at all.
  const repeats = (list: Reject[]) => {
    const seen = new Map<string, number>();
    for (const x of list)
      if (x.line > 0) seen.set(`${x.line} ${x.code}`, (seen.get(`${x.line} ${x.code}`) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1);
  };
  const bySync = kept.filter((x) => x.stage === "sync");
  const byClient = kept.filter((x) => x.stage !== "sync");
  const syncRepeats = repeats(bySync);
  const syncAtZero = bySync.filter((x) => x.line <= 0);
  const syncExtra = syncRepeats.reduce((n, [, count]) => n + count - 1, 0) + syncAtZero.length;
  const listed = (groups: [string, number][]) =>
    groups
      .slice(0, 8)
      .map(([k, n]) => `line ${k} ×${n}`)
      .join(", ") + (groups.length > 8 ? ` … (${groups.length} in all)` : "");
  const clientRepeats = repeats(byClient);
  if (clientRepeats.length > 0)
    broken.push(`client-side rejects reported more than once: ${listed(clientRepeats)}`);
  const clientAtZero = byClient.filter((x) => x.line <= 0);
  if (clientAtZero.length > 0) broken.push(`${clientAtZero.length} client-side rejects with line ≤ 0`);
  if (syncExtra > dropped) {
    if (syncRepeats.length > 0) broken.push(`sync rejects reported more than once: ${listed(syncRepeats)}`);
    if (syncAtZero.length > 0)
      broken.push(
        `${syncAtZero.length} sync rejects with line 0 (${[...new Set(syncAtZero.map((x) => x.code))].join(", ")}), of ${bySync.length} final sync rejects`,
      );
  }
  if (broken.length > 0) broken.push(`runs: ${runs.map(describeRun).join(" | ")}`);
  return broken;
}

function committedThenDroppedRows(server: EmulatorServer, runs: RunOutcome[]): number {
  const sizes = new Map<number, number>();
  for (const run of runs)
    for (const [bytes, rows] of run.bodyRows) sizes.set(bytes, Math.max(sizes.get(bytes) ?? 0, rows));
  let rows = 0;
  for (const call of server.emulator.history())
    if (call.route === "data.post" && call.fault === "commitThenDrop") rows += sizes.get(call.bodyBytes) ?? 0;
  return rows;
}

function compareLines(broken: string[], what: string, got: number[], want: readonly number[]): void {
  const count = new Map<number, number>();
  for (const line of got) count.set(line, (count.get(line) ?? 0) + 1);
  const wanted = new Set(want);
  const missing = want.filter((line) => !count.has(line));
  const twice = [...count].filter(([, n]) => n > 1).map(([line]) => line);
  const wrong = [...count.keys()].filter((line) => !wanted.has(line));
  if (missing.length > 0)
    broken.push(
      `${what}: ${missing.length} of ${want.length} never in the final rejects (lines ${missing.slice(0, 10).join(", ")})`,
    );
  if (twice.length > 0)
    broken.push(
      `${what}: ${twice.length} in the final rejects more than once (lines ${twice.slice(0, 10).join(", ")})`,
    );
  if (wrong.length > 0)
    broken.push(`${what}: ${wrong.length} rejects on other lines (${wrong.slice(0, 10).join(", ")})`);
}

/** Some fields of a checkpoint, whichever of them its version has. */
function pick(checkpoint: ImportCheckpoint | undefined, names: string[]): Record<string, unknown> {
  const fields = (checkpoint ?? {}) as Record<string, unknown>;
  return Object.fromEntries(names.filter((name) => name in fields).map((name) => [name, fields[name]]));
}

function describeRun(run: RunOutcome): string {
  const r = run.report.rows;
  return `${run.label}: given line ${run.given?.acknowledgedLine ?? "-"}, ${run.report.ok ? "ok" : (run.report.error?.code ?? "not ok")}, staged ${r.staged} notSent ${r.notSent} read ${r.read}, mayBeStagedTwice ${run.report.resumed?.mayBeStagedTwice ?? "-"}, last checkpoint line ${run.last?.acknowledgedLine ?? "-"} (${JSON.stringify(pick(run.last, ["stagedBeyond", "mayBeStagedTwice", "unsyncedRows"]))}) pendingSync ${run.last?.pendingSync ?? "-"}`;
}

const STOPS: { [K in Interruption["kind"]]: fc.Arbitrary<Extract<Interruption, { kind: K }>> } = {
  abortAtPost: fc.record({
    kind: fc.constant("abortAtPost"),
    post: fc.integer({ min: 1, max: 40 }),
    phase: fc.constantFrom("before", "after", "inFlight"),
  }),
  abortAtSyncPoll: fc.record({ kind: fc.constant("abortAtSyncPoll"), poll: fc.integer({ min: 1, max: 60 }) }),
  abortAfterMs: fc.record({ kind: fc.constant("abortAfterMs"), ms: fc.integer({ min: 5, max: 400 }) }),
  networkDown: fc.record({ kind: fc.constant("networkDown"), afterPost: fc.integer({ min: 1, max: 40 }) }),
  refuse: fc.record({
    kind: fc.constant("refuse"),
    route: fc.constantFrom("data.post", "sync.get", "rejects"),
    status: fc.constantFrom(500, 503),
    from: fc.integer({ min: 1, max: 40 }),
  }),
  budget: fc.record({
    kind: fc.constant("budget"),
    status: fc.constantFrom(429, 500, 502, 503),
    from: fc.integer({ min: 1, max: 40 }),
  }),
  syncCreateFails: fc.record({ kind: fc.constant("syncCreateFails"), sync: fc.integer({ min: 1, max: 6 }) }),
  syncError: fc.record({ kind: fc.constant("syncError"), sync: fc.integer({ min: 1, max: 6 }) }),
};

/** 1–4 interrupted runs, each stopped by one of `kinds`, each with 1–3 retry attempts. */
function stopsOf(kinds: readonly Interruption["kind"][]): fc.Arbitrary<Case["interruptions"]> {
  const stop = fc.oneof(...kinds.map((kind) => STOPS[kind] as fc.Arbitrary<Interruption>));
  return fc.array(fc.record({ stop, attempts: fc.integer({ min: 1, max: 3 }) }), {
    minLength: 1,
    maxLength: 4,
  });
}

const backgroundFault: fc.Arbitrary<FaultRule> = fc.oneof(
  fc.record({
    route: fc.constant("data.post" as const),
    // Deno's fetch sends a POST again, unseen by the client, when its connection closes unanswered: the
    // client cannot count that file (docs/RUNTIMES.md), so dropped connections are left out there.
    action: fc.constantFrom<FaultRule["action"]>(
      { status: 429 },
      { status: 500 },
      { status: 503 },
      ...(FETCH_RESENDS_POST_ON_DROP ? [] : (["reset", "commitThenDrop"] as const)),
      { delayMs: 2 },
    ),
    rate: fc.integer({ min: 1, max: 10 }).map((n) => n / 100),
  }),
  fc.record({
    route: fc.constant("sync.get" as const),
    action: fc.constantFrom<FaultRule["action"]>({ status: 500 }, { status: 503 }, "reset"),
    rate: fc.integer({ min: 1, max: 10 }).map((n) => n / 100),
  }),
  fc.record({
    route: fc.constant("rejects" as const),
    action: fc.constantFrom<FaultRule["action"]>({ status: 502 }, { status: 429 }),
    rate: fc.integer({ min: 1, max: 10 }).map((n) => n / 100),
  }),
);

/** Rows of a file: 1,500–3,000 linkage rows, or as many rows of records as make about as many bodies. */
function caseOf(kind: KindName, interruptions: fc.Arbitrary<Case["interruptions"]>): fc.Arbitrary<Case> {
  const { rowsLike } = KIND_BY_NAME[kind];
  return fc.record({
    kind: fc.constant(kind),
    seed: fc.integer({ min: 1, max: 10_000 }),
    rows: fc.integer({ min: rowsLike(1_500), max: rowsLike(3_000) }),
    maxBatchBytes: fc.integer({ min: 3_000, max: 6_000 }),
    maxFilesPerSync: fc.integer({ min: 3, max: 7 }),
    concurrency: fc.integer({ min: 1, max: 4 }),
    pendingMs: fc.integer({ min: 0, max: 3 }),
    activeMs: fc.integer({ min: 1, max: 8 }),
    faults: fc.array(backgroundFault, { maxLength: 3 }),
    interruptions,
  });
}

const property = (cases: fc.Arbitrary<Case>) =>
  fc.asyncProperty(cases, async (c) => {
    const broken = await scenario(c);
    if (broken.length > 0) throw new Error(broken.join("\n"));
  });

/**
 * A fixed input of each kind for the examples below: about 32 bodies, 7 syncs of up to 5 files (2,000
 * linkage rows, 840 opportunity rows, as many contact or account rows as make about as many bodies).
 */
const BASE = (kind: KindName): Omit<Case, "interruptions"> => ({
  kind,
  seed: 7,
  rows: kind === "linkages" ? 2_000 : kind === "opportunities" ? 840 : KIND_BY_NAME[kind].rowsLike(2_000),
  maxBatchBytes: 4_000,
  maxFilesPerSync: 5,
  concurrency: 3,
  pendingMs: 1,
  activeMs: 4,
  faults: [],
});
type Example = (kind: KindName) => Case;
const once =
  (stop: Interruption): Example =>
  (kind) => ({ ...BASE(kind), interruptions: [{ stop, attempts: 3 }] });

/** Cases always tried first, one per way of losing track found so far (each failed on the code this test was written against). */
const EXAMPLES = {
  /** A clean abort in the middle of the upload. */
  plainAbort: once({ kind: "abortAtPost", post: 8, phase: "before" }),
  /** An abort while a sync runs. */
  abortInSync: once({ kind: "abortAtSyncPoll", poll: 13 }),
  /** The network gone while the last sync is being created: every row staged, none synced yet. */
  downAtLastSync: once({ kind: "networkDown", afterPost: 31 }),
  /** Sync polls refused while the sixth sync runs. */
  syncPollsRefused: once({ kind: "refuse", route: "sync.get", status: 503, from: 15 }),
  /** The last sync ends in error: its files stay staged. */
  lastSyncError: once({ kind: "syncError", sync: 7 }),
  /** The last sync cannot be created. */
  lastSyncNotCreated: once({ kind: "syncCreateFails", sync: 7 }),
  /**
   * A body's POST is reset and its retry waits for the next sync, the later bodies are synced, and the
   * run stops before the retry is sent: the rerun from the line before that body sends the synced rows
   * again, and the report must own up to them (found by this property under load, 2026-12-03). It hangs
   * on timing (which POST the reset hits): it replays in a fresh process, so it runs first.
   */
  syncedPastOutstanding: (kind: KindName): Case => ({
    kind,
    seed: kind === "opportunities" ? 9976 : 619,
    rows: kind === "opportunities" ? 779 : KIND_BY_NAME[kind].rowsLike(2_170),
    maxBatchBytes: 3_000,
    maxFilesPerSync: 3,
    concurrency: 2,
    pendingMs: 0,
    activeMs: 1,
    faults: [{ route: "data.post", action: "reset", rate: 0.02 }],
    interruptions: [
      { stop: { kind: "abortAtPost", post: 40, phase: "before" }, attempts: 2 },
      { stop: { kind: "abortAtSyncPoll", poll: 1 }, attempts: 1 },
    ],
  }),
};

const FAMILIES: { name: string; kinds: Interruption["kind"][]; examples?: Example[] }[] = [
  {
    name: "aborted through their AbortSignal (at a data POST, at a sync poll, after some ms)",
    kinds: ["abortAtPost", "abortAtSyncPoll", "abortAfterMs"],
    examples: [EXAMPLES.syncedPastOutstanding, EXAMPLES.plainAbort, EXAMPLES.abortInSync],
  },
  {
    name: "cut off by the network (every request throws after the k-th data POST)",
    kinds: ["networkDown"],
    examples: [EXAMPLES.downAtLastSync],
  },
  {
    name: "refused by Eloqua past their retry budget (data POSTs, sync polls, rejects)",
    kinds: ["refuse", "budget"],
    examples: [EXAMPLES.syncPollsRefused],
  },
  {
    name: "stopped by a sync that cannot be created or ends in error",
    kinds: ["syncCreateFails", "syncError"],
    examples: [EXAMPLES.lastSyncError, EXAMPLES.lastSyncNotCreated],
  },
  { name: "stopped in any mix of those ways", kinds: Object.keys(STOPS) as Interruption["kind"][] },
];

/**
 * Generated cases per kind. With two kinds, fewer than the 20 and 14 of one kind alone, so that the file
 * took about as long as it did; contacts and accounts, which share importRows and its plan with
 * opportunities, get fewer again, so that they add about half a minute in all (each kind's examples above
 * run in addition).
 */
// INTERRUPTIONS_RUNS=N runs N generated cases per family instead (a soak: hours allowed), e.g. under load.
const SOAK = Number(
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.INTERRUPTIONS_RUNS ??
    0,
);
const runsOf = (kind: KindName) => {
  const few = kind === "contacts" || kind === "accounts";
  return { clean: few ? 5 : 10, perFamily: SOAK > 0 ? SOAK : few ? 4 : 8 };
};

/** What each kind's runs call. */
const CALLS: Record<KindName, string> = {
  linkages: "importLinkages",
  opportunities: "importRows of opportunities (planned from GET /opportunities/fields)",
  contacts: "importRows of contacts (planned from GET /contacts/fields)",
  accounts: "importRows of accounts (planned from GET /accounts/fields)",
};

describe.each(KINDS.map((kind) => ({ kind: kind.name, call: CALLS[kind.name] })))(
  "$call resumed from its checkpoint after interruptions",
  ({ kind }) => {
    it("should hold its rules with no interruption at all (a check of this harness)", {
      timeout: 120_000,
    }, async () => {
      await fc.assert(property(caseOf(kind, fc.constant([]))), {
        numRuns: runsOf(kind).clean,
        seed: 20_240_601,
      });
    });

    // Judged by what Eloqua holds: every valid unique row, twice only as far as the reports said, and each
    // client-side reject once among the rejects that no later run superseded.
    it.each(FAMILIES)(
      "should import every valid unique row once the last run is done, after earlier runs $name",
      { timeout: SOAK > 0 ? 3_700_000 : 240_000 },
      async ({ kinds, examples }) => {
        await fc.assert(property(caseOf(kind, stopsOf(kinds))), {
          numRuns: runsOf(kind).perFamily,
          ...(examples === undefined ? {} : { examples: examples.map((example): [Case] => [example(kind)]) }),
          // Shrinking re-runs whole cases: bounded, so a failure is reported in reasonable time.
          interruptAfterTimeLimit: SOAK > 0 ? 3_600_000 : 150_000,
          markInterruptAsFailure: false,
        });
      },
    );
  },
);
