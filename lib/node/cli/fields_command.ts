import type { EloquaField } from "../../client/types.ts";
import type { FlagValues, KindArgument } from "./args.ts";
import { describeError, EXIT_OK, exitCodeFor, UsageError } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { type Connection, connect } from "./connection.ts";
import { fieldsOf, importKindOf } from "./import_kinds.ts";
import { redactingIo } from "./redacting_io.ts";

/** `eloqua-bulk fields <kind>`: lists the fields an import of that kind can map; returns the exit code. */
export async function fieldsCommand(
  kindArgument: KindArgument,
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  let io = redactingIo(
    rawIo,
    [flags.password, flags.token].filter((v): v is string => v !== undefined),
  );
  let connection: Connection | undefined;
  try {
    if (kindArgument.name === "linkages") {
      throw new UsageError(
        'A linkage has no fields of its own: it maps OpportunityID to {{Opportunity.Id}} and a contact or account field (see "eloqua-bulk fields contacts" or "eloqua-bulk fields accounts").',
      );
    }
    const kind = importKindOf(kindArgument);
    connection = await connect(flags, rawIo, {
      notice: "No credentials and no --base-url: the fields of the built-in Eloqua emulator.",
    });
    io = connection.io;
    const fields = await fieldsOf(connection.client, kind, signal);
    io.stdout.write(formatFields(fields));
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`eloqua-bulk: ${describeError(error, flags.debug === true)}\n`);
    return exitCodeFor(error);
  } finally {
    await connection?.close();
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
