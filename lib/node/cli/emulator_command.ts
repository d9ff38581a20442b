import { readFile } from "node:fs/promises";
import type { EmulatorCredentials, EmulatorOptions, FaultRule, RouteName } from "../../emulator/mod.ts";
import { ROUTE_NAMES } from "../../emulator/mod.ts";
import { startEmulatorServer } from "../emulator_server.ts";
import { readEmulatorState, writeEmulatorState } from "../emulator_state_file.ts";
import type { FlagValues } from "./args.ts";
import { integerFlag } from "./args.ts";
import { describeError, EXIT_FAILED, EXIT_OK, exitCodeFor, UsageError } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { count, plural } from "./format.ts";

/**
 * The Bulk API requests `--fault-rate` fails: those a client may send again (GET, DELETE, data POSTs), as
 * an Eloqua under load fails them; a failed definition or sync POST is final for a careful client, and
 * `--faults` can still inject one.
 */
const RETRYABLE_ROUTES: readonly RouteName[] = ROUTE_NAMES.filter(
  (route) => !["id", "token", "definition.create", "definition.update", "sync.create"].includes(route),
);

/**
 * `eloqua-bulk emulator`: serves the built-in emulator until `signal` aborts (SIGINT, SIGTERM). Its first
 * line of output is `Eloqua emulator listening on <url>`, for scripts and tests to wait for; then the
 * credentials it accepts (its own, made up or given on the command line: printing them is the point).
 * With `--state`, it starts from the file's state and writes its own there when it stops.
 */
