import type { FlagValues, KindArgument } from "./args.ts";
import { EXIT_OK, UsageError } from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { plural } from "./format.ts";
import { importKindOf } from "./import_kinds.ts";
import { withConnection } from "./sync_commands.ts";

/** The kinds `definitions list` shows when none is named (custom objects need their id). */
const LISTED: readonly KindArgument[] = [
  { name: "linkages" },
  { name: "opportunities" },
  { name: "contacts" },
  { name: "accounts" },
];

/** An import definition's uri, as the report and `definitions list` give it. */
const DEFINITION_URI =
  /^\/(?:opportunities(?:\/contacts)?|contacts|accounts|customObjects\/\d{1,12})\/imports\/\d{1,12}$/;

/**
 * `eloqua-bulk definitions list [kind]`: the import definitions in Eloqua (each import run creates one,
 * unless given --import-uri or a checkpoint; Eloqua deletes them after their autoDeleteDuration), a
 * line each: uri, name, created, auto-delete duration.
 */
export async function definitionsListCommand(
  kind: KindArgument | undefined,
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  return withConnection(flags, rawIo, "Import definitions live", async ({ client, io }) => {
    let n = 0;
    for (const each of kind === undefined ? LISTED : [kind]) {
      for await (const definition of client.listImports(importKindOf(each), { signal })) {
        n++;
        const cells = [
          definition.uri,
          JSON.stringify(definition.name ?? ""),
          definition.createdAt === undefined ? "" : `created ${definition.createdAt}`,
          definition.autoDeleteDuration === undefined ? "" : `auto-delete ${definition.autoDeleteDuration}`,
        ];
        io.stdout.write(`${cells.filter((c) => c !== "").join("  ")}\n`);
      }
    }
    if (!flags.quiet) io.stderr.write(`${plural(n, "definition")}.\n`);
    return EXIT_OK;
  });
}

/** `eloqua-bulk definitions delete <uri>…`: deletes import definitions (and the data staged under them). */
export async function definitionsDeleteCommand(
  uris: readonly string[],
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  for (const uri of uris) {
    if (!DEFINITION_URI.test(uri)) {
      throw new UsageError(
        `An import definition is named by its uri, as "eloqua-bulk definitions list" shows it, e.g. /opportunities/contacts/imports/12: got ${JSON.stringify(uri.slice(0, 80))}.`,
      );
    }
  }
  return withConnection(flags, rawIo, "Import definitions live", async ({ client, io }) => {
    for (const uri of uris) {
      await client.deleteImport(uri, { signal });
      if (!flags.quiet) io.stdout.write(`Deleted ${uri}.\n`);
    }
    return EXIT_OK;
  });
}
