import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvScanner, parseCsv } from "../../lib/emulator/mod.ts";

function scan(text: string, cuts: readonly number[] = []): ReturnType<CsvScanner["end"]> {
  const bytes = new TextEncoder().encode(text);
  const scanner = new CsvScanner();
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(cut, bytes.length);
    scanner.write(bytes.subarray(from, at));
    from = at;
  }
  scanner.write(bytes.subarray(from));
  return scanner.end();
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) || field === "" ? `"${field.replaceAll('"', '""')}"` : field;
}

describe("parseCsv", () => {
  it("should split a header and rows, with CRLF or LF, with or without a final newline", () => {
    expect(parseCsv("OpportunityID,EmailAddress\r\n1,a@b.c\n2,d@e.f")).toEqual({
      ok: true,
      header: ["OpportunityID", "EmailAddress"],
      rows: [
        ["1", "a@b.c"],
        ["2", "d@e.f"],
      ],
    });
  });

  it("should read quoted fields holding commas, quotes and line breaks", () => {
    expect(parseCsv('a,b\n"x,1","say ""hi""\r\nthere"\n')).toEqual({
      ok: true,
      header: ["a", "b"],
      rows: [["x,1", 'say "hi"\r\nthere']],
    });
  });

  it("should skip empty lines and a byte order mark, keeping empty fields", () => {
    expect(parseCsv('\ufeffa,b\n\n1,\r\n\r\n"",2\n')).toEqual({
      ok: true,
      header: ["a", "b"],
      rows: [
        ["1", ""],
        ["", "2"],
      ],
    });
  });

  it("should refuse malformed CSV with the record number", () => {
    expect(parseCsv('a\n"x')).toEqual({
      ok: false,
      message: "CSV record 2 is malformed: a quoted field is not terminated",
    });
    expect(parseCsv('a\nx"y')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/quote appears inside an unquoted/),
    });
    expect(parseCsv('a\n"x"y')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/text follows a closing quote/),
    });
    expect(parseCsv("a,b\n1")).toEqual({
      ok: false,
      message: "CSV record 2 is malformed: it has 1 fields where the header has 2",
    });
    expect(parseCsv("\n\n")).toEqual({ ok: false, message: "The CSV body has no header row" });
  });

  it("should give back any table written with RFC 4180 quoting", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\r", "\n", " ", "é") });
    const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
      fc.tuple(
        fc.array(
          field.filter((f) => f !== ""),
          { minLength: width, maxLength: width },
        ),
        fc.array(fc.array(field, { minLength: width, maxLength: width }), { maxLength: 6 }),
      ),
    );
    fc.assert(
      fc.property(table, fc.constantFrom("\n", "\r\n"), ([header, rows], eol) => {
        const text = [header, ...rows].map((record) => record.map(quote).join(",")).join(eol);
        expect(parseCsv(text)).toEqual({ ok: true, header, rows });
      }),
    );
  });
});

describe("CsvScanner", () => {
  it("should count data rows without the header", () => {
    expect(scan("a,b\n1,2\n3,4\n")).toEqual({ ok: true, rows: 2 });
    expect(scan("a,b")).toEqual({ ok: true, rows: 0 });
  });

  it("should agree with parseCsv on any text, however the bytes are chunked", () => {
    const text = fc.string({ unit: fc.constantFrom("a", ",", '"', "\r", "\n"), maxLength: 40 });
    fc.assert(
      fc.property(text, fc.array(fc.nat({ max: 45 }), { maxLength: 4 }), (csv, cuts) => {
        const parsed = parseCsv(csv);
        const scanned = scan(csv, cuts);
        expect(scanned).toEqual(
          parsed.ok ? { ok: true, rows: parsed.rows.length } : { ok: false, message: parsed.message },
        );
      }),
      { numRuns: 1000 },
    );
  });
});
