const ELOQUA_BULK_ERROR: unique symbol = Symbol.for("eloqua-bulk-stream.error");

/**
 * The base of every error this library throws on purpose.
 *
 * Each failure mode has its own subclass with a literal `name` and a stable
 * machine-readable `code`; the facts of the failure are attached as
 * properties and the original error, if any, is kept as `cause`. Check for a
 * kind of error with the exported guards (`isEloquaBulkError`, …), which do
 * not rely on `instanceof` and so work across realms and duplicate installs.
 *
 * Messages say what failed, why, and what to do. They never contain
 * credentials.
 */
export class EloquaBulkError extends Error {
  /** Stable machine-readable code, e.g. `"CSV_MISSING_COLUMN"`. */
  readonly code: string;
  /** Brand checked by {@linkcode isEloquaBulkError}. */
  readonly [ELOQUA_BULK_ERROR] = true;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EloquaBulkError";
    this.code = code;
  }
}

/** True when `error` is any error thrown on purpose by this library. */
export function isEloquaBulkError(error: unknown): error is EloquaBulkError {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as Record<symbol, unknown>)[ELOQUA_BULK_ERROR] === true
  );
}

/** Thrown at construction when an option has a bad value. */
export class InvalidOptionError extends EloquaBulkError {
  override readonly name = "InvalidOptionError";
  /** The option's name, e.g. `"maxBytes"`. */
  readonly option: string;
  /** The value that was given. */
  readonly value: unknown;

  constructor(where: string, option: string, requirement: string, value: unknown) {
    super(
      "INVALID_OPTION",
      `Cannot construct ${where} as ${option} must be ${requirement}: current value is ${describe(value)}`,
    );
    this.option = option;
    this.value = value;
  }
}

/** True when `error` is an {@linkcode InvalidOptionError}. */
export function isInvalidOptionError(error: unknown): error is InvalidOptionError {
  return isEloquaBulkError(error) && error.code === "INVALID_OPTION";
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}
