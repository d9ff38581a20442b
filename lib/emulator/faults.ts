import { InvalidOptionError } from "../errors.ts";
import { createPrng } from "./prng.ts";
import type { RouteName } from "./routes.ts";
import { ROUTE_NAMES } from "./routes.ts";

/** Statuses a fault can answer with. */
export type FaultStatus = 429 | 500 | 502 | 503;

/**
 * What a fault does to a matching request:
 * - `{ status }`: answer that status with an Eloqua-like body, without doing the work;
 * - `"reset"`: close the connection without answering and without doing the work;
 * - `{ delayMs }`: wait, then handle the request normally;
 * - `"commitThenDrop"`: do the work (e.g. stage the rows), then close the connection without answering;
 * - `"syncError"`: the sync the request creates (`sync.create`, or a `data.post` to a definition with
 *   `isSyncTriggeredOnImport`) ends with status `error` (ELQ-00146) and leaves its data staged.
 */
export type FaultAction =
  | { readonly status: FaultStatus; readonly body?: string; readonly retryAfterSeconds?: number }
  | "reset"
  | { readonly delayMs: number }
  | "commitThenDrop"
  | "syncError";

/** A fault to inject, as data. Without `rate` or `schedule` it fires on every matching request. */
export interface FaultRule {
  /** Route name(s) the rule matches; `"*"` matches every route. @default "*" */
  readonly route?: RouteName | "*" | readonly RouteName[];
  /** HTTP method the rule matches, any case. @default any method */
  readonly method?: string;
  /** What to do. */
  readonly action: FaultAction;
  /** Probability (0..1) of firing on each matching request, drawn from the seeded PRNG. @default none */
  readonly rate?: number;
  /** 1-based ordinals of the matching requests to fire on, e.g. `[2, 3]`. @default none */
  readonly schedule?: readonly number[];
  /** Stop after firing this many times. @default unlimited */
  readonly times?: number;
}

const STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503]);
const SYNC_CREATING_ROUTES: readonly RouteName[] = ["sync.create", "data.post"];

/** Checks fault rules and returns a frozen copy; throws {@linkcode InvalidOptionError} on a bad rule. */
export function validateFaultRules(rules: readonly FaultRule[], where: string): readonly FaultRule[] {
  if (!Array.isArray(rules)) throw new InvalidOptionError(where, "faults", "an array of fault rules", rules);
  return Object.freeze(rules.map((rule, i) => validateRule(rule, `faults[${i}]`, where)));
}

function validateRule(rule: FaultRule, name: string, where: string): FaultRule {
  const fail = (field: string, requirement: string, value: unknown): never => {
    throw new InvalidOptionError(where, `${name}.${field}`, requirement, value);
  };
  if (typeof rule !== "object" || rule === null) throw new InvalidOptionError(where, name, "an object", rule);
  const routes = routesOf(rule);
  for (const route of routes) {
    if (route !== "*" && !ROUTE_NAMES.includes(route as RouteName))
      fail("route", 'a route name or "*"', route);
  }
  if (rule.method !== undefined && (typeof rule.method !== "string" || rule.method === "")) {
    fail("method", "an HTTP method", rule.method);
  }
  const action = rule.action;
  if (action === "syncError") {
    if (!routes.every((route) => route === "*" || SYNC_CREATING_ROUTES.includes(route as RouteName))) {
      fail(
        "route",
        'a route that creates syncs ("sync.create", "data.post" or "*") for action "syncError"',
        rule.route,
      );
    }
  } else if (action !== "reset" && action !== "commitThenDrop") {
    if (typeof action !== "object" || action === null) fail("action", "a fault action", action);
    if ("status" in action) {
      if (!STATUSES.has(action.status)) fail("action.status", "429, 500, 502 or 503", action.status);
      const retry = action.retryAfterSeconds;
      if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0)) {
        fail("action.retryAfterSeconds", "a non-negative integer", retry);
      }
    } else if ("delayMs" in action) {
      if (!(Number.isFinite(action.delayMs) && action.delayMs >= 0)) {
        fail("action.delayMs", "a non-negative number", action.delayMs);
      }
    } else {
      fail("action", "a fault action", action);
    }
  }
  if (rule.rate !== undefined && rule.schedule !== undefined)
    fail("rate", "absent when schedule is given", rule.rate);
  if (rule.rate !== undefined && !(typeof rule.rate === "number" && rule.rate >= 0 && rule.rate <= 1)) {
    fail("rate", "a number from 0 to 1", rule.rate);
  }
  if (rule.schedule !== undefined) {
    if (!Array.isArray(rule.schedule)) fail("schedule", "an array of positive integers", rule.schedule);
    for (const ordinal of rule.schedule) {
      if (!(Number.isSafeInteger(ordinal) && ordinal >= 1))
        fail("schedule", "an array of positive integers", ordinal);
    }
  }
  if (rule.times !== undefined && !(Number.isSafeInteger(rule.times) && rule.times >= 1)) {
    fail("times", "a positive integer", rule.times);
  }
  return Object.freeze({ ...rule });
}

