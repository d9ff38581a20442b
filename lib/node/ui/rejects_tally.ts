import { createReadStream } from "node:fs";
import { CsvParser } from "../../csv/csv_parser.ts";

/** Rejects by code, and the first `keep` of them, as a rejects file holds them. */
export interface RejectsTally {
  readonly reasons: Map<string, number>;
  readonly first: { line: number; code: string; message: string }[];
}

/**
 * Reads a rejects file (`RejectsCsvWriter`'s columns: line, the fields, code, stage, message, other) to
 * count its rejects by code: a resumed run reports only the rows past its checkpoint, and those up to
 * it are in the file an earlier run wrote. Streams the file: it may be large.
 */
export async function tallyRejectsFile(path: string, keep: number): Promise<RejectsTally> {
  const reasons = new Map<string, number>();
  const first: RejectsTally["first"] = [];
  const parser = new CsvParser();
  let columns: { line: number; code: number; message: number } | undefined;
  const handler = {
    record(): void {
      const cells = parser.fields();
      if (columns === undefined) {
        const names = cells.map((c) => c.replace(/^\uFEFF/, ""));
        columns = {
          line: names.indexOf("line"),
          code: names.indexOf("code"),
          message: names.indexOf("message"),
        };
        return;
      }
      const code = cells[columns.code] ?? "";
      if (code === "") return;
      reasons.set(code, (reasons.get(code) ?? 0) + 1);
      if (first.length < keep) {
        first.push({ line: Number(cells[columns.line]), code, message: cells[columns.message] ?? "" });
      }
    },
    malformed(): void {},
  };
  try {
    for await (const chunk of createReadStream(path, { encoding: "utf8" }) as AsyncIterable<string>) {
      parser.push(chunk, handler);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  parser.end(handler);
  return { reasons, first };
}
