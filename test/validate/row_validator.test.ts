import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvRowReader, type Reject, type Row, RowBatch, RowValidator } from "../../lib/mod.ts";

function validate(rows: Row[], options = {}) {
  const rejects: Reject[] = [];
  const validator = new RowValidator({ ...options, onReject: (r) => rejects.push(r) });
  const kept = validator.validate(RowBatch.fromRows(rows, 2)).toRows();
  return { kept, rejects, stats: validator.stats };
}

describe("RowValidator", () => {
  it("should trim values of valid rows", () => {
    expect(validate([{ line: 2, values: [" 7\t", "\u00a0a@b.co "] }]).kept).toEqual([
      { line: 2, values: ["7", "a@b.co"] },
    ]);
  });

  it("should reject each kind of invalid row with a stable code, its line and original values", () => {
    const { kept, rejects } = validate(
      [
        { line: 2, values: ["  ", "a@b.co"] },
        { line: 3, values: ["1", "not-an-email"] },
        { line: 4, values: ["1", `${"a".repeat(250)}@b.co`] },
        { line: 5, values: ["1", ""] },
        { line: 6, values: ["9", "ok@b.co"] },
      ],
      { sourceName: "in.csv" },
    );
    expect(kept.map((r) => r.line)).toEqual([6]);
    expect(rejects.map((r) => [r.line, r.stage, r.code])).toEqual([
      [2, "validate", "REQUIRED_FIELD_EMPTY"],
      [3, "validate", "INVALID_EMAIL"],
      [4, "validate", "FIELD_TOO_LONG"],
      [5, "validate", "REQUIRED_FIELD_EMPTY"],
    ]);
    expect(rejects[0]).toEqual({
      line: 2,
      stage: "validate",
      code: "REQUIRED_FIELD_EMPTY",
      message: "in.csv line 2: OpportunityID is empty",
      values: { OpportunityID: "  ", EmailAddress: "a@b.co" },
    });
    expect(rejects[1]!.message).toBe(
      'in.csv line 3: EmailAddress "not-an-email" is not a valid e-mail address',
    );
  });

  it("should reject an OpportunityID holding a control character, read as bytes or as a string", () => {
    const csv =
      'OpportunityID,EmailAddress\nA\u0000B,a@b.co\n"X\nY",c@d.co\nok\u007f,e@f.co\n"ü\u0001",g@h.co\n" 7\t",i@j.co\n';
    const rejects: Reject[] = [];
    const reader = new CsvRowReader({ sourceName: "c.csv" });
    const validator = new RowValidator({ sourceName: "c.csv", onReject: (r) => rejects.push(r) });
    const kept = [reader.push(new TextEncoder().encode(csv)), reader.end()].flatMap((batch) =>
      batch === undefined ? [] : validator.validate(batch).toRows(),
    );
    // Trimming comes first: a tab around a value is white space, not part of it.
    expect(kept).toEqual([{ line: 7, values: ["7", "i@j.co"] }]);
    expect(rejects.map((r) => [r.line, r.code, r.message])).toEqual([
      [
        2,
        "CONTROL_CHARACTER",
        "c.csv line 2: OpportunityID holds a control character (U+0000) at character 2",
      ],
      [
        3,
        "CONTROL_CHARACTER",
        "c.csv line 3: OpportunityID holds a control character (U+000A) at character 2",
      ],
      [
        5,
        "CONTROL_CHARACTER",
        "c.csv line 5: OpportunityID holds a control character (U+007F) at character 3",
      ],
      [
        6,
        "CONTROL_CHARACTER",
        "c.csv line 6: OpportunityID holds a control character (U+0001) at character 2",
      ],
    ]);
    const allowed = new RowValidator({
      schema: { name: "x", fields: [{ name: "N", allowControlCharacters: true }, { name: "M" }], key: ["N"] },
    });
    expect(allowed.validate(RowBatch.fromRows([{ line: 2, values: ["a\u0000", "b"] }], 2)).length).toBe(1);
  });

  it("should check number and date fields by their format, read as bytes or as strings", () => {
    const schema = {
      name: "opportunity",
      fields: [
        { name: "Id", required: true },
        { name: "Amount", required: true, format: "number" as const },
        { name: "CloseDate", format: "date" as const },
      ],
      key: ["Id"],
    };
    // Line 6 has a non-ASCII Id, so the parser hands its values over as strings.
    const csv =
      'Id,Amount,CloseDate\nA, 1250.50 ,2027-01-31\nB,"1,000",\nC,12,2027-02-30\nD,-7,\nÉ,x,02/28/2027\nF,3,02/28/2027\n';
    const rejects: Reject[] = [];
    const reader = new CsvRowReader({ sourceName: "o.csv", schema });
    const validator = new RowValidator({ sourceName: "o.csv", schema, onReject: (r) => rejects.push(r) });
    const kept = [reader.push(new TextEncoder().encode(csv)), reader.end()].flatMap((batch) =>
      batch === undefined ? [] : validator.validate(batch).toRows(),
    );
    expect(kept.map((r) => r.values)).toEqual([
      ["A", "1250.50", "2027-01-31"],
      ["D", "-7", ""],
      ["F", "3", "02/28/2027"],
    ]);
    expect(rejects.map((r) => [r.line, r.code])).toEqual([
      [3, "INVALID_NUMBER"],
      [4, "INVALID_DATE"],
      [6, "INVALID_NUMBER"],
    ]);
    expect(rejects[1]!.message).toContain('o.csv line 4: CloseDate "2027-02-30" is not a date as yyyy-MM-dd');
  });

  it("should run a schema's own validate function on the trimmed value", () => {
    const schema = {
      name: "digits",
      fields: [
        {
          name: "N",
          required: true,
          validate: (v: string) =>
            /^\d+$/.test(v) ? undefined : { code: "NOT_DIGITS", message: "not digits" },
        },
        { name: "M" },
      ],
      key: ["N"],
    };
    const { kept, rejects } = validate(
      [
        { line: 1, values: [" 12 ", ""] },
        { line: 2, values: ["1a", ""] },
      ],
      { schema },
    );
    expect(kept).toEqual([{ line: 1, values: ["12", ""] }]);
    expect(rejects.map((r) => r.code)).toEqual(["NOT_DIGITS"]);
  });

  it("should split rows into accepted and rejected, nothing lost or doubled, order kept", () => {
    const value = fc.string({ unit: fc.constantFrom("a", "@", ".", " ", "b", "1"), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { maxLength: 40 }), (pairs) => {
        const rows = pairs.map(([a, b], i) => ({ line: i + 2, values: [a, b] }));
        const { kept, rejects, stats } = validate(rows);
        const lines = [...kept.map((r) => r.line), ...rejects.map((r) => r.line)].sort((x, y) => x - y);
        expect(lines).toEqual(rows.map((r) => r.line));
        expect(kept.map((r) => r.line)).toEqual([...kept.map((r) => r.line)].sort((x, y) => x - y));
        const byCode: Record<string, number> = {};
        for (const r of rejects) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
        expect(stats).toEqual({ valid: kept.length, invalid: rejects.length, byCode });
        for (const row of kept) {
          const original = rows[row.line - 2]!;
          expect(row.values).toEqual(original.values.map((v) => v.trim()));
        }
      }),
    );
  });
});
