import { statSync } from "node:fs";
import { access, constants, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { EloquaBulkClient } from "../../client/client.ts";
import type { RetryEvent } from "../../client/http.ts";
import { Redactor } from "../../client/redact.ts";
import { CsvHeaderError } from "../../csv/csv_errors.ts";
import { decodeInput, decodeLater, type NotUtf8 } from "../../csv/input_decoding.ts";
import { peekHeader } from "../../csv/peek_header.ts";
import type { EmulatorState } from "../../emulator/mod.ts";
import type { ImportCheckpoint } from "../../import/checkpoint.ts";
import { importLinkages } from "../../import/import_linkages.ts";
import { IMPORT_LIMITS, type ImportOptions, type ImportRowsOptions } from "../../import/import_options.ts";
import { type ImportPlan, planImport } from "../../import/import_plan.ts";
import { importRows } from "../../import/import_rows.ts";
import type { ImportReport } from "../../import/report.ts";
import { fieldNames } from "../../schema.ts";
import { fingerprintFile, readCheckpoint, writeCheckpoint } from "../checkpoint_file.ts";
import type { EmulatorServer } from "../emulator_server.ts";
import { readEmulatorState, writeEmulatorState } from "../emulator_state_file.ts";
import { expectedKeysOf } from "../expected_keys.ts";
import { fileSource } from "../file_source.ts";
import { spawnRowWorkerThread } from "../row_worker_thread.ts";
import type { FlagValues, KindArgument } from "./args.ts";
import { integerFlag } from "./args.ts";
import {
  describeError,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_REJECTED,
  exitCodeFor,
  InputFileError,
  networkFailure,
  UsageError,
} from "./cli_errors.ts";
import type { CliIo } from "./cli_io.ts";
import { fieldsOf, formatMapping, importKindOf, linkageFlags, mapFlags } from "./import_kinds.ts";
import { ProgressReporter } from "./progress.ts";
import { redactingIo } from "./redacting_io.ts";
import { RejectsFile, reason } from "./rejects_file.ts";
import { formatSummary, mostlyRejected } from "./summary.ts";
import { clientAuth, givenSecrets, refreshTokenUnstored, resolveTarget, secretsOf } from "./target.ts";
import { chooseTransport } from "./transport_choice.ts";

/** Above this input size, the embedded emulator only counts rows: storing them costs memory and time. */
const EMBEDDED_STORE_LIMIT = 10_000_000;

/** `eloqua-bulk import [kind] <file | ->`: returns the exit code. */
export async function importCommand(
  kindArgument: KindArgument,
  file: string,
  flags: FlagValues,
  rawIo: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const debug = flags.debug === true;
  // Every credential in sight is kept out of what is written, from the first message on.
  const secrets = givenSecrets(flags, rawIo.env);
  // The tokens OAuth refreshes bring, kept out of the output as the given ones are.
  const issued = new Redactor();
  let io = redactingIo(rawIo, secrets, issued);
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // The library's ranges (IMPORT_LIMITS), with the CLI's own floor of 1,000 bytes a body.
    const { maxBatchBytes: bodies, concurrency: inFlight, maxFilesPerSync: files } = IMPORT_LIMITS;
    const maxBatchBytes = integerFlag("max-batch-bytes", flags["max-batch-bytes"], 1_000, bodies.max);
    const concurrency = integerFlag("concurrency", flags.concurrency, inFlight.min, inFlight.max);
    const maxFilesPerSync = integerFlag("files-per-sync", flags["files-per-sync"], files.min, files.max);
    const retry = retriesFlag(flags.retries);
    const target = resolveTarget(flags, rawIo.env);
    const transport = chooseTransport(flags.transport, rawIo.env);
    cleanups.push(async () => transport.close());
    if (target.kind === "eloqua") {
      io = redactingIo(rawIo, [...secrets, ...secretsOf(target.auth)], issued);
      if (refreshTokenUnstored(target) && flags.quiet !== true) {
        io.stderr.write(
          "OAuth: Eloqua replaces the refresh token at each refresh and the old one stops working; set ELOQUA_REFRESH_TOKEN_FILE to a file holding it, so the new one is kept there.\n",
        );
      }
    }
    const reportPath = flags.report;
    if (reportPath !== undefined) await checkWritableFolder("--report", reportPath);

    const kind = importKindOf(kindArgument);
    const records = kindArgument.name !== "linkages";
    const only = (names: (keyof FlagValues)[], what: string): void => {
      const given = names.find((name) => flags[name] !== undefined);
      if (given !== undefined) throw new UsageError(`--${given} is for ${what} only.`);
    };
    if (records) only(["opportunity-column", "email-column", "link-to", "match-field"], "linkage imports");
    else
      only(["identifier", "keep"], "imports of records (opportunities, contacts, accounts, custom objects)");
    const keepFlag = flags.keep;
    if (keepFlag !== undefined && keepFlag !== "first" && keepFlag !== "last") {
      throw new UsageError(`--keep ${keepFlag}: say last (the default for a file) or first.`);
    }
    const map = await mapFlags(flags);
    const linkage = records ? undefined : linkageFlags(flags);
    // A linkage's columns: --map "Column=Field" names the source of a definition field, as the old flags do.
    const columns: Record<string, string> = {};
    if (!records) for (const [column, field] of Object.entries(map)) columns[field] = column;
    if (flags["opportunity-column"] !== undefined) columns.OpportunityID = flags["opportunity-column"];
    if (flags["email-column"] !== undefined) columns.EmailAddress = flags["email-column"];

    // Resuming: the checkpoint is tied to this file (size and first MiB); stdin cannot be read twice.
    const checkpointPath = flags.checkpoint;
    let fingerprint: string | undefined;
    let resumeFrom: ImportCheckpoint | undefined;
    if (checkpointPath !== undefined) {
      if (file === "-")
        throw new UsageError("--checkpoint needs a file: standard input cannot be read again.");
      await checkWritableFolder("--checkpoint", checkpointPath);
      fingerprint = fingerprintFile(file);
      resumeFrom = readCheckpoint(checkpointPath, fingerprint);
    }

    const source = await fileSource(file);
    // The last row of an identifier is found by a first read: only a file can be read again.
    const keep = records ? (keepFlag ?? (source.size === undefined ? "first" : "last")) : undefined;
    if (keep === "last" && source.size === undefined) {
      throw new UsageError(
        `--keep last reads the input twice, which ${source.name} cannot be: save it to a file, or use --keep first.`,
      );
    }
    cleanups.push(() => source.stream.cancel().catch(() => {}));
    if (flags.rejects !== undefined) {
      if (file !== "-" && resolve(flags.rejects) === resolve(file)) {
        throw new UsageError(`--rejects ${flags.rejects} is the input file: choose another path.`);
      }
      await checkWritableFolder("--rejects", flags.rejects);
    }

    let server: EmulatorServer | undefined;
    if (target.kind === "embedded") {
      const { startEmulatorServer } = await import("../emulator_server.ts");
      const small = source.size !== undefined && source.size <= EMBEDDED_STORE_LIMIT;
      // With a checkpoint, the emulator's state is kept beside it, so that the rerun finds what the
      // checkpoint names (its definition, its syncs, the rows staged) and continues.
      const statePath = checkpointPath === undefined ? undefined : embeddedStatePath(checkpointPath);
      const state =
        statePath === undefined ? undefined : embeddedState(statePath, checkpointPath!, resumeFrom);
      const started = await startEmulatorServer({
        mode: small ? "store" : "count",
        ...(state === undefined ? {} : { state }),
      });
      server = started;
      cleanups.push(async () => {
        await started.close();
        // Saved after the close, when no request can change it; also after a failure or a Ctrl-C,
        // which are what a rerun continues from.
        if (statePath !== undefined) writeEmulatorState(statePath, started.emulator.saveState());
      });
      const { password, token } = started.emulator.credentials;
      io = redactingIo(rawIo, [...secrets, password, token], issued);
      // Said even with --quiet: a run that forgot its credentials must not pass for a real import.
      io.stderr.write(
        `No credentials and no --base-url: importing into the built-in Eloqua emulator at ${started.url} (nothing is sent to Eloqua).\n`,
      );
      if (statePath !== undefined) {
        io.stderr.write(
          state === undefined
            ? `The emulator's state is kept in ${statePath}, beside the checkpoint: run the same command again and it continues.\n`
            : `The emulator goes on from its state in ${statePath}.\n`,
        );
      }
    }

    const quiet = flags.quiet === true;
    const progress = new ProgressReporter(io, {
      mode: quiet ? "off" : io.stderr.isTTY ? "tty" : "plain",
      size: source.size,
      bytesRead: () => source.bytesRead,
    });
    // Every retry shows in the bar; on a terminal (or with --debug) it is also a line as it happens.
    const onRetry = (event: RetryEvent) => progress.retrying(event, debug);
    let client: EloquaBulkClient | undefined;
    if (server !== undefined) {
      const { site, user, password } = server.emulator.credentials;
      client = new EloquaBulkClient({
        auth: { type: "basic", site, user, password },
        baseUrl: server.url,
        loginUrl: server.url,
        ...(transport.fetch === undefined ? {} : { fetch: transport.fetch }),
        ...(retry === undefined ? {} : { retry }),
        onRetry,
      });
    } else if (target.kind === "eloqua") {
      client = new EloquaBulkClient({
        auth: clientAuth(target, issued),
        ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
        ...(transport.fetch === undefined ? {} : { fetch: transport.fetch }),
        ...(retry === undefined ? {} : { retry }),
        onRetry,
      });
      if (debug) {
        progress.notice(
          `debug: ${target.auth.type} auth, base URL ${target.baseUrl ?? "discovered from https://login.eloqua.com/id"}, transport ${transport.name}`,
        );
      }
    }

    // The header is read first: it says the delimiter and, for records, the mapping (with the fields
    // Eloqua lists for the kind).
    // Compressed or not UTF-8: gzip by its magic bytes, UTF-16 by its byte order mark, or --encoding.
    const decoded = await decodeInput(
      source.stream,
      flags.encoding === undefined ? {} : { encoding: flags.encoding },
    );
    if (decoded.notUtf8 !== undefined) throw notUtf8Error(source.name, decoded.notUtf8);
    if (decoded.gzip || decoded.encoding !== "utf-8") {
      const what = [
        decoded.gzip ? "gzip-compressed" : "",
        decoded.encoding === "utf-8" ? "" : decoded.encoding,
      ].filter((w) => w !== "");
      progress.info(`Reading ${source.name} as ${what.join(" ")} text.`);
    }
    const peeked = await peekHeader(decoded.stream, { delimiter: delimiterFlag(flags.delimiter) });
    const input = peeked.stream;
    const delimiter = peeked.delimiter;
    if (flags.delimiter === undefined && delimiter !== "," && (peeked.header?.length ?? 0) > 1) {
      const shown = delimiter === "\t" ? "tab" : `"${delimiter}"`;
      progress.info(
        `Columns separated by ${shown} (seen in the header line; --delimiter to choose another).`,
      );
    }
    let plan: ImportPlan | undefined;
    if (records) {
      const fields = await listFieldsFor(client, kind, signal, progress);
      if (peeked.header === undefined) {
        throw new CsvHeaderError(
          "CSV_NO_HEADER",
          source.name,
          1,
          undefined,
          `no header could be read (${peeked.problem ?? "the first line is missing"}): the first line must name the columns`,
        );
      }
      const planned = planImport(peeked.header, fields, {
        kind,
        map,
        ...(flags.identifier === undefined ? {} : { identifier: flags.identifier }),
      });
      plan = planned;
      if (!quiet && (target.kind === "dry-run" || debug)) io.stderr.write(formatMapping(planned));
    }
    const rejectFields =
      plan === undefined
        ? linkage === undefined
          ? undefined
          : Object.keys(linkage.fields!)
        : fieldNames(plan.options.schema);
    let rejects: RejectsFile | undefined;
    if (flags.rejects !== undefined) {
      rejects = await RejectsFile.open(
        flags.rejects,
        {
          includeDuplicates: flags["include-duplicates"] === true,
          columns: plan?.options.columns ?? columns,
          ...(rejectFields === undefined ? {} : { fields: rejectFields }),
        },
        resumeFrom?.acknowledgedLine,
      );
      const opened = rejects;
      cleanups.push(() => opened.close());
    }

    const onAbort = () =>
      progress.notice("Stopping: waiting for requests in flight (Ctrl-C again quits at once).");
    signal.addEventListener("abort", onAbort, { once: true });
    cleanups.push(async () => signal.removeEventListener("abort", onAbort));

    const recordOptions: Pick<ImportRowsOptions, "keep" | "reread"> = {};
    const options: ImportOptions = {
      sourceName: source.name,
      dryRun: target.kind === "dry-run",
      signal,
      onProgress: (snapshot) => progress.update(snapshot),
      progressIntervalMs: progress.intervalMs,
    };
    if (client !== undefined) options.client = client;
    if (delimiter !== ",") options.delimiter = delimiter;
    if (plan !== undefined) options.columns = plan.options.columns;
    else if (Object.keys(columns).length > 0) options.columns = columns;
    if (flags["import-uri"] !== undefined) options.importUri = flags["import-uri"];
    if (maxBatchBytes !== undefined) options.maxBatchBytes = maxBatchBytes;
    if (concurrency !== undefined) options.concurrency = concurrency;
    if (maxFilesPerSync !== undefined) options.maxFilesPerSync = maxFilesPerSync;
    // The summary's reasons come from the report's counts: reject objects are built only for --rejects
    // (building and passing them costs ~10% of a run). Duplicates are many and harmless: they reach the
    // file only for --include-duplicates.
    options.rejectDuplicates = flags["include-duplicates"] === true;
    if (rejects !== undefined) {
      const file = rejects;
      options.onReject = (reject) => file.onReject(reject);
    }
    if (source.size !== undefined) options.expectedKeys = expectedKeysOf(source.size, peeked);
    // Parse, validate and hash keys in a worker thread while this one dedupes, batches and uploads.
    if (flags["single-thread"] !== true) options.rowWorker = spawnRowWorkerThread;
    if (keep === "last") {
      const encoding = flags.encoding === undefined ? {} : { encoding: flags.encoding };
      recordOptions.keep = "last";
      recordOptions.reread = () => decodeLater(async () => (await fileSource(file)).stream, encoding);
    } else if (keep === "first" && keepFlag === undefined) {
      progress.info(
        `${source.name} is read once: the first row of a repeated identifier is imported (a file gets the last).`,
      );
    }
    if (checkpointPath !== undefined && fingerprint !== undefined && target.kind !== "dry-run") {
      options.fingerprint = fingerprint;
      if (resumeFrom !== undefined) {
        options.checkpoint = resumeFrom;
        progress.notice(
          `Resuming from ${checkpointPath}: rows up to line ${resumeFrom.acknowledgedLine} are done.`,
        );
      }
      const path = checkpointPath;
      options.onCheckpoint = (state) => writeCheckpoint(path, state);
    }

    let report: ImportReport;
    try {
      report =
        plan === undefined
          ? await importLinkages(input, {
              ...options,
              ...(linkage === undefined ? {} : { definition: linkage }),
            })
          : await importRows(input, { ...options, ...plan.options, ...recordOptions });
    } finally {
      progress.clear();
    }
    const cleanedUp =
      flags.cleanup === true && target.kind !== "dry-run" && client !== undefined
        ? await cleanUp(client, report, {
            givenUri: flags["import-uri"] !== undefined,
            // A run that stopped short with a checkpoint is resumed by a rerun, which needs the definition.
            resumable: checkpointPath !== undefined && !report.ok,
          })
        : undefined;
    await runCleanups(cleanups);

    let reportError: string | undefined;
    if (reportPath !== undefined) {
      await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`).catch(
        (error: NodeJS.ErrnoException) => {
          reportError = `Could not write the report ${reportPath}: ${reason(error)}.`;
        },
      );
    }
    if (!quiet) {
      io.stdout.write(
        formatSummary(report, {
          name: source.name,
          bytesRead: source.bytesRead,
          dryRun: target.kind === "dry-run",
          embedded: server !== undefined,
          reasons: new Map(Object.entries(report.rejectsByCode)),
          ...(rejects === undefined ? {} : { rejectsPath: rejects.path }),
        }),
      );
      const written: string[] = [];
      if (rejects !== undefined)
        written.push(`${rejects.written.toLocaleString("en-US")} rejects in ${rejects.path}`);
      if (reportPath !== undefined && reportError === undefined) written.push(`report in ${reportPath}`);
      if (written.length > 0) io.stdout.write(`  wrote ${written.join(", ")}\n`);
      if (cleanedUp?.done !== undefined) io.stdout.write(`  cleaned up: ${cleanedUp.done}\n`);
    }
    if (cleanedUp?.failed !== undefined) io.stderr.write(`eloqua-bulk: ${cleanedUp.failed}\n`);
    if (reportError !== undefined) io.stderr.write(`eloqua-bulk: ${reportError}\n`);
    if (!report.ok) {
      const error = report.error;
      const network = error?.code === "ELOQUA_NETWORK_ERROR" ? networkFailure(error.message) : undefined;
      const why =
        error === undefined ? "see the report" : `${network?.message ?? error.message} [${error.code}]`;
      io.stderr.write(`eloqua-bulk: the import did not complete: ${why}\n`);
      if (network !== undefined) io.stderr.write(`${network.advice}\n`);
      return EXIT_FAILED;
    }
    if (reportError !== undefined) return EXIT_FAILED;
    return mostlyRejected(report, target.kind === "dry-run") ? EXIT_REJECTED : EXIT_OK;
  } catch (error) {
    await runCleanups(cleanups).catch(() => {});
    io.stderr.write(`eloqua-bulk: ${describeError(error, debug)}\n`);
    return exitCodeFor(error);
  }
}

/** `--retries <n>`: how many times a failed request is sent again (the client's default when absent). */
function retriesFlag(text: string | undefined): { attempts: number } | undefined {
  // The client's policy counts attempts, the first one included, up to 100.
  const retries = integerFlag("retries", text, 0, 99);
  return retries === undefined ? undefined : { attempts: retries + 1 };
}

/** `--delimiter`: one character, or `tab`; without it, "auto" (detected from the header line). */
function delimiterFlag(text: string | undefined): string {
  if (text === undefined) return "auto";
  if (text.toLowerCase() === "tab" || text === "\\t") return "\t";
  if (text.length === 1 && text !== '"' && text !== "\r" && text !== "\n" && text.charCodeAt(0) < 128)
    return text;
  throw new UsageError(
    `--delimiter takes one ASCII character such as ";" or "|", or "tab": got ${JSON.stringify(text.slice(0, 10))}.`,
  );
}

/**
 * The fields of `kind` from the target; a dry run (no network) lists those of the built-in emulator,
 * Eloqua's standard fields, and says so.
 */
async function listFieldsFor(
  client: EloquaBulkClient | undefined,
  kind: ReturnType<typeof importKindOf>,
  signal: AbortSignal,
  progress: ProgressReporter,
) {
  if (client !== undefined) return fieldsOf(client, kind, signal);
  const { startEmulatorServer } = await import("../emulator_server.ts");
  const server = await startEmulatorServer({ mode: "count" });
  try {
    const { site, user, password } = server.emulator.credentials;
    const local = new EloquaBulkClient({
      auth: { type: "basic", site, user, password },
      baseUrl: server.url,
      loginUrl: server.url,
    });
    progress.info(
      `Dry run: mapping to the standard ${kind.name} fields of the built-in emulator (your Eloqua may have more).`,
    );
    return await fieldsOf(local, kind, signal);
  } finally {
    await server.close();
  }
}

/** Stops an import that would reject every row of a file in another encoding, before it reads more. */
function notUtf8Error(name: string, evidence: NotUtf8): InputFileError {
  const likely =
    evidence.likely === "windows-1252"
      ? "windows-1252 (what Excel on Windows saves; ISO-8859-1 and -15 read the same letters)"
      : `${evidence.likely} without a byte order mark`;
  return new InputFileError(
    `${name} line ${evidence.line}: the file is not UTF-8 text; it looks like ${likely}. ` +
      `Run again with --encoding ${evidence.likely}, or --encoding utf-8 to read it as UTF-8 anyway ` +
      "(rows that are not UTF-8 are then rejected).",
  );
}

/** What `--cleanup` did (`done`, for the summary) or could not do (`failed`, for stderr). */
interface CleanupOutcome {
  readonly done?: string;
  readonly failed?: string;
}

/**
 * `--cleanup`: deletes the data the run left staged and the definition it created. A definition given
 * with `--import-uri` is the user's, kept for their next run: only its staged data goes. Nothing is
 * deleted when the run can be resumed from its checkpoint. Sent without the run's signal, which a Ctrl-C
 * has aborted: the user asked for the cleanup, and a second Ctrl-C still quits at once.
 */
async function cleanUp(
  client: EloquaBulkClient,
  report: ImportReport,
  context: { readonly givenUri: boolean; readonly resumable: boolean },
): Promise<CleanupOutcome | undefined> {
  const uri = report.definitionUri;
  if (uri === null) return undefined;
  if (context.resumable) {
    return {
      done: `kept ${uri} and its staged data: the checkpoint's rerun continues with them (--cleanup deletes them once the import completes)`,
    };
  }
  try {
    await client.deleteData(uri);
    if (context.givenUri)
      return { done: `deleted the data staged on ${uri} (kept: given with --import-uri)` };
    await client.deleteImport(uri);
    return { done: `deleted ${uri} and its staged data` };
  } catch (error) {
    return {
      failed: `--cleanup could not delete ${uri} (${describeError(error, false)}); delete it later with "eloqua-bulk definitions delete ${uri}", or Eloqua does after its autoDeleteDuration.`,
    };
  }
}

