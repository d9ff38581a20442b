import type { AuthService } from "./auth.ts";
import type { DefinitionStore } from "./definitions.ts";
import type { FaultInjector } from "./faults.ts";
import type { KnownRecords } from "./known.ts";
import type { ResolvedOptions } from "./options.ts";
import type { RouteDefinition } from "./routes.ts";
import type { Staging } from "./staging.ts";
import type { EmulatorStats } from "./stats.ts";
import type { SyncStore } from "./syncs.ts";

/** The emulator's state, shared by the route handlers. */
export interface EmulatorContext {
  readonly options: ResolvedOptions;
  readonly auth: AuthService;
  readonly definitions: DefinitionStore;
  readonly staging: Staging;
  readonly syncs: SyncStore;
  readonly stats: EmulatorStats;
  readonly faults: FaultInjector;
  readonly opportunities: KnownRecords;
  readonly contacts: KnownRecords;
  readonly accounts: KnownRecords;
}

/** One request being handled. */
export interface Call {
  readonly request: Request;
  readonly url: URL;
  readonly route: RouteDefinition;
  readonly params: Readonly<Record<string, string>>;
  /** The clock's time when the request arrived. */
  readonly now: number;
  /** The decoded body, for every route but data POSTs (which stream theirs). */
  readonly text: string;
  /** Request body bytes read so far. */
  bodyBytes: number;
  /** The fault injected into this call, for its history record. */
  fault: string | undefined;
}
