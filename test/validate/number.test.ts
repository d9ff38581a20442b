import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidNumber,
  isValidNumberBytes,
  isValidNumberSpan,
  MAX_FRACTION_DIGITS,
  MAX_INTEGER_DIGITS,
  NUMBER_PATTERN,
  NUMBER_RULE,
} from "../../lib/validate/number.ts";

/** One byte a code unit: what a byte span of the batch is, and how a byte ≥ 0x80 stays a non-ASCII character. */
function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** The text as bytes, a code unit past 0xFF kept non-ASCII (not cut to its low byte). */
function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => Math.min(c.charCodeAt(0), 0xff));
}

/** Both entry points, which must agree. */
function check(text: string): boolean {
  const span = isValidNumber(text);
  expect(isValidNumberBytes(bytesOf(text), 0, text.length), text).toBe(span);
  return span;
}

describe("isValidNumber", () => {
  it("should accept plain decimals with an optional sign", () => {
    for (const ok of [
      "0",
      "1250",
      "-1250.50",
      "+1250.5",
      "-0",
      "0.5",
      ".5",
      "-.5",
      "5.",
      "007",
      "123456789012345",
      "-123456789012345.1234",
      "0.0001",
      "1250.500000",
      "000000000000000000001.10000000",
    ]) {
      expect(check(ok), ok).toBe(true);
    }
  });

  it("should refuse thousands separators, currency, exponents, words and other scripts", () => {
    for (const bad of [
      "",
      "-",
      "+",
      ".",
      "-.",
      "1,000",
      "1.000,50",
      "1,5",
      "1 000",
      "1'000",
      "$100",
      "100$",
      "€5",
      "100 EUR",
      "1e5",
      "1E-3",
      "NaN",
      "Infinity",
      "-Infinity",
      "0x10",
      "--1",
      "+-1",
      "1-",
      "1..2",
      "1.2.3",
      " 1",
      "1 ",
      "١٢٣",
      "１２３",
      "12%",
      "1/2",
      "12:30",
    ]) {
      expect(check(bad), bad).toBe(false);
    }
  });

  it("should hold at most 15 digits before the point and 4 after, not counting padding zeros", () => {
    const integer = "9".repeat(MAX_INTEGER_DIGITS);
    expect(check(integer)).toBe(true);
    expect(check(`-${integer}.${"9".repeat(MAX_FRACTION_DIGITS)}`)).toBe(true);
    expect(check(`1${integer}`)).toBe(false);
    expect(check(`0000${integer}`)).toBe(true);
    expect(check(`1.${"0".repeat(MAX_FRACTION_DIGITS)}1`)).toBe(false);
    expect(check(`1.1234${"0".repeat(40)}`)).toBe(true);
    expect(check("0.00001")).toBe(false);
  });

  it("should accept every number its rule's message shows", () => {
    const examples = NUMBER_RULE.match(/-?[0-9]+(?:\.[0-9]+)?/g) ?? [];
    expect(examples).toContain("-1250.50");
    for (const example of examples) expect(check(example), example).toBe(true);
  });

  it("should agree with the regular expression on any text of number-like characters (the oracle)", () => {
    // "/" and ":" sit either side of the digits; "\u0131" is a code unit whose low byte is "1".
    const unit = fc.constantFrom(
      "0",
      "0",
      "1",
      "5",
      "9",
      ".",
      "-",
      "+",
      ",",
      "/",
      ":",
      "e",
      " ",
      "$",
      "١",
      "\u0131",
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), (text) => {
        expect(check(text)).toBe(NUMBER_PATTERN.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("should agree with the oracle on numbers built from the grammar, around both digit limits", () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom("0", "1", "9"), maxLength: max });
    fc.assert(
      fc.property(
        fc.constantFrom("", "-", "+"),
        fc.string({ unit: fc.constant("0"), maxLength: 3 }),
        digits(18),
        fc.option(fc.tuple(digits(7), fc.string({ unit: fc.constant("0"), maxLength: 3 }))),
        (sign, zeros, integer, fraction) => {
          const text = `${sign}${zeros}${integer}${fraction === null ? "" : `.${fraction[0]}${fraction[1]}`}`;
          expect(check(text)).toBe(NUMBER_PATTERN.test(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("should agree with the oracle on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        expect(isValidNumberBytes(bytes, 0, bytes.length)).toBe(NUMBER_PATTERN.test(latin1(bytes)));
      }),
      { numRuns: 5000 },
    );
  });

  it("should only accept values that parse as finite numbers", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), fc.double(), (text, value) => {
        for (const candidate of [text, String(value), value.toFixed(2)]) {
          if (isValidNumber(candidate)) expect(Number.isFinite(Number(candidate)), candidate).toBe(true);
        }
      }),
    );
  });

  it("should check only the span it is given, in bytes and in text", () => {
    const number = fc.stringMatching(/^[+-]?[0-9]{1,16}(\.[0-9]{0,6})?$/);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 5 }),
        number,
        fc.string({ maxLength: 5 }),
        (before, value, after) => {
          const text = before + value + after;
          const end = before.length + value.length;
          expect(isValidNumberSpan(text, before.length, end)).toBe(isValidNumber(value));
          const ascii = `${"x".repeat(before.length)}${value}${"9".repeat(after.length)}`;
          expect(isValidNumberBytes(bytesOf(ascii), before.length, end)).toBe(isValidNumber(value));
        },
      ),
    );
  });
});
