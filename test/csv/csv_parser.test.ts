import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser, isInvalidOptionError } from "../../lib/mod.ts";
import { RUNTIME } from "../runtimes/runtime.ts";

interface Out {
  records: { line: number; fields: string[] }[];
  malformed: { line: number; code: string; fields: string[] }[];
}

function parse(chunks: readonly string[], options = {}): Out {
  const out: Out = { records: [], malformed: [] };
  const parser = new CsvParser(options);
  const handler = {
    record: (line: number) => out.records.push({ line, fields: parser.fields() }),
    malformed: (code: string, _message: string, line: number) =>
      out.malformed.push({ line, code, fields: parser.fields() }),
  };
  for (const chunk of chunks) parser.push(chunk, handler);
  parser.end(handler);
  return out;
}

const fields = (out: Out) => out.records.map((r) => r.fields);
const lines = (out: Out) => out.records.map((r) => r.line);

/** Cut `text` at the given positions. */
function cut(text: string, at: readonly number[]): string[] {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(text.slice(last, p));
    last = p;
  }
  chunks.push(text.slice(last));
  return chunks;
}

/** RFC 4180 writer: the oracle for round trips. */
function toCsv(records: readonly string[][], eol: string): string {
  return records
    .map((record) =>
      record.length === 1 && record[0] === ""
        ? '""'
        : record.map((f) => (/[",\r\n]/.test(f) || f === "" ? `"${f.replaceAll('"', '""')}"` : f)).join(","),
    )
    .map((line) => line + eol)
    .join("");
}

describe("CsvParser", () => {
  it("should read quoted fields, doubled quotes and line breaks inside quotes", () => {
    const out = parse(['a,b\n"x, y","say ""hi"""\n"two\nlines",z\n']);
    expect(fields(out)).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["two\nlines", "z"],
    ]);
    expect(lines(out)).toEqual([1, 2, 3]);
  });

  it("should treat CR, LF and CRLF as line breaks and count lines across them", () => {
    const out = parse(["a\r\nb\rc\nd"]);
    expect(fields(out)).toEqual([["a"], ["b"], ["c"], ["d"]]);
    expect(lines(out)).toEqual([1, 2, 3, 4]);
  });

  it("should count CRLF inside quotes as one line", () => {
    const out = parse(['"x\r\ny",1\r\nz,2\r\n']);
    expect(out.records).toEqual([
      { line: 1, fields: ["x\r\ny", "1"] },
      { line: 3, fields: ["z", "2"] },
    ]);
  });

  it("should skip blank lines without counting them as records, but keep their line numbers", () => {
    const out = parse(["a,b\n\n\r\n1,2\n\n"]);
    expect(out.records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 4, fields: ["1", "2"] },
    ]);
  });

  it('should read a lone quoted empty field ("") as a record, not a blank line', () => {
    expect(fields(parse(['a\n""\n']))).toEqual([["a"], [""]]);
    expect(fields(parse(['a\n""']))).toEqual([["a"], [""]]);
  });

  it("should strip a leading BOM", () => {
    expect(fields(parse(["\uFEFFa,b\n1,2"]))).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("should read a last line without a line break, and a trailing delimiter as an empty field", () => {
    expect(fields(parse(["a,b\n1,"]))).toEqual([
      ["a", "b"],
      ["1", ""],
    ]);
  });

  it("should keep text after a closing quote, and quotes inside unquoted fields", () => {
    expect(fields(parse(['"ab"cd,e"f\n']))).toEqual([["abcd", 'e"f']]);
  });

  it("should report an unterminated quote at the end as malformed, after the records before it", () => {
    const out = parse(['a,b\n1,2\n3,"open\nmore']);
    expect(fields(out)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(out.malformed).toEqual([{ line: 3, code: "CSV_UNTERMINATED_QUOTE", fields: ["3", "open\nmore"] }]);
  });

  it("should skip a record longer than maxRecordLength and go on with the next", () => {
    const out = parse([`a\n${"x".repeat(50)}\nb\n"${"y".repeat(60)}\n"\nc`], { maxRecordLength: 20 });
    expect(fields(out)).toEqual([["a"], ["b"], ["c"]]);
    expect(out.malformed.map((m) => [m.line, m.code])).toEqual([
      [2, "CSV_RECORD_TOO_LARGE"],
      [4, "CSV_RECORD_TOO_LARGE"],
    ]);
    expect(lines(out)).toEqual([1, 3, 6]);
  });

  it("should keep memory bounded for a huge record cut into many chunks", () => {
    const parser = new CsvParser({ maxRecordLength: 1000 });
    const malformed: string[] = [];
    const handler = { record() {}, malformed: (code: string) => malformed.push(code) };
    const chunk = "z".repeat(65536);
    for (let i = 0; i < 200; i++) parser.push(chunk, handler);
    parser.push("\n", handler);
    parser.end(handler);
    expect(malformed).toEqual(["CSV_RECORD_TOO_LARGE"]);
  });

  it("should use another delimiter when told", () => {
    expect(fields(parse(["a;b\n1;2"], { delimiter: ";" }))).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("should refuse bad options with a message naming the option and value", () => {
    expect(() => new CsvParser({ delimiter: "ab" })).toThrow(
      'Cannot construct CsvParser as delimiter must be one ASCII character other than a quote or a line break: current value is "ab"',
    );
    expect(() => new CsvParser({ maxRecordLength: 0 })).toThrow(
      "Cannot construct CsvParser as maxRecordLength must be a positive integer: current value is 0",
    );
    try {
      new CsvParser({ delimiter: '"' });
    } catch (error) {
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });

  const csvText = fc
    .array(fc.constantFrom("a", "b", "é", "😀", ",", '"', "\n", "\r", "\r\n", " ", "x,y", '""'), {
      maxLength: 60,
    })
    .map((parts) => parts.join(""));

  it("should give the same records and lines however the input is cut into chunks", () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 8 }), (text, at) => {
        expect(parse(cut(text, at))).toEqual(parse([text]));
      }),
      { numRuns: 2000 },
    );
  });

  it("should give the same records when fed one character at a time", () => {
    fc.assert(
      fc.property(csvText, (text) => {
        expect(parse([...text])).toEqual(parse([text]));
      }),
      { numRuns: 500 },
    );
  });

  it("should read back any records written as RFC 4180 CSV (records → CSV → records is identity)", () => {
    const field = fc.string({
      unit: fc.constantFrom("a", "Z", "1", " ", ",", '"', "\n", "\r", "é", "😀"),
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 20 }),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat(), { maxLength: 5 }),
        (records, eol, at) => {
          const text = toCsv(records, eol);
          const out = parse(cut(text, at));
          expect(out.malformed).toEqual([]);
          expect(fields(out)).toEqual(records);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("should report the physical line where each record starts", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "\n", ","), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 3 }), { maxLength: 15 }), (records) => {
        const text = toCsv(records, "\n");
        let line = 1;
        const expected = records.map((record) => {
          const start = line;
          line += 1 + record.join("").split("\n").length - 1;
          return start;
        });
        expect(lines(parse([text]))).toEqual(expected);
      }),
    );
  });
});

