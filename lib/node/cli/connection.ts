import { EloquaBulkClient } from "../../client/client.ts";
import { Redactor } from "../../client/redact.ts";
import type { EmulatorServer } from "../emulator_server.ts";
import type { FlagValues } from "./args.ts";
import { UsageError } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { redactingIo } from "./redacting_io.ts";
import { clientAuth, givenSecrets, resolveTarget, secretsOf } from "./target.ts";
import { chooseTransport } from "./transport_choice.ts";

/** A client for one command, the output it may write to (credentials redacted), and how to let go of both. */
export interface Connection {
  readonly client: EloquaBulkClient;
  readonly io: CliIo;
  close(): Promise<void>;
}

/**
 * Connects a command to Eloqua as the flags and the environment say (`--base-url`, `--site`, `--user`,
 * `--password`, `--token`, `ELOQUA_…`). Without credentials: the built-in emulator in this process, with
 * `embedded` as the notice on stderr, or, when `embedded` is a `UsageError`'s text instead (a command
 * reading what an earlier run left, which a fresh emulator never holds), that error.
 */
export async function connect(
  flags: FlagValues,
  rawIo: CliIo,
  embedded: { readonly notice: string } | { readonly refuse: string },
): Promise<Connection> {
  const secrets = givenSecrets(flags, rawIo.env);
  const issued = new Redactor();
  const target = resolveTarget(flags, rawIo.env);
  if (target.kind !== "eloqua" && "refuse" in embedded) throw new UsageError(embedded.refuse);
  const transport = chooseTransport(flags.transport, rawIo.env);
  const fetch = transport.fetch === undefined ? {} : { fetch: transport.fetch };
  if (target.kind === "eloqua") {
    const client = new EloquaBulkClient({
      auth: clientAuth(target, issued),
      ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
      ...fetch,
    });
    return {
      client,
      io: redactingIo(rawIo, [...secrets, ...secretsOf(target.auth)], issued),
      close: async () => transport.close(),
    };
  }
  let server: EmulatorServer;
  try {
    const { startEmulatorServer } = await import("../emulator_server.ts");
    server = await startEmulatorServer({ mode: "count" });
  } catch (error) {
    await transport.close();
    throw error;
  }
  const { site, user, password } = server.emulator.credentials;
  const client = new EloquaBulkClient({
    auth: { type: "basic", site, user, password },
    baseUrl: server.url,
    loginUrl: server.url,
    ...fetch,
  });
  const io = redactingIo(rawIo, secrets);
  if ("notice" in embedded) io.stderr.write(`${embedded.notice}\n`);
  return {
    client,
    io,
    close: async () => {
      await server.close();
      await transport.close();
    },
  };
}
