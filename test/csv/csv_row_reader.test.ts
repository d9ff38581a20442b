import { describe, expect, it } from "vitest";
import {
  CsvRowReader,
  type CsvRowReaderOptions,
  isCsvHeaderError,
  type Reject,
  type Row,
} from "../../lib/mod.ts";

function read(chunks: readonly (string | Uint8Array)[], options: CsvRowReaderOptions = {}) {
  const rejects: Reject[] = [];
  const reader = new CsvRowReader({ ...options, onReject: (r) => rejects.push(r) });
  const rows: Row[] = [];
  for (const chunk of chunks) rows.push(...(reader.push(chunk)?.toRows() ?? []));
  rows.push(...(reader.end()?.toRows() ?? []));
  return { rows, rejects, stats: reader.stats };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("CsvRowReader", () => {
  it("should map source columns to the schema's fields, case-insensitively, in schema order", () => {
    const { rows } = read(["emailaddress,Extra,opportunityid\na@b.co,x,7\n"]);
    expect(rows).toEqual([{ line: 2, values: ["7", "a@b.co"] }]);
  });

  it("should map renamed columns through the columns option", () => {
    const { rows } = read(["Opp,email\n7,a@b.co\n"], {
      columns: { OpportunityID: "opp", EmailAddress: "EMAIL" },
    });
    expect(rows).toEqual([{ line: 2, values: ["7", "a@b.co"] }]);
  });

  it("should match header case exactly when caseSensitiveHeaders is set", () => {
    expect(() => read(["opportunityid,EmailAddress\n"], { caseSensitiveHeaders: true })).toThrow(
      /the required column "OpportunityID" is missing/,
    );
  });

  it("should throw before any row flows when a required column is missing, naming the source and line", () => {
    const reader = new CsvRowReader({ sourceName: "links.csv" });
    let caught: unknown;
    try {
      reader.push("OpportunityID,mail\n1,a@b.co\n");
    } catch (error) {
      caught = error;
    }
    expect(isCsvHeaderError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      'links.csv line 1: the required column "EmailAddress" is missing (the header has: "OpportunityID", "mail"); name the source column with the columns option',
    );
    expect((caught as { code: string }).code).toBe("CSV_MISSING_COLUMN");
  });

  it("should refuse a header where a field's column appears twice", () => {
    expect(() => read(["OpportunityID,EmailAddress,emailaddress\n"])).toThrow(/appears more than once/);
  });

  it("should refuse an empty input with a clear message", () => {
    expect(() => read([""], { sourceName: "empty.csv" })).toThrow(
      "empty.csv line 1: the input is empty; expected a header row naming the columns OpportunityID, EmailAddress",
    );
  });

  it("should read a header-only input as no rows", () => {
    const { rows, stats } = read(["OpportunityID,EmailAddress\r\n"]);
    expect(rows).toEqual([]);
    expect(stats).toEqual({ read: 0, rejected: 0, byCode: {} });
  });

  it("should reject rows with the wrong number of fields, and go on with the rows around them", () => {
    const { rows, rejects, stats } = read(
      ["OpportunityID,EmailAddress\n1,a@b.co\n2,b@b.co,extra\n3\n4,d@b.co\n"],
      {
        sourceName: "f.csv",
      },
    );
    expect(rows.map((r) => r.line)).toEqual([2, 5]);
    expect(rejects).toEqual([
      {
        line: 3,
        stage: "parse",
        code: "CSV_FIELD_COUNT",
        message: "f.csv line 3: the record has 3 fields, the header has 2",
        values: { OpportunityID: "2", EmailAddress: "b@b.co", "column 3": "extra" },
      },
      {
        line: 4,
        stage: "parse",
        code: "CSV_FIELD_COUNT",
        message:
          'f.csv line 4: the record has 1 field, the header has 2, and it ends before the mapped column "EmailAddress"',
        values: { OpportunityID: "3" },
      },
    ]);
    expect(stats).toEqual({ read: 4, rejected: 2, byCode: { CSV_FIELD_COUNT: 2 } });
  });

  it("should read a record without its trailing empty cells as a row when every mapped column is in it", () => {
    // Some exporters drop trailing empty cells: Note and Owner are not mapped, EmailAddress is.
    const { rows, rejects } = read(
      ["OpportunityID,EmailAddress,Note,Owner\n1,a@b.co,,\n2,b@b.co\n3,c@b.co,x\n4\n"],
      { sourceName: "f.csv" },
    );
    expect(rows.map((r) => [r.line, r.values])).toEqual([
      [2, ["1", "a@b.co"]],
      [3, ["2", "b@b.co"]],
      [4, ["3", "c@b.co"]],
    ]);
    expect(rejects.map((r) => [r.line, r.code, r.message])).toEqual([
      [
        5,
        "CSV_FIELD_COUNT",
        'f.csv line 5: the record has 1 field, the header has 4, and it ends before the mapped column "EmailAddress"',
      ],
    ]);
  });

  it("should key a ragged record's values by field through the columns option, as validation rejects are", () => {
    // A column named like a field that another column feeds keeps its value under `column N`, not the field.
    const { rejects } = read(["EmailAddress,Contact,Opp\nzzz,a@b.c,O3,extra\nyyy,b@b.c\n"], {
      columns: { EmailAddress: "Contact", OpportunityID: "Opp" },
    });
    expect(rejects.map((r) => [r.code, r.values])).toEqual([
      [
        "CSV_FIELD_COUNT",
        { "column 1": "zzz", EmailAddress: "a@b.c", OpportunityID: "O3", "column 4": "extra" },
      ],
      ["CSV_FIELD_COUNT", { "column 1": "yyy", EmailAddress: "b@b.c" }],
    ]);
    const unterminated = read(['EmailAddress,Contact,Opp,Note\nzzz,a@b.c,O3,"open\n'], {
      columns: { EmailAddress: "Contact", OpportunityID: "Opp" },
    }).rejects;
    expect(unterminated.map((r) => [r.code, r.values])).toEqual([
      [
        "CSV_UNTERMINATED_QUOTE",
        { "column 1": "zzz", EmailAddress: "a@b.c", OpportunityID: "O3", Note: "open\n" },
      ],
    ]);
  });

  it("should key a ragged record's values by field name when the header names a field in another case", () => {
    const { rejects } = read(["emailaddress,opportunityid\na@b.co,7,extra\n"]);
    expect(rejects[0]!.values).toEqual({ EmailAddress: "a@b.co", OpportunityID: "7", "column 3": "extra" });
  });

  it("should decode multi-byte characters split across byte chunks", () => {
    const all = bytes("OpportunityID,EmailAddress\nü😀,x@y.z\n");
    for (let cutAt = 0; cutAt <= all.length; cutAt++) {
      const { rows } = read([all.subarray(0, cutAt), all.subarray(cutAt)]);
      expect(rows).toEqual([{ line: 2, values: ["ü😀", "x@y.z"] }]);
    }
  });

  it("should strip a UTF-8 BOM from bytes and read CRLF files", () => {
    const { rows } = read([bytes("\uFEFFOpportunityID,EmailAddress\r\n1,a@b.co\r\n")]);
    expect(rows).toEqual([{ line: 2, values: ["1", "a@b.co"] }]);
  });

  it("should reject records holding bytes that are not UTF-8, naming the line, and keep the others", () => {
    const latin1 = new Uint8Array([
      ...bytes("OpportunityID,EmailAddress\n1,a@b.co\n2,caf"),
      0xe9,
      ...bytes("@x.org\n3,c@d.co\n"),
    ]);
    const { rows, rejects } = read([latin1]);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(rejects.map((r) => [r.line, r.code])).toEqual([[3, "CSV_INVALID_UTF8"]]);
  });

  it("should name the field holding bytes that are not UTF-8", () => {
    const cp1252 = new Uint8Array([
      ...bytes("OpportunityID,EmailAddress\nOPP-1,ren"),
      0xe9,
      ...bytes("@x.org\n"),
    ]);
    const { rejects } = read([cp1252], { sourceName: "f.csv" });
    expect(rejects.map((r) => r.message)).toEqual([
      "f.csv line 2: field 2 holds bytes that are not valid UTF-8; save the file as UTF-8",
    ]);
  });

  it("should name the field that makes a record longer than maxRecordLength", () => {
    const { rejects, rows } = read(
      [`OpportunityID,EmailAddress\n1,a@b.co\n2,${"a".repeat(40)}\n3,c@d.co\n`],
      {
        sourceName: "f.csv",
        maxRecordLength: 32,
      },
    );
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(rejects.map((r) => r.message)).toEqual([
      "f.csv line 3: field 2 makes the record longer than 32 bytes (maxRecordLength)",
    ]);
  });

  it("should refuse a header longer than maxRecordLength as soon as it passes it, not at its end", () => {
    const reader = new CsvRowReader({ sourceName: "zero", maxRecordLength: 32 });
    reader.push("\n\n");
    expect(() => reader.push("\u0000".repeat(20))).not.toThrow();
    let caught: unknown;
    try {
      reader.push("\u0000".repeat(20));
    } catch (error) {
      caught = error;
    }
    expect(isCsvHeaderError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe("CSV_NO_HEADER");
    expect((caught as Error).message).toBe(
      "zero line 3: the header row cannot be read: field 1 makes the record longer than 32 bytes (maxRecordLength)",
    );
  });

  it("should keep at most 8 values past the header's width in the reject of a ragged record", () => {
    // A line of a million commas made a reject of a million values: ~10 s and ~700 MB in the CLI.
    const { rows, rejects } = read(
      [`OpportunityID,EmailAddress\n1,a@b.co\n9,z@b.co${",".repeat(1_000_000)}\n3,c@d.co\n`],
      {
        sourceName: "f.csv",
      },
    );
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.message).toBe("f.csv line 3: the record has 1000002 fields, the header has 2");
    expect(Object.keys(rejects[0]!.values)).toEqual([
      "OpportunityID",
      "EmailAddress",
      ...Array.from({ length: 8 }, (_, i) => `column ${i + 3}`),
    ]);
    expect(rejects[0]!.values).toMatchObject({ OpportunityID: "9", EmailAddress: "z@b.co" });
  });

  it("should keep the schema's columns in a reject however far right they are in a wide header", () => {
    const header = Array.from({ length: 3000 }, (_, i) => `c${i + 1}`);
    header[1999] = "OpportunityID";
    header[2999] = "EmailAddress";
    const short = Array.from({ length: 2999 }, (_, i) => (i === 1999 ? "OPP-7" : "v"));
    const { rejects } = read([`${header.join(",")}\n${short.join(",")}\n`]);
    expect(rejects.map((r) => r.code)).toEqual(["CSV_FIELD_COUNT"]);
    const values = rejects[0]!.values;
    expect(Object.keys(values)).toHaveLength(1024 + 1);
    expect(values.OpportunityID).toBe("OPP-7");
    expect(values.EmailAddress).toBeUndefined();
    expect(values.c1024).toBe("v");
    expect(values.c1025).toBeUndefined();
  });

  it("should keep U+FFFD that came as text (not decoded by the reader)", () => {
    const { rows } = read(["OpportunityID,EmailAddress\n\uFFFD,a@b.co\n"]);
    expect(rows).toEqual([{ line: 2, values: ["\uFFFD", "a@b.co"] }]);
  });

  it("should give a field missing from an optional column as empty", () => {
    const schema = {
      name: "test",
      fields: [{ name: "A", required: true }, { name: "B" }],
      key: ["A"],
    };
    const { rows } = read(["a\n1\n"], { schema });
    expect(rows).toEqual([{ line: 2, values: ["1", ""] }]);
  });
});
