import { createWriteStream, type WriteStream } from "node:fs";
import type { SyncReject } from "../../client/types.ts";
import { csvCell } from "../../rejects_csv.ts";
import type { FlagValues } from "./args.ts";
import { describeError, EXIT_FAILED, EXIT_OK, exitCodeFor, UsageError } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { type Connection, connect } from "./connection.ts";
import { count } from "./format.ts";
import { redactingIo } from "./redacting_io.ts";

/** Why the built-in emulator cannot answer a command that reads what earlier runs left in Eloqua. */
export function notInBuiltInEmulator(what: string): string {
  return `${what} in Eloqua: give credentials (--site, --user and --password, or --token, or ELOQUA_… in the environment), and --base-url for an emulator started with "eloqua-bulk emulator" (the built-in one starts empty for each command).`;
}

/** `/syncs/12` from `/syncs/12`, `12` or a URL ending in `/syncs/12`; a usage error otherwise. */
export function syncUriOf(text: string): string {
  const t = text.trim();
  const id = /^\d{1,12}$/.test(t) ? t : /(?:^|\/)syncs\/(\d{1,12})\/?$/.exec(t)?.[1];
  if (id === undefined) {
    throw new UsageError(
      `A sync is named by its uri, as the import's report gives it: "/syncs/12" (or 12): got ${JSON.stringify(t.slice(0, 60))}.`,
    );
  }
  return `/syncs/${Number(id)}`;
}

/**
 * `eloqua-bulk status <sync>`: the sync's status and times and its logs (Eloqua keeps them for days).
 * Exit code 0, or 1 when the sync ended in error.
 */
export async function statusCommand(
  uri: string,
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  return withConnection(flags, rawIo, "A past sync lives", async ({ client, io }) => {
    const sync = await client.getSync(uri, { signal });
    const times = [
      ["created", sync.createdAt],
      ["started", sync.syncStartedAt],
      ["ended", sync.syncEndedAt],
    ]
      .filter(([, at]) => at !== undefined)
      .map(([what, at]) => `${what} ${at}`)
      .join(", ");
    io.stdout.write(
      `${sync.uri}: ${sync.status} (of ${sync.syncedInstanceUri})${times ? `; ${times}` : ""}\n`,
    );
    let logs = 0;
    for await (const log of client.syncLogs(uri, { signal })) {
      if (logs++ === 0) io.stdout.write("Logs:\n");
      io.stdout.write(`  ${log.severity} ${log.statusCode}: ${log.message} (count ${log.count})\n`);
    }
    if (logs === 0) io.stdout.write("No logs.\n");
    return sync.status === "error" ? EXIT_FAILED : EXIT_OK;
  });
}

/**
 * `eloqua-bulk rejects <sync> [--out file.csv]`: the sync's rejected records as CSV (stdout, or the
 * file): record index, code, message, invalid fields, then the values by the fields of the first reject
 * (values under other fields in an `other` column, as JSON).
 */
export async function rejectsCommand(
  uri: string,
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  return withConnection(flags, rawIo, "A past sync's rejects live", async ({ client, io }) => {
    const out = flags.out === undefined ? undefined : await openOut(flags.out);
    const write = (text: string): void => {
      if (out === undefined) io.stdout.write(text);
      else out.write(text);
    };
    let fields: string[] | undefined;
    let n = 0;
    try {
      for await (const reject of client.syncRejects(uri, { signal })) {
        if (fields === undefined) {
          fields = Object.keys(reject.fieldValues);
          const header = ["recordIndex", "code", "message", "invalidFields", ...fields, "other"];
          write(`${header.map((name) => csvCell(name)).join(",")}\r\n`);
        }
        write(rejectLine(reject, fields));
        n++;
      }
    } finally {
      if (out !== undefined) await new Promise<void>((resolve) => out.end(resolve));
    }
    if (n === 0 && out === undefined) io.stderr.write(`${uri} has no rejects.\n`);
    if (out !== undefined && !flags.quiet)
      io.stderr.write(`${count(n)} rejects of ${uri} written to ${flags.out}.\n`);
    return EXIT_OK;
  });
}

function rejectLine(reject: SyncReject, fields: readonly string[]): string {
  const values = reject.fieldValues;
  const other = Object.keys(values).filter((key) => !fields.includes(key));
  const cells = [
    String(reject.recordIndex),
    reject.statusCode,
    reject.message,
    reject.invalidFields.join(" "),
    ...fields.map((field) => values[field] ?? ""),
    other.length === 0 ? "" : JSON.stringify(Object.fromEntries(other.map((key) => [key, values[key]]))),
  ];
  return `${cells.map((cell) => csvCell(cell)).join(",")}\r\n`;
}

async function openOut(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error: NodeJS.ErrnoException) =>
      reject(new UsageError(`Cannot write ${path}: ${error.code ?? error.message}.`)),
    );
  });
  return stream;
}

/**
 * Runs a command that reads what earlier runs left in Eloqua (`what` lives there, e.g. "A past sync
 * lives"), with its connection, and turns errors into exit codes.
 */
export async function withConnection(
  flags: FlagValues,
  rawIo: CliIo,
  what: string,
  body: (connection: Connection) => Promise<number>,
): Promise<number> {
  let io = redactingIo(
    rawIo,
    [flags.password, flags.token].filter((v): v is string => v !== undefined),
  );
  let connection: Connection | undefined;
  try {
    connection = await connect(flags, rawIo, { refuse: notInBuiltInEmulator(what) });
    io = connection.io;
    return await body(connection);
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, flags.debug === true)}\n`);
    return exitCodeFor(error);
  } finally {
    await connection?.close();
  }
}
