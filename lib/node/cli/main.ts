import { readFileSync } from "node:fs";
import { parseCommandLine, wantsDebug } from "./args.ts";
import { describeError, exitCodeFor } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { processIo } from "./cli_io.ts";
import { helpText } from "./help.ts";

/**
 * Runs the CLI with `argv` (the arguments after the script) and returns the exit code: 0 done, 1 the
 * import could not complete, 2 a usage error. `signal` stops a running command (SIGINT, SIGTERM).
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const debug = wantsDebug(argv);
  try {
    const line = parseCommandLine(argv);
    switch (line.command) {
      case "help":
        io.stdout.write(helpText(line.topic));
        return 0;
      case "version":
        io.stdout.write(`${version()}\n`);
        return 0;
      case "import": {
        const { importCommand } = await import("./import_command.ts");
        return await importCommand(line.kind, line.file, line.flags, io, signal);
      }
      case "fields": {
        const { fieldsCommand } = await import("./fields_command.ts");
        return await fieldsCommand(line.kind, line.flags, io, signal);
      }
      case "status":
      case "rejects": {
        const { rejectsCommand, statusCommand, syncUriOf } = await import("./sync_commands.ts");
        const command = line.command === "status" ? statusCommand : rejectsCommand;
        return await command(syncUriOf(line.sync), line.flags, io, signal);
      }
      case "definitions": {
        const { definitionsDeleteCommand, definitionsListCommand } = await import("./definitions_command.ts");
        return line.action === "list"
          ? await definitionsListCommand(line.kind, line.flags, io, signal)
          : await definitionsDeleteCommand(line.uris, line.flags, io, signal);
      }
      case "ui": {
        const { uiCommand } = await import("./ui_command.ts");
        return await uiCommand(line.flags, io, signal);
      }
      case "emulator": {
        const { emulatorCommand } = await import("./emulator_command.ts");
        return await emulatorCommand(line.flags, io, signal);
      }
    }
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, debug)}\n`);
    return exitCodeFor(error);
  }
}

/** The package's version: package.json is three folders up from both lib/node/cli and dist/node/cli. */
function version(): string {
  const text = readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * The entry point of `bin/eloqua-bulk.mjs`: runs with the process's arguments and streams, turns the
 * first SIGINT or SIGTERM into a graceful stop (the import aborts and still reports what it did) and a
 * second one into an immediate exit, and sets the exit code.
 */
export async function run(): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    process.exitCode = await main(process.argv.slice(2), processIo(), controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
