import { InvalidOptionError } from "../errors.ts";
import type { AuthState } from "./auth.ts";
import type { EmulatorContext } from "./context.ts";
import type { DefinitionsState } from "./definitions.ts";
import type { KnownState } from "./known.ts";
import type { StagingState } from "./staging.ts";
import type { EmulatorStats } from "./stats.ts";
import { resetStats } from "./stats.ts";
import type { SyncState } from "./syncs.ts";

/** Tells an emulator state apart from any other JSON, and this layout from later ones. */
export const STATE_FORMAT = "eloqua-bulk-stream emulator state";
export const STATE_VERSION = 1;

/**
 * What an emulator holds, as plain data (JSON as it is): definitions, staged files and rows, syncs with
 * their logs and rejects, what imports made known, issued tokens and stats. Left out: the options (fault
 * rules, credentials, timing come from the emulator that loads it), fault ordinals and the call history.
 * Times are the clock's, so a sync saved running finishes when its time comes.
 */
export interface EmulatorState {
  readonly format: typeof STATE_FORMAT;
  readonly version: typeof STATE_VERSION;
  readonly definitions: DefinitionsState;
  readonly staging: StagingState;
  readonly syncs: readonly SyncState[];
  readonly known: {
    readonly opportunities: KnownState;
    readonly contacts: KnownState;
    readonly accounts: KnownState;
  };
  readonly auth: AuthState;
  readonly stats: EmulatorStats;
}

/** The state of the emulator behind `ctx`. */
export function saveState(ctx: EmulatorContext): EmulatorState {
  const { state: staging, fileIds, rowIds } = ctx.staging.save();
  const { inFlight, maxInFlight, ...stats } = structuredClone(ctx.stats);
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    definitions: ctx.definitions.save(),
    staging,
    syncs: ctx.syncs.save(fileIds),
    known: {
      opportunities: ctx.opportunities.save(rowIds),
      contacts: ctx.contacts.save(rowIds),
      accounts: ctx.accounts.save(rowIds),
    },
    auth: ctx.auth.save(),
    stats: { ...stats, inFlight: 0, maxInFlight },
  };
}

/** Replaces the state of the emulator behind `ctx`; throws {@linkcode InvalidOptionError} on a foreign one. */
export function loadState(ctx: EmulatorContext, state: EmulatorState, where: string): void {
  const given = state as Partial<EmulatorState> | null;
  if (typeof given !== "object" || given === null || given.format !== STATE_FORMAT) {
    throw new InvalidOptionError(where, "state", "an emulator state (from saveState)", typeof given);
  }
  if (given.version !== STATE_VERSION) {
    throw new InvalidOptionError(where, "state.version", `${STATE_VERSION}`, given.version);
  }
  try {
    ctx.definitions.load(state.definitions);
    const { files, rows } = ctx.staging.load(state.staging);
    ctx.syncs.load(state.syncs, files);
    ctx.opportunities.load(state.known.opportunities, rows);
    ctx.contacts.load(state.known.contacts, rows);
    ctx.accounts.load(state.known.accounts, rows);
    ctx.auth.load(state.auth);
    resetStats(ctx.stats);
    const { requestsByRoute, responsesByStatus, filesSinceSync, filesPerSync, bodyBytes, ...counters } =
      state.stats;
    Object.assign(ctx.stats.requestsByRoute, requestsByRoute);
    Object.assign(ctx.stats.responsesByStatus, responsesByStatus);
    Object.assign(ctx.stats.filesSinceSync, filesSinceSync);
    ctx.stats.filesPerSync.push(...filesPerSync);
    Object.assign(ctx.stats.bodyBytes, bodyBytes);
    Object.assign(ctx.stats, counters, { inFlight: ctx.stats.inFlight });
  } catch (error) {
    throw new InvalidOptionError(
      where,
      "state",
      `a whole emulator state (${error instanceof Error ? error.message : String(error)})`,
      "the state given",
    );
  }
}
