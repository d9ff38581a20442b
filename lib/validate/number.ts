/**
 * What a field of Eloqua's `"number"` data type (an opportunity's Amount, a
 * numeric contact or custom object field) is checked against before upload.
 *
 * Oracle's "Data types (date and numeric formats)"
 * (https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAA/Help/DataTypes/DataTypes.htm)
 * says a numeric value holds decimal numbers "up to four decimal points" and
 * integers "including negative values", at most "19 integer digits (15
 * before the decimal point and 4 digits after the decimal point)", and that
 * text such as "$" is no longer allowed in the value (it belongs to the
 * field's display format). So the rule is a plain decimal:
 *
 * - an optional `-` or `+`, then digits, optionally a `.` and more digits
 *   (`1250`, `-1250.50`, `+0.5`, `.5` and `5.` all pass);
 * - at most {@linkcode MAX_INTEGER_DIGITS} digits before the point and
 *   {@linkcode MAX_FRACTION_DIGITS} after it, not counting leading zeros
 *   before it or trailing zeros after it (`0001250.5000` is `1250.5`): the
 *   value must fit Eloqua's numeric exactly, so that nothing is rounded or
 *   cut silently;
 * - nothing else. Refused: thousands separators (`1,000`, `1 000`,
 *   `1'000`), because a `,` would be ambiguous with a European decimal
 *   comma (`1.000,50`); currency symbols and codes (`$100`, `100 EUR`),
 *   which Oracle says the value cannot hold; exponents (`1e5`), which Oracle
 *   does not mention; `NaN`, `Infinity`, hexadecimal, and digits of other
 *   scripts (`١٢٣`).
 *
 * {@linkcode isValidNumberBytes} and {@linkcode isValidNumberSpan} scan the
 * value in one pass; {@linkcode NUMBER_PATTERN} states the same rule as a
 * regular expression, kept as the oracle of the property tests.
 * @module
 */

/** Most digits before the decimal point that Eloqua's numeric holds (leading zeros not counted). */
export const MAX_INTEGER_DIGITS = 15;

/** Most digits after the decimal point that Eloqua's numeric holds (trailing zeros not counted). */
export const MAX_FRACTION_DIGITS = 4;

/** The rule in words, for messages: what a number field takes. */
export const NUMBER_RULE =
  "a number like 1250 or -1250.50 (at most 15 digits before the point and 4 after; no thousands separators, currency symbols or exponent)";

/**
 * The rule as a regular expression: a sign, then at least one digit before
 * or after an optional point (the lookahead), leading zeros and up to 15
 * digits that start with a non-zero one, and a fraction of up to 4 digits
 * followed only by zeros. `\d` would be the same here: without the `u` flag
 * it is ASCII only.
 */
export const NUMBER_PATTERN = /^[+-]?(?=\.?[0-9])0*(?:[1-9][0-9]{0,14})?(?:\.[0-9]{0,4}0*)?$/;

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;

/**
 * True when the bytes `bytes[start, end)` are a number by the rule above.
 * A byte ≥ 0x80 is no digit, so any non-ASCII value fails.
 */
export function isValidNumberBytes(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (i < end && (bytes[i] === MINUS || bytes[i] === PLUS)) i++;
  const digits = i;
  while (i < end && bytes[i] === ZERO) i++;
  const significant = i;
  // `(c - ZERO) >>> 0` makes anything below "0" huge: one comparison tells a digit.
  while (i < end && (bytes[i]! - ZERO) >>> 0 <= 9) i++;
  if (i - significant > MAX_INTEGER_DIGITS) return false;
  let seen = i > digits;
  if (i < end && bytes[i] === DOT) {
    const fraction = ++i;
    let last = i;
    for (; i < end; i++) {
      const d = bytes[i]! - ZERO;
      if (d >>> 0 > 9) break;
      if (d !== 0) last = i + 1;
    }
    if (last - fraction > MAX_FRACTION_DIGITS) return false;
    seen ||= i > fraction;
  }
  return seen && i === end;
}

/**
 * True when `text.slice(start, end)` is a number by the rule above. The
 * same scan as {@linkcode isValidNumberBytes} over UTF-16 code units (a
 * number may be long with padding zeros, so it is not copied to bytes first).
 */
export function isValidNumberSpan(text: string, start: number, end: number): boolean {
  let i = start;
  const sign = i < end ? text.charCodeAt(i) : 0;
  if (sign === MINUS || sign === PLUS) i++;
  const digits = i;
  while (i < end && text.charCodeAt(i) === ZERO) i++;
  const significant = i;
  while (i < end && (text.charCodeAt(i) - ZERO) >>> 0 <= 9) i++;
  if (i - significant > MAX_INTEGER_DIGITS) return false;
  let seen = i > digits;
  if (i < end && text.charCodeAt(i) === DOT) {
    const fraction = ++i;
    let last = i;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - ZERO;
      if (d >>> 0 > 9) break;
      if (d !== 0) last = i + 1;
    }
    if (last - fraction > MAX_FRACTION_DIGITS) return false;
    seen ||= i > fraction;
  }
  return seen && i === end;
}

/** True when `value` is a number Eloqua's numeric holds exactly, by the rule above. */
export function isValidNumber(value: string): boolean {
  return isValidNumberSpan(value, 0, value.length);
}
