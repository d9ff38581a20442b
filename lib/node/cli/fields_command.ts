import { EloquaBulkClient } from "../../client/client.ts";
import type { EloquaField } from "../../client/types.ts";
import type { EmulatorServer } from "../emulator_server.ts";
import type { FlagValues, KindArgument } from "./args.ts";
import { describeError, EXIT_OK, exitCodeFor, UsageError } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { fieldsOf, importKindOf } from "./import_kinds.ts";
import { redactingIo } from "./redacting_io.ts";
import { resolveTarget, secretsOf } from "./target.ts";
import { chooseTransport } from "./transport_choice.ts";

/** `eloqua-bulk fields <kind>`: lists the fields an import of that kind can map; returns the exit code. */
export async function fieldsCommand(
  kindArgument: KindArgument,
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const debug = flags.debug === true;
  const secrets = [flags.password, flags.token, rawIo.env.ELOQUA_PASSWORD, rawIo.env.ELOQUA_TOKEN].filter(
    (value): value is string => value !== undefined && value !== "",
  );
  let io = redactingIo(rawIo, secrets);
  let server: EmulatorServer | undefined;
  const transport = chooseTransport(flags.transport, rawIo.env);
  try {
    if (kindArgument.name === "linkages") {
      throw new UsageError(
        'A linkage has no fields of its own: it maps OpportunityID to {{Opportunity.Id}} and a contact or account field (see "eloqua-bulk fields contacts" or "eloqua-bulk fields accounts").',
      );
    }
    const kind = importKindOf(kindArgument);
    const target = resolveTarget(flags, rawIo.env);
    let client: EloquaBulkClient;
    const fetch = transport.fetch === undefined ? {} : { fetch: transport.fetch };
    if (target.kind === "eloqua") {
      io = redactingIo(rawIo, [...secrets, ...secretsOf(target.auth)]);
      client = new EloquaBulkClient({
        auth: target.auth,
        ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
        ...fetch,
      });
    } else {
      const { startEmulatorServer } = await import("../emulator_server.ts");
      server = await startEmulatorServer({ mode: "count" });
      const { site, user, password } = server.emulator.credentials;
      client = new EloquaBulkClient({
        auth: { type: "basic", site, user, password },
        baseUrl: server.url,
        loginUrl: server.url,
        ...fetch,
      });
      io.stderr.write("No credentials and no --base-url: the fields of the built-in Eloqua emulator.\n");
    }
    const fields = await fieldsOf(client, kind, signal);
    io.stdout.write(formatFields(fields));
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, debug)}\n`);
    return exitCodeFor(error);
  } finally {
    await server?.close();
    await transport.close();
  }
}

/** One line a field: name, internal name, type, constraints and statement, in columns. */
export function formatFields(fields: readonly EloquaField[]): string {
  const rows = fields.map((f) => [
    f.name,
    f.internalName,
    f.dataType ?? "",
    [
      f.hasNotNullConstraint ? "required" : "",
      f.hasUniquenessConstraint ? "unique" : "",
      f.hasReadOnlyConstraint ? "read-only" : "",
    ]
      .filter((c) => c !== "")
      .join(" "),
    f.statement,
  ]);
  const all = [["name", "internal name", "type", "constraints", "statement"], ...rows];
  const widths = all[0]!.map((_, k) => Math.min(40, Math.max(...all.map((r) => (r[k] ?? "").length))));
  return `${all
    .map((r) =>
      r
        .map((cell, k) => (k === r.length - 1 ? cell : (cell ?? "").padEnd(widths[k]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
