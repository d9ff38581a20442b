import { ELOQUA_MAX_BODY_BYTES } from "../eloqua_limits.ts";
import { InvalidOptionError } from "../errors.ts";
import type { Clock } from "./clock.ts";
import type { FaultRule } from "./faults.ts";
import { validateFaultRules } from "./faults.ts";
import { DEFAULT_IMPORT_PATHS } from "./routes.ts";
import type { EmulatorState } from "./state.ts";

/** What the emulator accepts as credentials; print them to let people point a client at it. */
export interface EmulatorCredentials {
  /** Eloqua site (company) name, the part before `\` in Basic auth. */
  readonly site: string;
  /** User name, the part after `\` in Basic auth. */
  readonly user: string;
  /** Password for Basic auth. */
  readonly password: string;
  /** A static Bearer token accepted until `expireAccessTokens()` is called. */
  readonly token: string;
  /** OAuth client id, sent as the Basic user name to the token endpoint. */
  readonly clientId: string;
  /** OAuth client secret, sent as the Basic password to the token endpoint. */
  readonly clientSecret: string;
  /** The initial refresh token; like Eloqua's, it works once and rotates. */
  readonly refreshToken: string;
  /** A single-use authorization code for `grant_type=authorization_code`. */
  readonly authorizationCode: string;
}

/** The credentials used when `credentials` is not given. */
export const DEFAULT_CREDENTIALS: EmulatorCredentials = Object.freeze({
  site: "EmulatorSite",
  user: "emulator.user",
  password: "emulator-password",
  token: "emulator-token",
  clientId: "emulator-client",
  clientSecret: "emulator-secret",
  refreshToken: "emulator-refresh-1",
  authorizationCode: "emulator-code",
});

/** How long a sync stays in each state; completion is evaluated lazily from the clock. */
export interface SyncTiming {
  /** Time from creation until the sync turns `active`. @default 5 */
  readonly pendingMs?: number;
  /** Time spent `active` before the sync finishes. @default 20 */
  readonly activeMs?: number;
}

/** A set of known ids (or e-mail addresses), or a predicate deciding per value. */
export type KnownValues = Iterable<string> | ((value: string) => boolean);

/** Options of {@linkcode createEmulator}. */
export interface EmulatorOptions {
  /** Credentials to accept; missing fields take their defaults. @default DEFAULT_CREDENTIALS */
  readonly credentials?: Partial<EmulatorCredentials>;
  /**
   * `"store"` keeps every accepted row for `records()` and computes rejects; `"count"` only scans and
   * counts rows (memory stays flat on multi-gigabyte runs; no rejects are computed).
   * @default "store"
   */
  readonly mode?: "store" | "count";
  /** The clock driving sync timing and timestamps. @default Date.now */
  readonly now?: Clock;
  /** Sync lifecycle durations. @default { pendingMs: 5, activeMs: 20 } */
  readonly syncTiming?: SyncTiming;
  /** Largest accepted data POST body in bytes; one byte more answers 404, as Eloqua does. @default 32_000_000 */
  readonly maxBodyBytes?: number;
  /** Data POSTs ("files") a definition accepts between syncs; the next one answers 400. @default 500 */
  readonly maxFilesPerSync?: number;
  /** Total request-body bytes staging holds across definitions before answering 413. @default 1_000_000_000 */
  readonly maxStagedBytes?: number;
  /**
   * Opportunity ids that exist; other ids are rejected (ELQ-00084) by linkage syncs. A predicate gets the
   * id as staged and, when the definition matches without case, lower-cased too. Opportunities synced by
   * opportunity imports are added. @default every id exists
   */
  readonly knownOpportunities?: KnownValues;
  /**
   * Contacts that exist, by the value of whichever field a linkage matches on (e-mail addresses, as a
   * rule; a CRM id for a linkage on `{{Opportunity.Contact.Field(C_SFDCContactID)}}`); others are
   * rejected (ELQ-00085) by linkage syncs. Same rules as `knownOpportunities`; contacts synced by contact
   * imports are added, known by every field they were imported with. @default every contact exists
   */
  readonly knownContacts?: KnownValues;
  /**
   * Accounts that exist, by the value of whichever field a linkage to accounts matches on (company names,
   * as a rule); a linkage to accounts whose value names none is rejected (ELQ-00034). Accounts synced by
   * account imports are added, known by every field they were imported with. @default every account exists
   */
  readonly knownAccounts?: KnownValues;
  /** Fault rules, changeable later with `setFaults`. @default [] */
  readonly faults?: readonly FaultRule[];
  /** Seed of the PRNG behind fault `rate`s. @default 1 */
  readonly seed?: number;
  /** Capacity of the call history ring buffer. @default 10_000 */
  readonly historyLimit?: number;
  /** Lifetime of access tokens issued by the token endpoint, in seconds. @default 28_800 */
  readonly accessTokenLifetimeSeconds?: number;
  /** Import paths served, relative to `/api/bulk/2.0`; `{param}` segments allowed. @default DEFAULT_IMPORT_PATHS */
  readonly importPaths?: readonly string[];
  /** What to start from: a state an emulator's `saveState()` returned. @default empty */
  readonly state?: EmulatorState;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly credentials: EmulatorCredentials;
  readonly mode: "store" | "count";
  readonly now: Clock;
  readonly pendingMs: number;
  readonly activeMs: number;
  readonly maxBodyBytes: number;
  readonly maxFilesPerSync: number;
  readonly maxStagedBytes: number;
  readonly knownOpportunities: KnownValues | undefined;
  readonly knownContacts: KnownValues | undefined;
  readonly knownAccounts: KnownValues | undefined;
  readonly faults: readonly FaultRule[];
  readonly seed: number;
  readonly historyLimit: number;
  readonly accessTokenLifetimeSeconds: number;
  readonly importPaths: readonly string[];
}

