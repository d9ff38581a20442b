import { AuthService } from "./auth.ts";
import { BodyReadError, ByteCollector, readBody } from "./body.ts";
import type { Call, EmulatorContext } from "./context.ts";
import { deleteData, postData } from "./data_routes.ts";
import { handleDefinitionRoute } from "./definition_routes.ts";
import { DefinitionStore } from "./definitions.ts";
import type { FaultAction, FaultRule } from "./faults.ts";
import { describeFault, FaultInjector, validateFaultRules } from "./faults.ts";
import { handleFieldRoute } from "./field_routes.ts";
import type { CallRecord } from "./history.ts";
import { CallHistory } from "./history.ts";
import { KnownRecords } from "./known.ts";
import { handleIdentity, handleToken } from "./login.ts";
import type { EmulatorCredentials, EmulatorOptions } from "./options.ts";
import { resolveOptions } from "./options.ts";
import { failure, failureResponse, textResponse } from "./responses.ts";
import type { RouteDefinition, RouteMatch } from "./routes.ts";
import { RouteMatcher, routeTable } from "./routes.ts";
import type { StagedRecord } from "./staging.ts";
import { Staging } from "./staging.ts";
import type { EmulatorState } from "./state.ts";
import { loadState, saveState } from "./state.ts";
import type { EmulatorStats } from "./stats.ts";
import { bump, createStats, resetStats } from "./stats.ts";
import { completeDueSyncs } from "./sync_lifecycle.ts";
import { handleSyncRoute } from "./sync_routes.ts";
import { SyncStore } from "./syncs.ts";

/** Returned by {@linkcode Emulator.handle} to mean: close the connection without answering. */
export const DROP_CONNECTION: unique symbol = Symbol("eloqua-emulator.drop-connection");

/** An in-memory Eloqua Bulk API 2.0 (and login.eloqua.com) behind a web-standard request handler. */
export interface Emulator {
  /** Handles one request: a Response, or {@linkcode DROP_CONNECTION} to close the connection unanswered. */
  handle(request: Request): Promise<Response | typeof DROP_CONNECTION>;
  /** Live counters (one object, updated in place; reading it first completes syncs whose time is up). */
  readonly stats: EmulatorStats;
  /** The most recent calls, oldest first, in the order they ended (bounded by `historyLimit`). */
  history(): readonly CallRecord[];
  /** Every row accepted by a data POST, in acceptance order (`"store"` mode; empty in `"count"` mode). */
  records(): readonly StagedRecord[];
  /** Forgets definitions, staged data, syncs, issued tokens, stats and history; keeps options and fault rules. */
  reset(): void;
  /** The credentials it accepts. */
  readonly credentials: EmulatorCredentials;
  /** The routes it serves. */
  readonly routes: readonly RouteDefinition[];
  /** Replaces the fault rules (validated; throws InvalidOptionError); their ordinals start over. */
  setFaults(rules: readonly FaultRule[]): void;
  /** Makes every access token (the static one included) answer 401 until refreshed. */
  expireAccessTokens(): void;
  /** Makes every refresh token fail at the token endpoint. */
  revokeRefreshTokens(): void;
  /** The refresh tokens that work now (after each refresh, the newest one). */
  refreshTokens(): readonly string[];
  /**
   * What it holds, as plain data to store as JSON: give it back as the `state` option (or to
   * `loadState`) for an emulator that goes on from there.
   */
  saveState(): EmulatorState;
  /** Replaces what it holds with a saved state (throws InvalidOptionError on a foreign one). */
  loadState(state: EmulatorState): void;
}

/** Largest body accepted by routes other than data POSTs (definitions, syncs, tokens are small JSON). */
const SMALL_BODY_LIMIT = 1_000_000;

