import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DATE_FORMATS,
  DATE_PATTERNS,
  DATE_RULE,
  isValidDate,
  isValidDateBytes,
  isValidDateSpan,
} from "../../lib/validate/date.ts";

/**
 * The oracle: a value matches one format's pattern, and its year, month and
 * day survive a round trip through `Date` (which rolls February 30 over to
 * March), a calendar written by someone else.
 */
function reference(text: string): boolean {
  for (const pattern of DATE_PATTERNS) {
    const groups = pattern.exec(text)?.groups;
    if (groups === undefined) continue;
    const year = Number(groups.year);
    const month = Number(groups.month);
    const day = Number(groups.day);
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 1900–1999
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }
  return false;
}

/** The text as bytes, a code unit past 0xFF kept non-ASCII (not cut to its low byte). */
function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => Math.min(c.charCodeAt(0), 0xff));
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** Both entry points, which must agree. */
function check(text: string): boolean {
  const span = isValidDate(text);
  expect(isValidDateBytes(bytesOf(text), 0, text.length), text).toBe(span);
  return span;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

describe("isValidDate", () => {
  it("should accept each listed format", () => {
    expect(DATE_FORMATS).toHaveLength(DATE_PATTERNS.length);
    for (const ok of [
      "2024-06-15",
      "2024-06-15 18:01:00",
      "2024-06-15 00:00:00",
      "2024-06-15 23:59:59",
      "06/15/2024",
      "10/15/2014 3:15:14 AM",
      "10/15/2014 03:15:14 PM",
      "10/15/2014 12:00:00 am",
      "10/15/2014 11:59:59 pm",
      "0001-01-01",
      "9999-12-31 23:59:59",
    ]) {
      expect(check(ok), ok).toBe(true);
    }
  });

  it("should read slashes month first, as Eloqua does", () => {
    expect(check("02/03/2024")).toBe(true); // February 3
    expect(check("12/31/2024")).toBe(true);
    expect(check("13/10/2014")).toBe(false); // no month 13: not read as 13 October
    expect(check("31/12/2024")).toBe(false);
  });

  it("should refuse days that do not exist, leap years included", () => {
    for (const bad of [
      "2023-02-29",
      "1900-02-29",
      "2100-02-29",
      "02/29/2023",
      "2024-02-30",
      "2024-04-31",
      "06/31/2024",
      "2024-09-31",
      "2024-11-31",
      "2024-01-32",
      "2024-00-10",
      "2024-13-01",
      "2024-06-00",
      "0000-01-01",
    ]) {
      expect(check(bad), bad).toBe(false);
    }
    for (const ok of ["2024-02-29", "2000-02-29", "02/29/1600", "2024-01-31", "2024-08-31", "2024-12-31"]) {
      expect(check(ok), ok).toBe(true);
    }
  });

  it("should refuse times that do not exist", () => {
    for (const bad of [
      "2024-06-15 24:00:00",
      "2024-06-15 23:60:00",
      "2024-06-15 23:59:60",
      "10/15/2014 0:15:14 AM",
      "10/15/2014 00:15:14 AM",
      "10/15/2014 13:15:14 PM",
      "10/15/2014 3:60:14 AM",
      "10/15/2014 3:15:60 PM",
    ]) {
      expect(check(bad), bad).toBe(false);
    }
  });

  it("should refuse formats no source says Eloqua reads", () => {
    for (const bad of [
      "",
      "2024-06-15T18:01:00",
      "2024-06-15T18:01:00Z",
      "2024-06-15 18:01:00Z",
      "2024-06-15 18:01:00+02:00",
      "2024-06-15 18:01:00.437",
      "2024-06-15 18:01",
      "2024/06/15",
      "2024.06.15",
      "06-15-2024",
      "6/15/2024",
      "06/5/2024",
      "06/15/24",
      "06/15/2024 18:01:00",
      "06/15/2024 6:01:00",
      "06/15/2024 6:01:00AM",
      "06/15/2024 6:01:00 A.M.",
      "06/15/2024 6:01:00 AX",
      "06/15/2024 6:01:00 XM",
      "06/15/2024 6:01:00 !M",
      "06/15/2024 ::01:00 AM",
      "06/15/2024 6:01 AM",
      "06/15/2024 6:01:00-AM",
      "06/15/2024 10:01:00:PM",
      "15 Jun 2024",
      "20240615",
      " 2024-06-15",
      "2024-06-15 ",
      "２０２４-06-15",
      "2024‐06‐15",
    ]) {
      expect(check(bad), bad).toBe(false);
    }
  });

  it("should name every format in its rule's message", () => {
    for (const format of DATE_FORMATS) expect(DATE_RULE).toContain(format);
  });

  it("should agree with the oracle on every day of the months of leap and common years", () => {
    for (const year of [1, 1600, 1900, 1999, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const y = pad(year, 4);
          const m = pad(month, 2);
          const d = pad(day, 2);
          for (const text of [`${y}-${m}-${d}`, `${m}/${d}/${y}`, `${y}-${m}-${d} 12:30:45`]) {
            expect(check(text), text).toBe(reference(text));
          }
        }
      }
    }
  });

  it("should agree with the oracle on values built from the formats' parts, in and out of range", () => {
    const part = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
    const meridiem = fc.constantFrom("AM", "PM", "am", "pM", "AX", "XM", "BM", "A");
    fc.assert(
      fc.property(
        fc.record({
          year: part(9999, 4),
          month: part(14, 2),
          day: part(33, 2),
          hour: fc.oneof(part(25, 2), fc.integer({ min: 0, max: 13 }).map(String)),
          minute: part(61, 2),
          second: part(61, 2),
          meridiem,
        }),
        fc.integer({ min: 0, max: 3 }),
        ({ year, month, day, hour, minute, second, meridiem }, format) => {
          const text = [
            `${year}-${month}-${day}`,
            `${year}-${month}-${day} ${hour}:${minute}:${second}`,
            `${month}/${day}/${year}`,
            `${month}/${day}/${year} ${hour}:${minute}:${second} ${meridiem}`,
          ][format]!;
          expect(check(text), text).toBe(reference(text));
        },
      ),
      { numRuns: 10000 },
    );
  });

  it("should agree with the oracle on any text of date-like characters", () => {
    const unit = fc.constantFrom("0", "1", "2", "3", "9", "-", "/", ":", " ", "A", "p", "M", "T", "Z", "é");
    fc.assert(
      fc.property(fc.string({ unit, minLength: 8, maxLength: 24 }), (text) => {
        expect(check(text), text).toBe(reference(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("should agree with the oracle on valid values with one character changed", () => {
    // Code units past ASCII whose low byte is "0", "-", "/", ":" or " ": a span must not read them as those.
    const other = fc.constantFrom(
      "0",
      "9",
      "-",
      "/",
      ":",
      " ",
      "x",
      "P",
      "\u0130",
      "\u012d",
      "\u012f",
      "\u013a",
      "\u0120",
    );
    const valid = fc.constantFrom(
      "2024-02-29",
      "1999-12-31 23:59:59",
      "02/29/2000",
      "10/15/2014 3:15:14 AM",
      "10/15/2014 12:59:09 pm",
    );
    fc.assert(
      fc.property(valid, fc.nat(), other, (value, at, c) => {
        const i = at % value.length;
        const text = value.slice(0, i) + c + value.slice(i + 1);
        expect(check(text), text).toBe(reference(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("should agree with the oracle on random bytes of a format's lengths", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(10, 19, 21, 22),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        (n, s) => {
          const bytes = Uint8Array.from(s.take(n));
          expect(isValidDateBytes(bytes, 0, n)).toBe(reference(latin1(bytes)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("should check only the span it is given, in bytes and in text", () => {
    const date = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z") });
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), date, fc.string({ maxLength: 5 }), (before, when, after) => {
        if (Number.isNaN(when.getTime())) return;
        const value = when.toISOString().slice(0, 19).replace("T", " ");
        const text = before + value + after;
        const end = before.length + value.length;
        expect(isValidDateSpan(text, before.length, end)).toBe(true);
        expect(isValidDateBytes(bytesOf(`${"9".repeat(before.length)}${value}0`), before.length, end)).toBe(
          true,
        );
      }),
    );
  });
});