const WHERE = "Emulator";

/** Fills in defaults and throws {@linkcode InvalidOptionError} on the first bad value. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const credentials = resolveCredentials(options.credentials ?? {});
  const mode = options.mode ?? "store";
  if (mode !== "store" && mode !== "count")
    throw new InvalidOptionError(WHERE, "mode", '"store" or "count"', mode);
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new InvalidOptionError(WHERE, "now", "a function", now);
  const timing = options.syncTiming ?? {};
  const pendingMs = nonNegative("syncTiming.pendingMs", timing.pendingMs ?? 5);
  const activeMs = nonNegative("syncTiming.activeMs", timing.activeMs ?? 20);
  const importPaths = options.importPaths ?? DEFAULT_IMPORT_PATHS;
  if (!Array.isArray(importPaths) || importPaths.length === 0) {
    throw new InvalidOptionError(WHERE, "importPaths", "a non-empty array of paths", importPaths);
  }
  for (const path of importPaths) {
    if (typeof path !== "string" || !/^(\/[\w{}]+)+$/.test(path) || /\/syncs$/i.test(path)) {
      throw new InvalidOptionError(WHERE, "importPaths", "paths like /opportunities/contacts/imports", path);
    }
  }
  return {
    credentials,
    mode,
    now,
    pendingMs,
    activeMs,
    maxBodyBytes: positiveInteger("maxBodyBytes", options.maxBodyBytes ?? ELOQUA_MAX_BODY_BYTES),
    maxFilesPerSync: positiveInteger("maxFilesPerSync", options.maxFilesPerSync ?? 500),
    maxStagedBytes: positiveInteger("maxStagedBytes", options.maxStagedBytes ?? 1_000_000_000),
    knownOpportunities: known("knownOpportunities", options.knownOpportunities),
    knownContacts: known("knownContacts", options.knownContacts),
    knownAccounts: known("knownAccounts", options.knownAccounts),
    faults: validateFaultRules(options.faults ?? [], WHERE),
    seed: integer("seed", options.seed ?? 1),
    historyLimit: positiveInteger("historyLimit", options.historyLimit ?? 10_000),
    accessTokenLifetimeSeconds: positiveNumber(
      "accessTokenLifetimeSeconds",
      options.accessTokenLifetimeSeconds ?? 28_800,
    ),
    importPaths,
  };
}

function resolveCredentials(given: Partial<EmulatorCredentials>): EmulatorCredentials {
  if (typeof given !== "object" || given === null) {
    throw new InvalidOptionError(WHERE, "credentials", "an object", given);
  }
  const merged = { ...DEFAULT_CREDENTIALS, ...given };
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value !== "string" || value === "") {
      throw new InvalidOptionError(WHERE, `credentials.${key}`, "a non-empty string", value);
    }
  }
  if (merged.site.includes("\\") || merged.site.includes(":")) {
    throw new InvalidOptionError(WHERE, "credentials.site", "free of '\\' and ':'", merged.site);
  }
  if (merged.user.includes(":"))
    throw new InvalidOptionError(WHERE, "credentials.user", "free of ':'", merged.user);
  if (merged.clientId.includes(":")) {
    throw new InvalidOptionError(WHERE, "credentials.clientId", "free of ':'", merged.clientId);
  }
  return Object.freeze(merged);
}

function known(option: string, value: KnownValues | undefined): KnownValues | undefined {
  if (value === undefined || typeof value === "function") return value;
  // A string is iterable too, and would silently become a set of characters.
  if (
    typeof value === "string" ||
    typeof value !== "object" ||
    value === null ||
    !(Symbol.iterator in value)
  ) {
    throw new InvalidOptionError(WHERE, option, "an iterable of strings or a predicate", value);
  }
  return value;
}

function integer(option: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new InvalidOptionError(WHERE, option, "an integer", value);
  return value;
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidOptionError(WHERE, option, "a positive integer", value);
  return value;
}

function positiveNumber(option: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(WHERE, option, "a positive number", value);
  }
  return value;
}

function nonNegative(option: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(WHERE, option, "a non-negative number", value);
  }
  return value;
}
