import type { ByteSink } from "./body.ts";
import { ByteCollector } from "./body.ts";
import { parseCsv } from "./csv_parse.ts";
import { CsvScanner } from "./csv_scan.ts";
import { JsonArrayScanner } from "./json_scan.ts";
import type { Failure } from "./responses.ts";
import { failure } from "./responses.ts";

/** The rows of a data POST body, or why it was refused. */
export type Payload =
  | {
      readonly ok: true;
      readonly rows: number;
      /** The rows projected on the definition's columns, in `"store"` mode; null in `"count"` mode. */
      readonly values: Record<string, string>[] | null;
      /** Whether some columns were not in the definition (they are ignored). */
      readonly ignoredColumns: boolean;
    }
  | { readonly ok: false; readonly failures: Failure[] };

/** Takes a data POST body chunk by chunk, then says what it held. */
export interface PayloadReader extends ByteSink {
  finish(): Payload;
}

/** The body formats a data POST may use. */
export type PayloadFormat = "json" | "csv";

/** The format named by a `Content-Type` header, or null if unsupported. */
export function payloadFormat(contentType: string): PayloadFormat | null {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "text/csv") return "csv";
  return null;
}

/**
 * A reader for one body. `"count"` mode scans bytes as they arrive and keeps only counts; `"store"` mode
 * keeps the bytes, then parses and projects the rows on the definition's columns.
 */
export function payloadReader(
  format: PayloadFormat,
  mode: "store" | "count",
  columns: ReadonlySet<string>,
): PayloadReader {
  if (mode === "count") {
    const scanner = format === "json" ? new JsonArrayScanner() : new CsvScanner();
    return {
      write: (chunk) => scanner.write(chunk),
      finish: () => {
        const result = scanner.end();
        if (!result.ok) return refuse(format, result.message);
        return {
          ok: true,
          rows: "objects" in result ? result.objects : result.rows,
          values: null,
          ignoredColumns: false,
        };
      },
    };
  }
  const collector = new ByteCollector();
  return {
    write: (chunk) => collector.write(chunk),
    finish: () => {
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(collector.bytes());
      } catch {
        return refuse(format, "The body is not valid UTF-8");
      }
      return format === "json" ? rowsFromJson(text, columns) : rowsFromCsv(text, columns);
    },
  };
}

function refuse(format: PayloadFormat, why: string): Payload {
  const what =
    format === "json" ? "Must be a JSON array of flat objects" : "Must be RFC 4180 CSV with a header row";
  return { ok: false, failures: [failure("body", `${what}: ${why}.`)] };
}

function rowsFromJson(text: string, columns: ReadonlySet<string>): Payload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return refuse("json", (error as Error).message);
  }
  if (!Array.isArray(parsed)) return refuse("json", "the body is not an array");
  const values: Record<string, string>[] = [];
  let ignoredColumns = false;
  for (let i = 0; i < parsed.length; i++) {
    const item: unknown = parsed[i];
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return refuse("json", `element ${i} is not an object`);
    }
    const row: Record<string, string> = {};
    for (const [key, value] of Object.entries(item)) {
      if (value !== null && typeof value === "object")
        return refuse("json", `element ${i} has a nested value in "${key}"`);
      if (!columns.has(key)) {
        ignoredColumns = true;
        continue;
      }
      setValue(row, key, value === null ? "" : String(value));
    }
    values.push(row);
  }
  return { ok: true, rows: values.length, values, ignoredColumns };
}

function rowsFromCsv(text: string, columns: ReadonlySet<string>): Payload {
  const parsed = parseCsv(text);
  if (!parsed.ok) return refuse("csv", parsed.message);
  const kept = parsed.header.map((name, i) => [name, i] as const).filter(([name]) => columns.has(name));
  const values = parsed.rows.map((fields) => {
    const row: Record<string, string> = {};
    for (const [name, i] of kept) setValue(row, name, fields[i]!);
    return row;
  });
  return { ok: true, rows: values.length, values, ignoredColumns: kept.length < parsed.header.length };
}

function setValue(row: Record<string, string>, key: string, value: string): void {
  // A "__proto__" column must stay data, not replace the row's prototype.
  if (key === "__proto__")
    Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
  else row[key] = value;
}
