// The CLI command line the resume tests run: small bodies and syncs, so a run has many stopping points.
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { type ImportKindCase, LINKAGES } from "../import/_import_kinds.ts";

export const FILES_PER_SYNC = 7;

/**
 * `eloqua-bulk import [kind] <file>` against `server`, with a checkpoint, a report and (optionally) a
 * rejects file: `import <file>` for linkages (the default kind, as today's command lines), `import
 * <kind> <file>` for records (`opportunities`, `contacts`, `accounts`).
 */
export function resumeArgs(
  server: EmulatorServer,
  file: string,
  paths: { checkpoint: string; report: string; rejects?: string },
  kind: ImportKindCase = LINKAGES,
): string[] {
  const { site, user, password } = server.emulator.credentials;
  return [
    "import",
    ...kind.cli,
    file,
    "--base-url",
    server.url,
    "--site",
    site,
    "--user",
    user,
    "--password",
    password,
    "--checkpoint",
    paths.checkpoint,
    "--report",
    paths.report,
    ...(paths.rejects === undefined ? [] : ["--rejects", paths.rejects]),
    "--max-batch-bytes",
    "6000",
    "--files-per-sync",
    String(FILES_PER_SYNC),
    "--concurrency",
    "3",
    "--quiet",
  ];
}