/**
 * csv-spectrum 2.0.0's location_coordinates.json expects the phone number
 * 1234567890 (and as one object, not an array) while its CSV holds
 * 2095257564: an error in the suite's data,
 * not a parsing question. The expectation is corrected to what the CSV says.
 */
const SUITE_ERRATA: Record<string, Record<string, string>> = {
  location_coordinates: { "Contact Phone Number": "2095257564" },
};

// workerd cannot read the suite's files from disk (its node:fs is a virtual file system).
describe.skipIf(RUNTIME === "workerd")("CsvParser on the csv-spectrum suite", () => {
  const root = new URL("../../node_modules/csv-spectrum/", import.meta.url);
  const names =
    RUNTIME === "workerd" ? [] : readdirSync(new URL("csvs/", root)).map((f) => f.replace(/\.csv$/, ""));

  it("should have the suite's cases to run", () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of names) {
    it(`should read ${name}.csv as the suite expects`, () => {
      const csv = readFileSync(new URL(`csvs/${name}.csv`, root), "utf8");
      // One case holds a single object rather than an array of one.
      const json = JSON.parse(readFileSync(new URL(`json/${name}.json`, root), "utf8")) as unknown;
      const expected = (Array.isArray(json) ? json : [json]).map((row: Record<string, string>) => ({
        ...row,
        ...SUITE_ERRATA[name],
      }));
      const [header, ...rows] = fields(parse([csv]));
      const objects = rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]])));
      expect(objects).toEqual(expected);
    });
  }
});
