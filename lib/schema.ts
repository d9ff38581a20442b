import type { RejectCode } from "./reject.ts";
import { isValidEmail } from "./validate/email.ts";

/** What is wrong with one value, as a validator reports it. */
export interface FieldProblem {
  code: RejectCode;
  message: string;
}

/** The built-in value checks of {@linkcode FieldSpec.format}. */
export type FieldFormat = "email" | "number" | "date";

/** One field of an import definition, as data. */
export interface FieldSpec {
  /** The definition's field key, e.g. `"EmailAddress"`; also the JSON key of staged rows. */
  name: string;
  /**
   * Whether the value must be non-empty (after trimming).
   * @default false
   */
  required?: boolean;
  /**
   * Whether leading and trailing white space is removed before validation and upload.
   * @default true
   */
  trim?: boolean;
  /**
   * Longest value allowed, in UTF-16 code units (what Eloqua counts).
   * @default undefined (no limit)
   */
  maxLength?: number;
  /**
   * Whether a value may hold control characters (U+0000–U+001F, U+007F:
   * NUL, tab, line breaks inside quotes, …). They are never part of an ID or
   * an address; seen in a value, they usually mean a file that is not UTF-8
   * text (UTF-16, binary), so such rows are rejected (`CONTROL_CHARACTER`).
   * @default false
   */
  allowControlCharacters?: boolean;
  /**
   * A built-in check of a non-empty, trimmed value that runs over the input
   * text without making a string: `"email"` is the WHATWG HTML rule for a
   * valid e-mail address; `"number"` a decimal number (`NUMBER_RULE`);
   * `"date"` one of the date formats Eloqua reads (`DATE_FORMATS`).
   * @default undefined
   */
  format?: FieldFormat;
  /**
   * Any other check of a non-empty, trimmed value; returns the problem, or
   * `undefined` when it is fine. Slower than `format`: it needs a string.
   * @default undefined
   */
  validate?: (value: string) => FieldProblem | undefined;
}

/**
 * The fields of one kind of Eloqua import, and which of them identify a row
 * for de-duplication. Other imports (contacts, accounts, custom objects) are
 * added by writing another schema, not another stage.
 */
export interface ImportSchema {
  /** A name for messages, e.g. `"opportunity contact linkage"`. */
  name: string;
  fields: readonly FieldSpec[];
  /** Names of the fields whose values together identify a row. */
  key: readonly string[];
}

/** The e-mail address rule of the WHATWG HTML standard, plus Eloqua's 254-character cap. */
export function validateEmail(value: string): FieldProblem | undefined {
  if (isValidEmail(value)) return undefined;
  return { code: "INVALID_EMAIL", message: `${quoteValue(value)} is not a valid e-mail address` };
}

/** A value quoted for a message, cut to 80 characters so a huge field cannot flood a log. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The opportunity ↔ contact linkage import: `OpportunityID` + `EmailAddress`. */
export const LINKAGE_SCHEMA: ImportSchema = Object.freeze({
  name: "opportunity contact linkage",
  fields: Object.freeze([
    Object.freeze({ name: "OpportunityID", required: true, trim: true }),
    Object.freeze({
      name: "EmailAddress",
      required: true,
      trim: true,
      maxLength: 254,
      format: "email" as const,
    }),
  ]),
  key: Object.freeze(["OpportunityID", "EmailAddress"]),
});

/** The names of a schema's fields, in order. */
export function fieldNames(schema: ImportSchema): string[] {
  return schema.fields.map((f) => f.name);
}