/**
 * Creates an emulator of the Eloqua Bulk API 2.0 endpoints this project uses, limits and failures
 * included. Serve it with `startEmulatorServer` (Node) or any server that speaks web-standard Request.
 *
 * @example
 * ```ts
 * const emulator = createEmulator({ mode: "count" });
 * const response = await emulator.handle(new Request("http://emulator/id"));
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const resolved = resolveOptions(options);
  const now = resolved.now;
  const stats = createStats();
  const ctx: EmulatorContext = {
    options: resolved,
    auth: new AuthService(resolved.credentials, now, resolved.accessTokenLifetimeSeconds),
    definitions: new DefinitionStore(),
    staging: new Staging(stats),
    syncs: new SyncStore(),
    stats,
    faults: new FaultInjector(resolved.faults, resolved.seed),
    opportunities: new KnownRecords(resolved.knownOpportunities),
    contacts: new KnownRecords(resolved.knownContacts),
    accounts: new KnownRecords(resolved.knownAccounts),
  };
  const routes = routeTable(resolved.importPaths);
  const matcher = new RouteMatcher(routes);
  const history = new CallHistory(resolved.historyLimit);
  if (options.state !== undefined) loadState(ctx, options.state, "Emulator");

  async function handle(request: Request): Promise<Response | typeof DROP_CONNECTION> {
    const startedAt = now();
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const url = new URL(request.url);
    const match = matcher.match(request.method, url.pathname);
    const routeName = match.kind === "route" ? match.route.name : "unknown";
    bump(stats.requestsByRoute, routeName);
    const tally = { bodyBytes: 0, fault: undefined as string | undefined };
    let result: Response | typeof DROP_CONNECTION;
    try {
      completeDueSyncs(ctx);
      result = await route(request, url, match, startedAt, tally);
      if (result !== DROP_CONNECTION && request.body !== null && !request.bodyUsed) {
        tally.bodyBytes += await drain(request, routeName);
      }
    } catch (error) {
      result = await failed(request, error);
    } finally {
      stats.inFlight--;
    }
    const status = result === DROP_CONNECTION ? "dropped" : result.status;
    bump(stats.responsesByStatus, String(status));
    const record: CallRecord = {
      method: request.method,
      path: url.pathname + url.search,
      route: routeName,
      status,
      bodyBytes: tally.bodyBytes,
      startedAt,
      endedAt: now(),
    };
    history.push(tally.fault === undefined ? record : { ...record, fault: tally.fault });
    return result;
  }

  async function route(
    request: Request,
    url: URL,
    match: RouteMatch,
    startedAt: number,
    tally: { bodyBytes: number; fault: string | undefined },
  ): Promise<Response | typeof DROP_CONNECTION> {
    if (match.kind === "not-found") return textResponse(404);
    if (match.kind === "method-not-allowed")
      return textResponse(405, undefined, { allow: match.allow.join(", ") });
    const action = ctx.faults.onRequest(match.route.name, request.method);
    if (action !== null) {
      stats.faultsInjected++;
      tally.fault = describeFault(action);
      if (action === "reset") return DROP_CONNECTION;
      if (typeof action === "object" && "status" in action) return faultResponse(action);
      if (typeof action === "object") await new Promise((resolve) => setTimeout(resolve, action.delayMs));
    }
    let text = "";
    if (match.route.name !== "data.post" && request.body !== null) {
      const collector = new ByteCollector();
      tally.bodyBytes = await readBody(request.body, SMALL_BODY_LIMIT, collector);
      if (tally.bodyBytes > SMALL_BODY_LIMIT) return failureResponse([failure("body", "Is too large.")]);
      text = new TextDecoder().decode(collector.bytes());
    }
    const call: Call = {
      request,
      url,
      route: match.route,
      params: match.params,
      now: startedAt,
      text,
      bodyBytes: tally.bodyBytes,
      fault: tally.fault,
    };
    try {
      const response = await dispatch(call);
      return action === "commitThenDrop" ? DROP_CONNECTION : response;
    } finally {
      tally.bodyBytes = call.bodyBytes;
      tally.fault = call.fault;
    }
  }

  async function dispatch(call: Call): Promise<Response> {
    const { route, request } = call;
    if (route.name === "id") return handleIdentity(request, ctx.auth);
    if (route.name === "token") return handleToken(request, call.text, ctx.auth);
    if (!ctx.auth.authenticate(request.headers)) return textResponse(401);
    switch (route.name) {
      case "data.post":
        return await postData(ctx, call);
      case "data.delete":
        return deleteData(ctx, call);
      case "sync.create":
      case "sync.list":
      case "sync.get":
      case "logs":
      case "rejects":
      case "sync.data":
        return handleSyncRoute(ctx, call);
      case "fields.list":
      case "fields.get":
        return handleFieldRoute(call);
      default:
        return handleDefinitionRoute(ctx, call);
    }
  }

  /** The answer when handling threw: none if the client is gone, else a 500 naming the emulator bug. */
  async function failed(request: Request, error: unknown): Promise<Response | typeof DROP_CONNECTION> {
    if (error instanceof BodyReadError) return DROP_CONNECTION;
    try {
      if (request.body !== null && !request.bodyUsed) await readBody(request.body);
    } catch {
      return DROP_CONNECTION;
    }
    const message = error instanceof Error ? error.message : String(error);
    return textResponse(500, undefined, { "x-emulator-error": encodeURIComponent(message).slice(0, 500) });
  }

  async function drain(request: Request, routeName: string): Promise<number> {
    const bytes = await readBody(request.body);
    if (routeName === "data.post") {
      stats.bodyBytes.total += bytes;
      stats.bodyBytes.max = Math.max(stats.bodyBytes.max, bytes);
    }
    return bytes;
  }

  return {
    handle,
    get stats() {
      completeDueSyncs(ctx);
      return stats;
    },
    history: () => history.toArray(),
    records() {
      completeDueSyncs(ctx);
      return ctx.staging.records();
    },
    reset() {
      ctx.definitions.clear();
      ctx.staging.clear();
      ctx.syncs.clear();
      ctx.auth.reset();
      ctx.faults.reset();
      ctx.opportunities.reset();
      ctx.contacts.reset();
      ctx.accounts.reset();
      resetStats(stats);
      history.clear();
    },
    credentials: resolved.credentials,
    routes,
    setFaults: (rules) => ctx.faults.set(validateFaultRules(rules, "Emulator.setFaults")),
    expireAccessTokens: () => ctx.auth.expireAccessTokens(),
    revokeRefreshTokens: () => ctx.auth.revokeRefreshTokens(),
    refreshTokens: () => ctx.auth.refreshTokens(),
    saveState() {
      completeDueSyncs(ctx);
      return saveState(ctx);
    },
    loadState: (state) => loadState(ctx, state, "Emulator.loadState"),
  };
}

function faultResponse(action: Extract<FaultAction, { status: number }>): Response {
  const headers: Record<string, string> =
    action.retryAfterSeconds === undefined ? {} : { "retry-after": String(action.retryAfterSeconds) };
  return textResponse(action.status, action.body, headers);
}
