import { spawn } from "node:child_process";
import { EloquaBulkClient } from "../../client/client.ts";
import { Redactor } from "../../client/redact.ts";
import type { FlagValues } from "./args.ts";
import { integerFlag } from "./args.ts";
import { describeError, EXIT_OK, exitCodeFor } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { redactingIo } from "./redacting_io.ts";
import { clientAuth, givenSecrets, resolveTarget, secretsOf } from "./target.ts";
import { chooseTransport } from "./transport_choice.ts";

/**
 * `eloqua-bulk ui`: serves the import page until `signal` aborts (SIGINT, SIGTERM). Its first line of
 * output is `eloqua-bulk ui: open <url>`, for scripts and tests to wait for; the target's credentials
 * stay in this process (the page only learns which target it is).
 */
export async function uiCommand(flags: FlagValues, rawIo: CliIo, signal: AbortSignal): Promise<number> {
  const secrets = givenSecrets(flags, rawIo.env);
  const issued = new Redactor();
  let io = redactingIo(rawIo, secrets, issued);
  try {
    const port = integerFlag("port", flags.port, 0, 65_535) ?? 0;
    const target = resolveTarget(flags, rawIo.env);
    const transport = chooseTransport(flags.transport, rawIo.env);
    let eloqua: { client: EloquaBulkClient; label: string } | undefined;
    if (target.kind === "eloqua") {
      io = redactingIo(rawIo, [...secrets, ...secretsOf(target.auth)], issued);
      const client = new EloquaBulkClient({
        auth: clientAuth(target, issued),
        ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
        ...(transport.fetch === undefined ? {} : { fetch: transport.fetch }),
      });
      eloqua = { client, label: `Eloqua at ${target.baseUrl ?? "the pod login.eloqua.com/id names"}` };
    }
    const { startUiServer } = await import("../ui/ui_server.ts");
    const server = await startUiServer({ port, ...(eloqua === undefined ? {} : { eloqua }) }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE") {
          throw new Error(`Cannot listen on 127.0.0.1:${port}: the port is in use; pick another with --port`);
        }
        throw error;
      },
    );
    io.stdout.write(`eloqua-bulk ui: open ${server.url}\n`);
    // Said even with --quiet: a page that imports into the emulator must not pass for a real import.
    io.stderr.write(
      eloqua === undefined
        ? "No credentials: the page imports into the built-in Eloqua emulator (nothing is sent to Eloqua).\n"
        : `The page imports into ${eloqua.label}.\n`,
    );
    if (flags["no-open"] !== true) openBrowser(server.url);
    if (!flags.quiet) io.stderr.write("Stop it with Ctrl-C.\n");
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await server.close();
    await transport.close();
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, flags.debug === true)}\n`);
    return exitCodeFor(error);
  }
}

/** Opens `url` in the desktop's browser when there is one; a machine without one just has the printed URL. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command as string, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener: the URL is printed.
  }
}