/** Where the built-in emulator's state is kept for a checkpoint: beside it. */
export function embeddedStatePath(checkpointPath: string): string {
  return `${checkpointPath}.emulator.json`;
}

/**
 * The built-in emulator's state saved by the run that wrote the checkpoint, if any. Refused (before
 * anything is sent) when the checkpoint names a definition the state cannot hold: no state beside it
 * (the checkpoint is of a run against Eloqua, or one killed before it saved), or a state older than the
 * checkpoint (saved by an earlier run, then the last one was killed).
 */
function embeddedState(
  statePath: string,
  checkpointPath: string,
  resumeFrom: ImportCheckpoint | undefined,
): EmulatorState | undefined {
  const state = readEmulatorState(statePath);
  if (resumeFrom === undefined || resumeFrom.definitionUri === null || resumeFrom.complete) return state;
  const startOver = `remove ${checkpointPath}${state === undefined ? "" : ` and ${statePath}`} to start over (nothing was sent to Eloqua), or give the credentials of the Eloqua the checkpoint was written against`;
  if (state === undefined) {
    throw new UsageError(
      `${checkpointPath} continues an import into ${resumeFrom.definitionUri}, which the built-in emulator does not have: there is no ${statePath} (the emulator's state, saved when a run against it ends): ${startOver}.`,
    );
  }
  if (statSync(checkpointPath).mtimeMs > statSync(statePath).mtimeMs) {
    throw new UsageError(
      `${statePath} is older than ${checkpointPath}: the last run was killed before it could save the built-in emulator's state, which no longer matches the checkpoint; ${startOver}.`,
    );
  }
  return state;
}

/** Runs and empties the cleanups, newest first; their own failures are reported by what they close. */
async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  let failure: unknown;
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

/** Fails early, before any upload, when a file could not be written at the end. */
async function checkWritableFolder(flag: string, path: string): Promise<void> {
  const folder = dirname(resolve(path));
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new UsageError(
      `Cannot write ${flag} ${path}: the folder ${folder} does not exist or is not writable.`,
    );
  }
}
