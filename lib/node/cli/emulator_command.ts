import type { EmulatorCredentials } from "../../emulator/options.ts";
import { startEmulatorServer } from "../emulator_server.ts";
import type { FlagValues } from "./args.ts";
import { integerFlag } from "./args.ts";
import { describeError, EXIT_OK, exitCodeFor } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { count } from "./format.ts";

/**
 * `eloqua-bulk emulator`: serves the built-in emulator until `signal` aborts (SIGINT, SIGTERM). Its first
 * line of output is `Eloqua emulator listening on <url>`, for scripts and tests to wait for; then the
 * credentials it accepts (its own, made up or given on the command line: printing them is the point).
 */
export async function emulatorCommand(flags: FlagValues, io: CliIo, signal: AbortSignal): Promise<number> {
  const debug = flags.debug === true;
  try {
    const port = integerFlag("port", flags.port, 0, 65_535) ?? 0;
    const host = flags.host ?? "127.0.0.1";
    const credentials: { -readonly [K in keyof EmulatorCredentials]?: string } = {};
    if (flags.site !== undefined) credentials.site = flags.site;
    if (flags.user !== undefined) credentials.user = flags.user;
    if (flags.password !== undefined) credentials.password = flags.password;
    if (flags.token !== undefined) credentials.token = flags.token;
    const server = await startEmulatorServer({ port, host, credentials }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE") {
          throw new Error(
            `Cannot listen on ${host}:${port}: the port is in use; pick another with --port (0 for any free one)`,
          );
        }
        if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
          throw new Error(`Cannot listen on ${host}: no such interface on this machine; check --host`);
        }
        throw error;
      },
    );
    const c = server.emulator.credentials;
    io.stdout.write(
      `Eloqua emulator listening on ${server.url}\n` +
        `  Basic auth:   site ${c.site}, user ${c.user}, password ${c.password}\n` +
        `  Bearer token: ${c.token}\n` +
        `  OAuth:        client id ${c.clientId}, client secret ${c.clientSecret}, refresh token ${c.refreshToken}\n` +
        `  Discovery:    ${server.url}/id answers with this base URL\n` +
        `Try: eloqua-bulk import examples/data/linkages.csv --base-url ${server.url} --site ${c.site} --user ${c.user} --password ${c.password}\n` +
        (flags.quiet ? "" : "Stop it with Ctrl-C.\n"),
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const stats = server.emulator.stats;
    await server.close();
    if (!flags.quiet) {
      io.stdout.write(
        `Emulator stopped after ${count(stats.requests)} requests: ${count(stats.dataPosts)} data POSTs, ` +
          `${count(stats.stagedRows)} rows staged, ${count(stats.syncsCreated)} syncs.\n`,
      );
    }
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, debug)}\n`);
    return exitCodeFor(error);
  }
}