function routesOf(rule: FaultRule): readonly string[] {
  const route = rule.route ?? "*";
  return typeof route === "string" ? [route] : route;
}

/** A short label of a fault action, for history records. */
export function describeFault(action: FaultAction): string {
  if (typeof action === "string") return action;
  if ("status" in action) return `status ${action.status}`;
  return `delay ${action.delayMs}ms`;
}

interface RuleState {
  readonly rule: FaultRule;
  readonly routes: readonly string[];
  readonly schedule: ReadonlySet<number> | null;
  seen: number;
  fired: number;
}

/**
 * Decides which requests get a fault. Every matching rule counts every matching request (and draws
 * from the PRNG if it has a `rate`) whether or not an earlier rule fired, so ordinals and random draws
 * do not depend on the other rules. The first rule that fires wins.
 */
export class FaultInjector {
  readonly #seed: number;
  #random: () => number;
  #states: RuleState[] = [];

  constructor(rules: readonly FaultRule[], seed: number) {
    this.#seed = seed;
    this.#random = createPrng(seed);
    this.set(rules);
  }

  /** Replaces the rules (already validated); ordinals and the PRNG start over. */
  set(rules: readonly FaultRule[]): void {
    this.#random = createPrng(this.#seed);
    this.#states = rules.map((rule) => ({
      rule,
      routes: routesOf(rule),
      schedule: rule.schedule === undefined ? null : new Set(rule.schedule),
      seen: 0,
      fired: 0,
    }));
  }

  /** Restarts ordinals and the PRNG, keeping the rules. */
  reset(): void {
    this.set(this.#states.map((state) => state.rule));
  }

  /** The request-level fault for a request, if any (never `"syncError"`). */
  onRequest(route: RouteName, method: string): Exclude<FaultAction, "syncError"> | null {
    const action = this.#decide(route, method, false);
    return action === null || action === "syncError" ? null : action;
  }

  /** Whether the sync a request is creating should end in `error`. */
  onSyncCreated(route: RouteName, method: string): boolean {
    return this.#decide(route, method, true) !== null;
  }

  #decide(route: RouteName, method: string, syncPhase: boolean): FaultAction | null {
    let chosen: FaultAction | null = null;
    for (const state of this.#states) {
      const { rule } = state;
      if ((rule.action === "syncError") !== syncPhase) continue;
      if (!state.routes.includes("*") && !state.routes.includes(route)) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      state.seen++;
      let fires: boolean;
      if (state.schedule !== null) fires = state.schedule.has(state.seen);
      else if (rule.rate !== undefined) fires = this.#random() < rule.rate;
      else fires = true;
      if (rule.times !== undefined && state.fired >= rule.times) fires = false;
      if (fires && chosen === null) {
        state.fired++;
        chosen = rule.action;
      }
    }
    return chosen;
  }
}
