import { InvalidOptionError } from "../errors.ts";
import type { RejectHandler } from "../reject.ts";
import { valuesByName } from "../reject.ts";
import type { RowBatch } from "../row_batch.ts";
import { type FieldSpec, fieldNames, type ImportSchema, LINKAGE_SCHEMA, quoteValue } from "../schema.ts";
import { decodeAscii, isTrimmedSpace } from "../text_span.ts";
import { isValidEmailBytes, isValidEmailSpan } from "./email.ts";

/** Where the first control character (below U+0020, or U+007F) of `bytes[a, e)` is, or -1. */
function controlInBytes(bytes: Uint8Array, a: number, e: number): number {
  for (let i = a; i < e; i++) {
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
}

/**
 * The pure core of the validation stage: trims values as the schema says,
 * checks required fields, lengths, formats and validators, and keeps the
 * valid rows in order. Each invalid row goes to `onReject` with a stable
 * code, its line and its original values. Works on the batch's spans:
 * trimming narrows a span, and `format: "email"` scans the text in place.
 */
export class RowValidator {
  readonly stats: ValidateStats = { valid: 0, invalid: 0 };
  readonly #fields: readonly FieldSpec[];
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
    for (let r = 0; r < batch.length; r++) {
      const ok = this.#check(batch, r);
      keep[r] = ok ? 1 : 0;
      if (ok) valid++;
    }
    if (valid < batch.length) batch.keep(keep);
    this.stats.valid += valid;
    return batch;
  }

  #check(batch: RowBatch, r: number): boolean {
    const fields = this.#fields;
    const width = batch.width;
    const { starts, ends, bytes } = batch;
    const newStarts = this.#newStarts;
    const newEnds = this.#newEnds;
    for (let k = 0; k < width; k++) {
      const field = fields[k]!;
      const i = r * width + k;
      const start = starts[i]!;
      let e = ends[i]!;
      let a: number;
      // A byte span is ASCII: bytes are characters. Other values are strings in `aux`.
      if (start >= 0) {
        a = start;
        if (field.trim !== false) {
          while (a < e && isTrimmedSpace(bytes[a]!)) a++;
          while (e > a && isTrimmedSpace(bytes[e - 1]!)) e--;
        }
        newStarts[k] = a;
      } else {
        const text = batch.aux;
        a = ~start;
        if (field.trim !== false) {
          while (a < e && isTrimmedSpace(text.charCodeAt(a))) a++;
          while (e > a && isTrimmedSpace(text.charCodeAt(e - 1))) e--;
        }
        newStarts[k] = ~a;
      }
      newEnds[k] = e;
      const length = e - a;
      if (length === 0) {
        if (field.required) return this.#reject(batch, r, "REQUIRED_FIELD_EMPTY", `${field.name} is empty`);
        continue;
      }
      if (field.maxLength !== undefined && length > field.maxLength) {
        return this.#reject(
          batch,
          r,
          "FIELD_TOO_LONG",
          `${field.name} has ${length} characters, more than the ${field.maxLength} allowed`,
        );
      }
      // The e-mail rule already refuses every control character.
      if (field.allowControlCharacters !== true && field.format !== "email") {
        const at = start >= 0 ? controlInBytes(bytes, a, e) : controlInText(batch.aux, a, e);
        if (at >= 0) {
          const code = start >= 0 ? bytes[at]! : batch.aux.charCodeAt(at);
          return this.#reject(
            batch,
            r,
            "CONTROL_CHARACTER",
            `${field.name} holds a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")}) at character ${at - a + 1}`,
          );
        }
      }
      if (
        field.format === "email" &&
        !(start >= 0 ? isValidEmailBytes(bytes, a, e) : isValidEmailSpan(batch.aux, a, e))
      ) {
        return this.#reject(
          batch,
          r,
          "INVALID_EMAIL",
          `${field.name} ${quoteValue(this.#text(batch, start, a, e))} is not a valid e-mail address`,
        );
      }
      if (field.validate !== undefined) {
        const problem = field.validate(this.#text(batch, start, a, e));
        if (problem !== undefined)
          return this.#reject(batch, r, problem.code, `${field.name}: ${problem.message}`);
      }
    }
    for (let k = 0; k < width; k++) {
      starts[r * width + k] = newStarts[k]!;
      ends[r * width + k] = newEnds[k]!;
    }
    return true;
  }

  /** The value `[a, e)` of a span whose original start is `start` (a byte span when ≥ 0). */
  #text(batch: RowBatch, start: number, a: number, e: number): string {
    return start >= 0 ? decodeAscii(batch.bytes, a, e) : batch.aux.slice(a, e);
  }

  #reject(batch: RowBatch, r: number, code: string, message: string): false {
    this.stats.invalid++;
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
