import { isEloquaNetworkError } from "../../client/errors.ts";
import { isCsvHeaderError } from "../../csv/csv_errors.ts";
import { isEloquaBulkError, isInvalidOptionError } from "../../errors.ts";
import { isCheckpointMismatchError } from "../../import/checkpoint.ts";
import { isImportPlanError } from "../../import/import_plan.ts";
import { isFileUnreadableError } from "../file_source.ts";

/** Exit codes of the CLI. */
export const EXIT_OK = 0;
/** The import could not complete: network, authentication, Eloqua refused, interrupted. */
export const EXIT_FAILED = 1;
/** The command line or its inputs are wrong: nothing was sent. */
export const EXIT_USAGE = 2;
/** The import ran, but (nearly) every row was rejected on the client: see the summary's reasons. */
export const EXIT_REJECTED = 3;

/** A problem with the command line: a bad flag, a missing or invalid value. Exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A problem with the input file, found before the import reads it: exit code 2, its sentence alone. */
export class InputFileError extends Error {
  override readonly name = "InputFileError";
}

/** Whether `error` is the user's to fix before anything runs (exit code 2). */
export function isUsageProblem(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof InputFileError ||
    isCsvHeaderError(error) ||
    isInvalidOptionError(error) ||
    isFileUnreadableError(error) ||
    isCheckpointMismatchError(error) ||
    isImportPlanError(error)
  );
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  return isUsageProblem(error) ? EXIT_USAGE : EXIT_FAILED;
}

/**
 * One line for stderr: the error's own sentence (this library's errors say what failed, why and what to
 * do, and carry no credentials), with the stack only when debugging.
 */
export function describeError(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack !== undefined) {
    const code = isEloquaBulkError(error) ? ` [${error.code}]` : "";
    return `${error.stack}${code}${causeChain(error)}`;
  }
  if (error instanceof UsageError) return `${error.message}\nRun "eloqua-bulk --help" for the options.`;
  if (isEloquaNetworkError(error)) {
    const failure = networkFailure(error.message, error.host);
    return `${sentence(failure.message)}\n${failure.advice}`;
  }
  if (isCsvHeaderError(error)) return sentence(cliHint(error.message, error.field));
  if (isInvalidOptionError(error)) return `${error.message}.`;
  if (isImportPlanError(error)) return sentence(planHint(error.message));
  if (error instanceof Error) return sentence(error.message);
  return sentence(String(error));
}

/** The client's own advice, which ends a network error's message: the CLI's names its flags instead. */
const CLIENT_NETWORK_ADVICE = /: check the network\b.*$/s;

/**
 * A network error's message without the client's advice, and what to check, in the CLI's words: the host
 * that could not be reached, the network, the pod's host (--base-url), a proxy, a firewall. `host` is
 * read from the message when not given (an import's report keeps only the message).
 */
export function networkFailure(message: string, host?: string): { message: string; advice: string } {
  const unreachable = host ?? / got no answer from (\S+?)(?: after \d+ attempts)?: /.exec(message)?.[1];
  const where = unreachable ?? "Eloqua";
  const lookup = unreachable === "login.eloqua.com";
  const lines = [
    `Could not reach ${where}. Check:`,
    "  - the network: is this machine online?",
    lookup
      ? "  - the host: login.eloqua.com finds your pod; --base-url with your pod's address (such as https://secure.p03.eloqua.com) skips that lookup"
      : `  - the host: is ${where} your Eloqua pod (such as secure.p03.eloqua.com)? --base-url sets it`,
    "  - a proxy: behind one, use --transport fetch with NODE_USE_ENV_PROXY=1 and HTTPS_PROXY set (Node 24 and later)",
    `  - a firewall: does it let this machine reach ${where}?`,
  ];
  return { message: message.replace(CLIENT_NETWORK_ADVICE, ""), advice: lines.join("\n") };
}

/** The library speaks of its `columns` option; the CLI's users know flags. */
function cliHint(message: string, field: string | undefined): string {
  const flag =
    field === "OpportunityID"
      ? "--opportunity-column"
      : field === "EmailAddress"
        ? "--email-column"
        : undefined;
  return flag === undefined ? message : message.replace(/with the columns option$/, `with ${flag} <name>`);
}

/** The library names its `map` option and `listFields`; the CLI's users know --map and the fields command. */
function planHint(message: string): string {
  return message
    .replace(/the map option \(--map "([^"]*)" in the CLI\)/g, '--map "$1"')
    .replace(/^map "/, '--map "')
    .replace(/listFields, or "eloqua-bulk fields"/g, '"eloqua-bulk fields <kind>"');
}

function sentence(text: string): string {
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

function causeChain(error: Error): string {
  let out = "";
  let cause = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    out += `\nCaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return out;
}
