import { isValidDate } from "../validate/date.ts";
import { isValidEmail } from "../validate/email.ts";
import { isValidNumber } from "../validate/number.ts";
import type { CatalogField } from "./field_catalog.ts";
import type { MutableRecord } from "./staging.ts";

/** A sync reject's code and message. */
export interface RejectCode {
  readonly statusCode: string;
  readonly message: string;
}

// Oracle's status code list (Developers/GettingStarted/APIRequests/eloqua-status-codes.htm) has a code for
// invalid e-mail addresses and one for records missing fields, but none for a number or a date that does
// not parse: "Malformed records" is the nearest, and the emulator's choice for both.
/** A value of an `emailAddress` field that is not an e-mail address. */
export const INVALID_EMAIL: RejectCode = { statusCode: "ELQ-00002", message: "Invalid email addresses." };
/** A value of a `number` or `date` field that is not one (no closer code is documented). */
export const MALFORMED: RejectCode = { statusCode: "ELQ-00032", message: "Malformed records." };
/** A field with `hasNotNullConstraint` left empty. */
export const MISSING_FIELDS: RejectCode = {
  statusCode: "ELQ-00061",
  message: "Rejected records (missing fields).",
};

/** What a row failed: the column and the code. */
export interface TypeProblem {
  readonly column: string;
  readonly code: RejectCode;
}

/** Checks one staged row; null when it fits. */
export type TypeCheck = (record: MutableRecord) => TypeProblem | null;

const PASS: TypeCheck = () => null;

/**
 * The type checks of a record import: each column whose statement is a field of `catalog`, by the
 * field's data type (e-mail address, number, date: the rules the client validates by, `lib/validate/`,
 * whose sources those files give) and its not-null constraint; values are trimmed first. The first
 * problem in the definition's column order is the row's. Columns of unknown fields, strings and
 * booleans are not checked. Built once per sync; rows exist (and are checked) in `"store"` mode only.
 */
export function typeCheck(
  fields: Readonly<Record<string, string>>,
  catalog: readonly CatalogField[] | undefined,
): TypeCheck {
  if (catalog === undefined) return PASS;
  const byStatement = new Map(catalog.map((field) => [field.statement.toLowerCase(), field]));
  const checks: { column: string; test: ((value: string) => boolean) | null; required: boolean }[] = [];
  for (const [column, statement] of Object.entries(fields)) {
    const field = byStatement.get(statement.toLowerCase());
    if (field === undefined) continue;
    const test = TESTS[field.dataType] ?? null;
    if (test !== null || field.hasNotNullConstraint)
      checks.push({ column, test, required: field.hasNotNullConstraint });
  }
  if (checks.length === 0) return PASS;
  return (record) => {
    for (const { column, test, required } of checks) {
      const value = (record.row[column] ?? "").trim();
      if (value === "") {
        if (required) return { column, code: MISSING_FIELDS };
        continue;
      }
      if (test !== null && !test(value))
        return { column, code: test === isValidEmail ? INVALID_EMAIL : MALFORMED };
    }
    return null;
  };
}

const TESTS: Partial<Record<CatalogField["dataType"], (value: string) => boolean>> = {
  emailAddress: isValidEmail,
  number: isValidNumber,
  date: isValidDate,
};
