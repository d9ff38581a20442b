import { InvalidOptionError } from "../errors.ts";
import { countReject, type RejectCounts, type RejectHandler, valuesByName } from "../reject.ts";
import type { RowBatch } from "../row_batch.ts";
import { type FieldSpec, fieldNames, type ImportSchema, LINKAGE_SCHEMA, quoteValue } from "../schema.ts";
import { decodeAscii, isTrimmedSpace, viewOf } from "../text_span.ts";
import { DATE_RULE, isValidDateBytes, isValidDateSpan } from "./date.ts";
import { isValidEmailBytes, isValidEmailSpan } from "./email.ts";
import { isValidNumberBytes, isValidNumberSpan, NUMBER_RULE } from "./number.ts";

/** Where the first control character (below U+0020, or U+007F) of `bytes[a, e)` is, or -1. */
function controlInBytes(bytes: Uint8Array, view: DataView, a: number, e: number): number {
  let i = a;
  // Four bytes a step while none is below 0x20, DEL or ≥ 0x80 (the "has a byte less than" test).
  for (; i + 4 <= e; i += 4) {
    const x = view.getInt32(i, true);
    const del = x ^ 0x7f7f7f7f;
    if (((((x - 0x20202020) & ~x) | ((del - 0x01010101) & ~del) | x) & 0x80808080) !== 0) break;
  }
  for (; i < e; i++) {
    const c = bytes[i]!;
    if (c < 0x20 || c === 0x7f) return i;
  }
  return -1;
}

/** The same for `text[a, e)`. */
function controlInText(text: string, a: number, e: number): number {
  for (let i = a; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return i;
  }
  return -1;
}

const TRIM = 1;
const REQUIRED = 2;
/** Scan for control characters (the e-mail rule refuses them already). */
const NO_CONTROL = 4;
const EMAIL = 8;
const CUSTOM = 16;
const NUMBER = 32;
const DATE = 64;

/** The checks of `field`, as bits. */
function fieldRules(field: FieldSpec): number {
  let rules = 0;
  if (field.trim !== false) rules |= TRIM;
  if (field.required) rules |= REQUIRED;
  // Each format refuses control characters already.
  if (field.format === "email") rules |= EMAIL;
  else if (field.format === "number") rules |= NUMBER;
  else if (field.format === "date") rules |= DATE;
  else if (field.allowControlCharacters !== true) rules |= NO_CONTROL;
  if (field.validate !== undefined) rules |= CUSTOM;
  return rules;
}

/** `isTrimmedSpace` for a byte of an ASCII span. */
function isAsciiSpace(c: number): boolean {
  return c <= 32 && (c === 32 || (c >= 9 && c <= 13));
}

/** Options of {@linkcode RowValidator} and `ValidateStream`. */
export interface RowValidatorOptions {
  /**
   * The fields and their rules; rows carry values in this schema's order.
   * @default LINKAGE_SCHEMA
   */
  schema?: ImportSchema;
  /**
   * The input's name in messages.
   * @default "input"
   */
  sourceName?: string;
  /**
   * Receives every invalid row with its reason.
   * @default undefined (invalid rows are only counted in `stats.invalid`)
   */
  onReject?: RejectHandler;
}

/** Counts of the validation stage. */
export interface ValidateStats {
  valid: number;
  invalid: number;
  /** The invalid rows by reject code, counted whether or not anyone reads rejects. */
  byCode: RejectCounts;
}

/**
 * The pure core of the validation stage: trims values as the schema says,
 * checks required fields, lengths, formats and validators, and keeps the
 * valid rows in order. Each invalid row goes to `onReject` with a stable
 * code, its line and its original values. Works on the batch's spans:
 * trimming narrows a span, and `format: "email"` scans the text in place.
 */
export class RowValidator {
  readonly stats: ValidateStats = { valid: 0, invalid: 0, byCode: {} };
  readonly #fields: readonly FieldSpec[];
  /** Per field, its checks as bits (`TRIM`, `REQUIRED`, …): read once, not per row from the spec objects. */
  readonly #rules: Uint8Array;
  /** Per field, its `maxLength`, or Infinity. */
  readonly #maxLengths: Float64Array;
  /** The fields with a check or a length limit: the others are left as they are, unread. */
  readonly #checked: Int32Array;
  readonly #names: string[];
  readonly #source: string;
  readonly #onReject: RejectHandler | undefined;
  readonly #newStarts: Int32Array;
  readonly #newEnds: Int32Array;
  #keep = new Uint8Array(1024);

