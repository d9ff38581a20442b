import { EloquaBulkError, isEloquaBulkError } from "../errors.ts";

/** Stable codes of {@linkcode CsvHeaderError}. */
export type CsvHeaderErrorCode = "CSV_NO_HEADER" | "CSV_MISSING_COLUMN" | "CSV_DUPLICATE_COLUMN";

/**
 * The header row cannot be mapped to the schema: the input is empty, a
 * required column is missing, or two source columns map to one field.
 * Raised before any row flows, since no row could be read correctly.
 */
export class CsvHeaderError extends EloquaBulkError {
  override readonly name = "CsvHeaderError";
  declare readonly code: CsvHeaderErrorCode;
  /** The input's name, as given in `sourceName`. */
  readonly source: string;
  /** 1-based line of the header. */
  readonly line: number;
  /** The schema field concerned, when there is one. */
  readonly field: string | undefined;

  constructor(
    code: CsvHeaderErrorCode,
    source: string,
    line: number,
    field: string | undefined,
    problem: string,
  ) {
    super(code, `${source} line ${line}: ${problem}`);
    this.source = source;
    this.line = line;
    this.field = field;
  }
}

/** True when `error` is a {@linkcode CsvHeaderError}. */
export function isCsvHeaderError(error: unknown): error is CsvHeaderError {
  return isEloquaBulkError(error) && error.name === "CsvHeaderError";
}
