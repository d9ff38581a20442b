// `eloqua-bulk import --email-column … --opportunity-column …`: a record with the wrong number of fields
// lands in the rejects file with its mapped values under OpportunityID and EmailAddress, like the
// validation and duplicate rejects of the same run, not with those of columns that merely bear the names.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvParser } from "../../lib/csv/csv_parser.ts";
import type { CliIo } from "../../lib/node/cli/cli_io.ts";
import { main } from "../../lib/node/cli/main.ts";

function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const parser = new CsvParser();
  const handler = { record: () => records.push(parser.fields()), malformed: () => {} };
  parser.push(text.replace(/^\uFEFF/, ""), handler);
  parser.end(handler);
  return records;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-field-count-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CSV_FIELD_COUNT rejects with remapped columns", () => {
  it("should write the mapped columns' values in the rejects file", async () => {
    const file = join(dir, "file.csv");
    const rejects = join(dir, "out.csv");
    writeFileSync(file, "EmailAddress,Contact,Opp\nzzz,a@b.c,O3,extra\nyyy,not-an-email,O4\n");
    let err = "";
    const io: CliIo = {
      env: {},
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text), isTTY: false },
    };
    const argv = ["import", file, "--dry-run", "--email-column", "Contact", "--opportunity-column", "Opp"];
    const code = await main([...argv, "--rejects", rejects], io);
    // Both rows are rejected: the run says so with exit code 3.
    expect(code, err).toBe(3);
    const [header, ...records] = parseCsv(readFileSync(rejects, "utf8"));
    expect(header).toEqual(["line", "OpportunityID", "EmailAddress", "code", "stage", "message", "other"]);
    expect(records.map((r) => [r[0], r[1], r[2], r[3], r[6] === "" ? {} : JSON.parse(r[6]!)])).toEqual([
      ["2", "O3", "a@b.c", "CSV_FIELD_COUNT", { "column 1": "zzz", "column 4": "extra" }],
      ["3", "O4", "not-an-email", "INVALID_EMAIL", {}],
    ]);
  });
});