  constructor(options: RowValidatorOptions = {}) {
    const schema = options.schema ?? LINKAGE_SCHEMA;
    if (!Array.isArray(schema.fields) || schema.fields.length === 0) {
      throw new InvalidOptionError("RowValidator", "schema.fields", "a non-empty array", schema.fields);
    }
    this.#fields = schema.fields;
    this.#rules = Uint8Array.from(schema.fields, fieldRules);
    this.#maxLengths = Float64Array.from(schema.fields, (f) => f.maxLength ?? Number.POSITIVE_INFINITY);
    this.#checked = Int32Array.from(
      schema.fields.flatMap((_, k) => (this.#rules[k] !== 0 || this.#maxLengths[k]! < Infinity ? [k] : [])),
    );
    this.#names = fieldNames(schema);
    this.#source = options.sourceName ?? "input";
    this.#onReject = options.onReject;
    this.#newStarts = new Int32Array(schema.fields.length);
    this.#newEnds = new Int32Array(schema.fields.length);
  }

  /** Validate `batch` in place: trims the values of valid rows and removes invalid ones. */
  validate(batch: RowBatch): RowBatch {
    if (this.#keep.length < batch.length) this.#keep = new Uint8Array(batch.length * 2);
    const keep = this.#keep;
    let valid = 0;
    const view = viewOf(batch.bytes);
    for (let r = 0; r < batch.length; r++) {
      const ok = this.#check(batch, view, r);
      keep[r] = ok ? 1 : 0;
      if (ok) valid++;
    }
    if (valid < batch.length) batch.keep(keep);
    this.stats.valid += valid;
    return batch;
  }

  #check(batch: RowBatch, view: DataView, r: number): boolean {
    const fields = this.#fields;
    const rules = this.#rules;
    const maxLengths = this.#maxLengths;
    const checked = this.#checked;
    const width = batch.width;
    const { starts, ends, bytes } = batch;
    const newStarts = this.#newStarts;
    const newEnds = this.#newEnds;
    const base = r * width;
    for (let c = 0; c < checked.length; c++) {
      const k = checked[c]!;
      const rule = rules[k]!;
      const start = starts[base + k]!;
      let e = ends[base + k]!;
      let a: number;
      // A byte span is ASCII: bytes are characters. Other values are strings in `aux`.
      if (start >= 0) {
        a = start;
        if ((rule & TRIM) !== 0) {
          while (a < e && isAsciiSpace(bytes[a]!)) a++;
          while (e > a && isAsciiSpace(bytes[e - 1]!)) e--;
        }
        newStarts[k] = a;
      } else {
        const text = batch.aux;
        a = ~start;
        if ((rule & TRIM) !== 0) {
          while (a < e && isTrimmedSpace(text.charCodeAt(a))) a++;
          while (e > a && isTrimmedSpace(text.charCodeAt(e - 1))) e--;
        }
        newStarts[k] = ~a;
      }
      newEnds[k] = e;
      const length = e - a;
      if (length === 0) {
        if ((rule & REQUIRED) !== 0) {
          return this.#reject(batch, r, "REQUIRED_FIELD_EMPTY", `${fields[k]!.name} is empty`);
        }
        continue;
      }
      if (length > maxLengths[k]!) {
        const field = fields[k]!;
        return this.#reject(
          batch,
          r,
          "FIELD_TOO_LONG",
          `${field.name} has ${length} characters, more than the ${field.maxLength} allowed`,
        );
      }
      if ((rule & NO_CONTROL) !== 0) {
        const at = start >= 0 ? controlInBytes(bytes, view, a, e) : controlInText(batch.aux, a, e);
        if (at >= 0) {
          const code = start >= 0 ? bytes[at]! : batch.aux.charCodeAt(at);
          return this.#reject(
            batch,
            r,
            "CONTROL_CHARACTER",
            `${fields[k]!.name} holds a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")}) at character ${at - a + 1}`,
          );
        }
      }
      if (
        (rule & EMAIL) !== 0 &&
        !(start >= 0 ? isValidEmailBytes(bytes, a, e) : isValidEmailSpan(batch.aux, a, e))
      ) {
        return this.#reject(
          batch,
          r,
          "INVALID_EMAIL",
          `${fields[k]!.name} ${quoteValue(this.#text(batch, start, a, e))} is not a valid e-mail address`,
        );
      }
      if (
        (rule & NUMBER) !== 0 &&
        !(start >= 0 ? isValidNumberBytes(bytes, a, e) : isValidNumberSpan(batch.aux, a, e))
      ) {
        return this.#reject(
          batch,
          r,
          "INVALID_NUMBER",
          `${fields[k]!.name} ${quoteValue(this.#text(batch, start, a, e))} is not ${NUMBER_RULE}`,
        );
      }
      if (
        (rule & DATE) !== 0 &&
        !(start >= 0 ? isValidDateBytes(bytes, a, e) : isValidDateSpan(batch.aux, a, e))
      ) {
        return this.#reject(
          batch,
          r,
          "INVALID_DATE",
          `${fields[k]!.name} ${quoteValue(this.#text(batch, start, a, e))} is not ${DATE_RULE}`,
        );
      }
      if ((rule & CUSTOM) !== 0) {
        const field = fields[k]!;
        const problem = field.validate!(this.#text(batch, start, a, e));
        if (problem !== undefined)
          return this.#reject(batch, r, problem.code, `${field.name}: ${problem.message}`);
      }
    }
    for (let c = 0; c < checked.length; c++) {
      const k = checked[c]!;
      starts[base + k] = newStarts[k]!;
      ends[base + k] = newEnds[k]!;
    }
    return true;
  }

  /** The value `[a, e)` of a span whose original start is `start` (a byte span when ≥ 0). */
  #text(batch: RowBatch, start: number, a: number, e: number): string {
    return start >= 0 ? decodeAscii(batch.bytes, a, e) : batch.aux.slice(a, e);
  }

  #reject(batch: RowBatch, r: number, code: string, message: string): false {
    this.stats.invalid++;
    countReject(this.stats.byCode, code);
    if (this.#onReject !== undefined) {
      const row = batch.row(r);
      this.#onReject({
        line: row.line,
        stage: "validate",
        code,
        message: `${this.#source} line ${row.line}: ${message}`,
        values: valuesByName(this.#names, row.values),
      });
    }
    return false;
  }
}