export async function emulatorCommand(flags: FlagValues, io: CliIo, signal: AbortSignal): Promise<number> {
  const debug = flags.debug === true;
  try {
    const port = integerFlag("port", flags.port, 0, 65_535) ?? 0;
    const host = flags.host ?? "127.0.0.1";
    const options = await emulatorOptions(flags);
    const statePath = flags.state;
    const state = statePath === undefined ? undefined : readEmulatorState(statePath);
    const server = await startEmulatorServer({
      ...options,
      ...(state === undefined ? {} : { state }),
      port,
      host,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        throw new Error(
          `Cannot listen on ${host}:${port}: the port is in use; pick another with --port (0 for any free one)`,
        );
      }
      if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
        throw new Error(`Cannot listen on ${host}: no such interface on this machine; check --host`);
      }
      throw error;
    });
    const c = server.emulator.credentials;
    io.stdout.write(
      `Eloqua emulator listening on ${server.url}\n` +
        `  Basic auth:   site ${c.site}, user ${c.user}, password ${c.password}\n` +
        `  Bearer token: ${c.token}\n` +
        `  OAuth:        client id ${c.clientId}, client secret ${c.clientSecret}, refresh token ${c.refreshToken}\n` +
        `  Discovery:    ${server.url}/id answers with this base URL\n` +
        describeKnobs(flags, options, statePath, state !== undefined) +
        `Try: eloqua-bulk import examples/data/linkages.csv --base-url ${server.url} --site ${c.site} --user ${c.user} --password ${c.password}\n` +
        (flags.quiet ? "" : "Stop it with Ctrl-C.\n"),
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const stats = server.emulator.stats;
    await server.close();
    let code = EXIT_OK;
    if (statePath !== undefined) {
      // Written after the close: no request can change the state while it is written.
      try {
        writeEmulatorState(statePath, server.emulator.saveState());
        if (!flags.quiet)
          io.stdout.write(`State saved to ${statePath}: the next --state ${statePath} goes on from it.\n`);
      } catch (error) {
        io.stderr.write(
          `eloqua-bulk: could not save the state to ${statePath}: ${describeError(error, debug)}\n`,
        );
        code = EXIT_FAILED;
      }
    }
    if (!flags.quiet) {
      io.stdout.write(
        `Emulator stopped after ${count(stats.requests)} requests: ${count(stats.dataPosts)} data POSTs, ` +
          `${count(stats.stagedRows)} rows staged, ${count(stats.syncsCreated)} syncs` +
          (stats.faultsInjected > 0 ? `, ${count(stats.faultsInjected)} faults injected.\n` : ".\n"),
      );
    }
    return code;
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, debug)}\n`);
    return exitCodeFor(error);
  }
}

/** The emulator's options from the command's flags (all but where it listens, and its state). */
export async function emulatorOptions(flags: FlagValues): Promise<EmulatorOptions> {
  const credentials: { -readonly [K in keyof EmulatorCredentials]?: string } = {};
  if (flags.site !== undefined) credentials.site = flags.site;
  if (flags.user !== undefined) credentials.user = flags.user;
  if (flags.password !== undefined) credentials.password = flags.password;
  if (flags.token !== undefined) credentials.token = flags.token;
  const mode = flags.mode ?? "store";
  if (mode !== "store" && mode !== "count") {
    throw new UsageError(`--mode ${JSON.stringify(mode.slice(0, 20))}: say store (the default) or count.`);
  }
  if (flags.strict === true && mode === "count") {
    throw new UsageError(
      "--strict needs --mode store: in count mode no row is kept, so no record would ever exist.",
    );
  }
  const faults: FaultRule[] = flags.faults === undefined ? [] : await faultsFile(flags.faults);
  const rate = flags["fault-rate"];
  if (rate !== undefined) {
    const value = Number(rate);
    if (!/^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(rate) || !(value >= 0 && value <= 1)) {
      throw new UsageError(
        `--fault-rate must be a number from 0 to 1, e.g. 0.05: got ${JSON.stringify(rate.slice(0, 20))}.`,
      );
    }
    if (value > 0) faults.push({ route: RETRYABLE_ROUTES, action: { status: 503 }, rate: value });
  }
  // After the failures: the first rule that fires wins, so a request is either failed or delayed.
  const latency = integerFlag("latency", flags.latency, 0, 600_000);
  if (latency !== undefined && latency > 0) faults.push({ action: { delayMs: latency } });
  const options: { -readonly [K in keyof EmulatorOptions]: EmulatorOptions[K] } = {
    credentials,
    mode,
    faults,
  };
  const seed = integerFlag("seed", flags.seed, 0, 2_147_483_647);
  if (seed !== undefined) options.seed = seed;
  if (flags.strict === true) {
    // Nothing exists until an import of it syncs: a linkage to anything else is rejected.
    options.knownOpportunities = [];
    options.knownContacts = [];
    options.knownAccounts = [];
  }
  const syncMs = integerFlag("sync-ms", flags["sync-ms"], 0, 86_400_000);
  if (syncMs !== undefined) {
    const pendingMs = Math.round(syncMs / 5);
    options.syncTiming = { pendingMs, activeMs: syncMs - pendingMs };
  }
  const maxBodyBytes = integerFlag("max-body-bytes", flags["max-body-bytes"], 1, 1_000_000_000);
  if (maxBodyBytes !== undefined) options.maxBodyBytes = maxBodyBytes;
  const filesPerSync = integerFlag("files-per-sync", flags["files-per-sync"], 1, 1_000_000);
  if (filesPerSync !== undefined) options.maxFilesPerSync = filesPerSync;
  const lifetime = integerFlag("token-lifetime", flags["token-lifetime"], 1, 31_536_000);
  if (lifetime !== undefined) options.accessTokenLifetimeSeconds = lifetime;
  return options;
}

/** `--faults <file.json>`: an array of the emulator's fault rules (FaultRule), checked by the emulator. */
async function faultsFile(path: string): Promise<FaultRule[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read --faults ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--faults ${path} is not JSON: it must hold an array of fault rules.`);
  }
  if (!Array.isArray(value)) {
    throw new UsageError(
      `--faults ${path} must hold an array of fault rules, e.g. [{"route": "data.post", "action": {"status": 503}, "rate": 0.1}].`,
    );
  }
  return value as FaultRule[];
}

/** The lines after the credentials that say how this emulator differs from the default one. */
function describeKnobs(
  flags: FlagValues,
  options: EmulatorOptions,
  statePath: string | undefined,
  loaded: boolean,
): string {
  const lines: string[] = [];
  const faults = options.faults ?? [];
  if (faults.length > 0)
    lines.push(`  Faults:       ${plural(faults.length, "rule")} (seed ${options.seed ?? 1})`);
  if (flags.strict === true)
    lines.push("  Strict:       only opportunities, contacts and accounts imported into it exist");
  if (options.mode === "count") lines.push("  Mode:         count (rows are counted, not kept; no rejects)");
  if (statePath !== undefined)
    lines.push(`  State:        ${loaded ? "loaded from" : "new; saved on stop to"} ${statePath}`);
  return lines.map((line) => `${line}\n`).join("");
}
