import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser } from "../lib/csv/csv_parser.ts";
import { CsvRowReader } from "../lib/csv/csv_row_reader.ts";
import { isInvalidOptionError } from "../lib/errors.ts";
import type { Reject, RejectStage } from "../lib/reject.ts";
import { RejectsCsvWriter } from "../lib/rejects_csv.ts";

const HEADER = ["line", "OpportunityID", "EmailAddress", "code", "stage", "message", "other"];

/** Every record of `text`, parsed by the project's own parser. */
function parse(text: string): string[][] {
  const records: string[][] = [];
  const malformed: string[] = [];
  const parser = new CsvParser();
  const handler = {
    record: () => records.push(parser.fields()),
    malformed: (code: string) => malformed.push(code),
  };
  parser.push(text, handler);
  parser.end(handler);
  expect(malformed).toEqual([]);
  return records;
}

function reject(overrides: Partial<Reject> = {}): Reject {
  return {
    line: 2,
    stage: "validate",
    code: "INVALID_EMAIL",
    message: "input line 2: EmailAddress is not a valid e-mail address",
    values: { OpportunityID: "OPP-1", EmailAddress: "not-an-email" },
    ...overrides,
  };
}

describe("RejectsCsvWriter", () => {
  it("should start with a BOM and the header line, CRLF-terminated", () => {
    const header = new RejectsCsvWriter().header();
    expect(header).toBe(`\uFEFF${HEADER.join(",")}\r\n`);
    expect(new RejectsCsvWriter({ bom: false }).header()).toBe(`${HEADER.join(",")}\r\n`);
  });

  it("should write one line per reject, fields in header order", () => {
    const writer = new RejectsCsvWriter({ bom: false });
    const line = writer.write(reject());
    expect(line).toBe(
      "2,OPP-1,not-an-email,INVALID_EMAIL,validate,input line 2: EmailAddress is not a valid e-mail address,\r\n",
    );
    expect(writer.written).toBe(1);
  });

  it("should match the example of its documentation", () => {
    const writer = new RejectsCsvWriter();
    const csv =
      writer.header() +
      writer.write({
        line: 4,
        stage: "validate",
        code: "INVALID_EMAIL",
        message: '"bob@" is not a valid e-mail address',
        values: { OpportunityID: "OPP-2", EmailAddress: "bob@" },
      });
    expect(csv).toBe(
      "\uFEFFline,OpportunityID,EmailAddress,code,stage,message,other\r\n" +
        '4,OPP-2,bob@,INVALID_EMAIL,validate,"""bob@"" is not a valid e-mail address",\r\n',
    );
  });

  it("should leave duplicates out by default, and count them as skipped", () => {
    const writer = new RejectsCsvWriter();
    expect(writer.write(reject({ stage: "dedupe", code: "DUPLICATE" }))).toBe("");
    expect(writer.write(reject())).not.toBe("");
    expect(writer.written).toBe(1);
    expect(writer.skipped).toBe(1);
  });

  it("should write duplicates with includeDuplicates", () => {
    const writer = new RejectsCsvWriter({ includeDuplicates: true });
    const line = writer.write(reject({ stage: "dedupe", code: "DUPLICATE", message: "dup" }));
    expect(parse(line)).toEqual([["2", "OPP-1", "not-an-email", "DUPLICATE", "dedupe", "dup", ""]]);
    expect(writer.skipped).toBe(0);
  });

  it("should quote fields holding a comma, a quote, a line break or edge spaces (RFC 4180)", () => {
    const writer = new RejectsCsvWriter({ bom: false });
    const line = writer.write(
      reject({ values: { OpportunityID: "A, B", EmailAddress: ' x"y ' }, message: "two\nlines\r\n" }),
    );
    expect(line).toBe('2,"A, B"," x""y ",INVALID_EMAIL,validate,"two\nlines\r\n",\r\n');
  });

  it("should put values under other names into the other column as one JSON object", () => {
    const writer = new RejectsCsvWriter({ bom: false });
    const line = writer.write(
      reject({
        stage: "parse",
        code: "CSV_FIELD_COUNT",
        values: { OpportunityID: "OPP-1", EmailAddress: "a@b.c", "column 3": "extra" },
      }),
    );
    const [record] = parse(line);
    expect(record?.slice(1, 3)).toEqual(["OPP-1", "a@b.c"]);
    expect(JSON.parse(record![6]!)).toEqual({ "column 3": "extra" });
  });

  it("should find values keyed by the source columns named in columns, ignoring case", () => {
    const writer = new RejectsCsvWriter({ columns: { OpportunityID: "opp", EmailAddress: "Mail" } });
    const line = writer.write(
      reject({ stage: "parse", code: "CSV_FIELD_COUNT", values: { Opp: "OPP-9", MAIL: "z@y.x", Note: "n" } }),
    );
    const [record] = parse(line);
    expect(record?.slice(1, 3)).toEqual(["OPP-9", "z@y.x"]);
    expect(JSON.parse(record![6]!)).toEqual({ Note: "n" });
  });

  it("should write a ragged record's mapped values in the fields' columns, not a column named like a field", () => {
    const columns = { EmailAddress: "Contact", OpportunityID: "Opp" };
    const rejects: Reject[] = [];
    const reader = new CsvRowReader({ columns, sourceName: "f.csv", onReject: (r) => rejects.push(r) });
    reader.push("EmailAddress,Contact,Opp\nzzz,a@b.c,O3,extra\n");
    reader.end();
    const writer = new RejectsCsvWriter({ bom: false, columns });
    const [record] = parse(writer.writeAll(rejects));
    expect(record?.slice(0, 4)).toEqual(["2", "O3", "a@b.c", "CSV_FIELD_COUNT"]);
    expect(JSON.parse(record![6]!)).toEqual({ "column 1": "zzz", "column 4": "extra" });
  });

  it("should leave a field empty when the reject has no value for it", () => {
    const writer = new RejectsCsvWriter();
    const [record] = parse(writer.write(reject({ values: { OpportunityID: "OPP-1" } })));
    expect(record?.[2]).toBe("");
    expect(record?.[6]).toBe("");
  });

  it("should prefix values a spreadsheet would run as a formula with a quote", () => {
    const writer = new RejectsCsvWriter();
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      const value = `${start}HYPERLINK("http://x")`;
      const [record] = parse(writer.write(reject({ values: { OpportunityID: value, EmailAddress: "e" } })));
      expect(record?.[1]).toBe(`'${value}`);
    }
    const [plain] = parse(writer.write(reject({ values: { OpportunityID: "OPP=1", EmailAddress: "e" } })));
    expect(plain?.[1]).toBe("OPP=1");
  });

  it("should write values as they are with escapeFormulas: false", () => {
    const writer = new RejectsCsvWriter({ escapeFormulas: false });
    const [record] = parse(writer.write(reject({ values: { OpportunityID: "=1+1", EmailAddress: "@x" } })));
    expect(record?.slice(1, 3)).toEqual(["=1+1", "@x"]);
  });

  it("should write a header and lines for other fields", () => {
    const writer = new RejectsCsvWriter({ fields: ["Id", "Name"], bom: false });
    expect(writer.header()).toBe("line,Id,Name,code,stage,message,other\r\n");
    expect(parse(writer.write(reject({ values: { name: "N", Id: "1" } })))[0]?.slice(0, 3)).toEqual([
      "2",
      "1",
      "N",
    ]);
  });

  it("should refuse bad fields and columns with a message naming the option", () => {
    for (const fields of [[], [""], ["a", "A"]]) {
      let error: unknown;
      try {
        new RejectsCsvWriter({ fields });
      } catch (e) {
        error = e;
      }
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /^Cannot construct RejectsCsvWriter as fields must be a non-empty array of distinct non-empty names: current value is/,
      );
    }
    expect(() => new RejectsCsvWriter({ columns: null as never })).toThrow(
      "Cannot construct RejectsCsvWriter as columns must be an object: current value is null",
    );
  });

  const text = fc.string({
    unit: fc.constantFrom("a", "Z", "é", "😀", ",", '"', "\r", "\n", " ", "=", "-", "@", "\t"),
  });
  const arbitraryReject: fc.Arbitrary<Reject> = fc.record({
    line: fc.integer({ min: 1, max: 1e9 }),
    stage: fc.constantFrom<RejectStage>("parse", "validate", "dedupe", "batch", "upload", "sync"),
    code: fc.constantFrom("INVALID_EMAIL", "DUPLICATE", "ELQ-00084", "NOT_SENT"),
    message: text,
    values: fc.dictionary(fc.constantFrom("OpportunityID", "EmailAddress", "column 3", "Note"), text),
  });

  it("should round-trip every reject through CsvParser (formulas unescaped)", () => {
    fc.assert(
      fc.property(fc.array(arbitraryReject, { maxLength: 20 }), fc.boolean(), (rejects, escapes) => {
        const writer = new RejectsCsvWriter({ includeDuplicates: true, escapeFormulas: escapes });
        const records = parse(writer.header() + writer.writeAll(rejects));
        expect(records[0]).toEqual(HEADER);
        expect(records.length).toBe(rejects.length + 1);
        const unquote = (cell: string) => (escapes && /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
        rejects.forEach((r, i) => {
          const record = records[i + 1]!.map(unquote);
          expect(record.length).toBe(HEADER.length);
          expect(record[0]).toBe(String(r.line));
          expect(record[1]).toBe(r.values.OpportunityID ?? "");
          expect(record[2]).toBe(r.values.EmailAddress ?? "");
          expect(record.slice(3, 6)).toEqual([r.code, r.stage, r.message]);
          const { OpportunityID, EmailAddress, ...other } = r.values;
          expect(record[6] === "" ? {} : JSON.parse(record[6]!)).toEqual(other);
        });
      }),
    );
  });

  it("should never let a written cell start with a formula character when escaping", () => {
    fc.assert(
      fc.property(arbitraryReject, (r) => {
        const writer = new RejectsCsvWriter({ includeDuplicates: true });
        for (const cell of parse(writer.write(r))[0]!) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});
