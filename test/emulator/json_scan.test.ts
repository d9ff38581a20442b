import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonScanResult } from "../../lib/emulator/mod.ts";
import { JsonArrayScanner } from "../../lib/emulator/mod.ts";

const encoder = new TextEncoder();

function scan(text: string, cuts: readonly number[] = []): JsonScanResult {
  const bytes = encoder.encode(text);
  const scanner = new JsonArrayScanner();
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(cut, bytes.length);
    scanner.write(bytes.subarray(from, at));
    from = at;
  }
  scanner.write(bytes.subarray(from));
  return scanner.end();
}

/** The oracle: what JSON.parse says about "an array of flat objects". */
function isArrayOfFlatObjects(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === "object" &&
        item !== null &&
        !Array.isArray(item) &&
        Object.values(item).every((v) => v === null || typeof v !== "object"),
    )
  );
}

const flatValue = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const flatRows = fc.array(fc.dictionary(fc.string({ unit: "binary" }), flatValue, { maxKeys: 5 }), {
  maxLength: 20,
});
const cutsArb = fc.array(fc.nat({ max: 400 }), { maxLength: 6 });

describe("JsonArrayScanner", () => {
  it("should count the objects of the seed's example body", () => {
    const body =
      '[{"OpportunityID":"1","EmailAddress":"contact1@abccompany.com"},{"OpportunityID":"2","EmailAddress":"contact2@zyxcompany.com"}]';
    expect(scan(body)).toEqual({ ok: true, objects: 2 });
  });

  it("should accept an empty array, whitespace around tokens and a byte order mark", () => {
    expect(scan("[]")).toEqual({ ok: true, objects: 0 });
    expect(scan(' \n[ { "a" : 1 } ,\t{ } ]\r\n')).toEqual({ ok: true, objects: 2 });
    expect(scan('\ufeff[{"a":"b"}]')).toEqual({ ok: true, objects: 1 });
  });

  it("should reject nested values, non-object elements, trailing commas and truncation", () => {
    for (const bad of [
      '[{"a":{}}]',
      '[{"a":[1]}]',
      "[1]",
      '[{"a":1},]',
      '[{"a":1}',
      '[{"a":1}]x',
      '{"a":1}',
      "",
      '[{"a":01}]',
      '[{"a":"x\ny"}]',
    ]) {
      expect(scan(bad).ok, bad).toBe(false);
    }
  });

  it("should say where the body went wrong, in bytes", () => {
    expect(scan('[{"é":1},]')).toEqual({
      ok: false,
      message: 'Unexpected "]" at byte 10: expected "{" (the array holds objects)',
      offset: 10,
    });
    expect(scan('[{"a":1}')).toMatchObject({
      ok: false,
      offset: 8,
      message: expect.stringMatching(/end of the body/),
    });
  });

  it("should count every object of any array of flat objects, however the bytes are chunked", () => {
    fc.assert(
      fc.property(flatRows, fc.constantFrom(undefined, 0, 2), cutsArb, (rows, indent, cuts) => {
        expect(scan(JSON.stringify(rows, null, indent), cuts)).toEqual({ ok: true, objects: rows.length });
      }),
    );
  });

  it("should agree with JSON.parse on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), cutsArb, (value, cuts) => {
        const text = JSON.stringify(value);
        expect(scan(text, cuts).ok).toBe(isArrayOfFlatObjects(text));
      }),
    );
  });

  it("should agree with JSON.parse on bodies with one character inserted or deleted", () => {
    const mutation = fc.record({
      at: fc.nat(),
      insert: fc.constantFrom(...'[]{}",:.-+eE0159tfnul\\ \n\u0001x'),
      remove: fc.boolean(),
    });
    fc.assert(
      fc.property(flatRows, mutation, cutsArb, (rows, { at, insert, remove }, cuts) => {
        const text = JSON.stringify(rows);
        const i = at % (text.length + 1);
        const mutated = remove
          ? text.slice(0, i) + text.slice(i + 1)
          : text.slice(0, i) + insert + text.slice(i);
        expect(scan(mutated, cuts).ok).toBe(isArrayOfFlatObjects(mutated));
      }),
      { numRuns: 500 },
    );
  });

  it("should find quotes, backslashes and control bytes at any position of a long string", () => {
    for (let before = 0; before < 12; before++) {
      const pad = "x".repeat(before);
      expect(scan(`[{"k":"${pad}\\"${pad}"}]`).ok, `escaped quote after ${before}`).toBe(true);
      expect(scan(`[{"k":"${pad}"${pad}"}]`).ok, `quote after ${before}`).toBe(false);
      expect(scan(`[{"k":"${pad}\u0001${pad}"}]`).ok, `control byte after ${before}`).toBe(false);
      expect(scan(`[{"k":"${pad}\\u00e9${pad}é"}]`).ok, `unicode after ${before}`).toBe(true);
    }
  });

  it("should give the same answer for every split of a body into two chunks", () => {
    const text = '[{"a":"x\\"y\\u00e9","b":-1.5e+3,"c":true,"d":null},{"e":false}]';
    for (let cut = 0; cut <= text.length; cut++) expect(scan(text, [cut])).toEqual({ ok: true, objects: 2 });
  });
});
