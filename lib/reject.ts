/**
 * The reject channel, shared by every stage: a row that does not go on is
 * handed to `onReject` with a stable code, its source line and its values,
 * and counted. Nothing is dropped silently.
 */

/** Which stage set a row aside. */
export type RejectStage = "parse" | "validate" | "dedupe" | "batch" | "upload" | "sync";

/**
 * Stable reason codes. Client-side codes are listed here; rejects from
 * Eloqua carry Eloqua's own status code (e.g. `ELQ-00084`).
 */
export type RejectCode =
  /** The record's quoted field is not closed before the end of the input. */
  | "CSV_UNTERMINATED_QUOTE"
  /**
   * The record has more fields than the header, or fewer than it takes to reach the last mapped column
   * (a record that ends early with every mapped column present is a row: some exporters drop trailing
   * empty cells).
   */
  | "CSV_FIELD_COUNT"
  /** The record is longer than `maxRecordLength` bytes. */
  | "CSV_RECORD_TOO_LARGE"
  /** The record holds bytes that are not valid UTF-8. */
  | "CSV_INVALID_UTF8"
  /** A required field is empty (after trimming). */
  | "REQUIRED_FIELD_EMPTY"
  /** A field is longer than its schema allows. */
  | "FIELD_TOO_LONG"
  /** A value holds a control character (U+0000–U+001F, U+007F) and its field does not allow them. */
  | "CONTROL_CHARACTER"
  /** The e-mail address is not a valid address (WHATWG HTML rule). */
  | "INVALID_EMAIL"
  /** A number field's value is not a plain decimal Eloqua's numeric holds (`NUMBER_RULE`). */
  | "INVALID_NUMBER"
  /** A date field's value is not a calendar date in a format Eloqua reads (`DATE_FORMATS`). */
  | "INVALID_DATE"
  /** A later occurrence of a key already seen. */
  | "DUPLICATE"
  /** The row alone does not fit in a request body of `maxBytes`. */
  | "ROW_TOO_LARGE"
  | (string & {});

/** A row that was set aside, and why. */
export interface Reject {
  /** 1-based source line where the record starts. */
  line: number;
  stage: RejectStage;
  code: RejectCode;
  /** One sentence for people: what is wrong with the row. */
  message: string;
  /**
   * The row's values, keyed by field name: as read from the source for parse
   * and validation rejects (before trimming), as they would have been staged
   * (trimmed) for later stages. A record the parser could not make a row of
   * (wrong number of fields, malformed) has its fields read through the same
   * column mapping, and its other first fields keyed by source column name
   * (`column N` past the header's columns, or for a column named like a field
   * that another column feeds).
   */
  values: Readonly<Record<string, string>>;
}

/** Receives every rejected row. Must not throw; it runs on the hot path. */
export type RejectHandler = (reject: Reject) => void;

/** Build the `values` of a reject from names and values aligned by index. */
export function valuesByName(names: readonly string[], values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < values.length; i++) out[names[i] ?? `column ${i + 1}`] = values[i] ?? "";
  return out;
}

/** Rows set aside, by reject code. */
export type RejectCounts = Record<string, number>;

/** Count `n` more rows under `code`. */
export function countReject(counts: RejectCounts, code: string, n = 1): void {
  if (n > 0) counts[code] = (counts[code] ?? 0) + n;
}

/** `counts` added together into a new object. */
export function sumRejectCounts(...counts: readonly Readonly<RejectCounts>[]): RejectCounts {
  const out: RejectCounts = {};
  for (const each of counts) for (const [code, n] of Object.entries(each)) countReject(out, code, n);
  return out;
}
