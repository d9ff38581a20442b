import type { ImportSchema } from "../schema.ts";
import { CsvHeaderError } from "./csv_errors.ts";

/** How source columns map to the schema's fields. */
export interface HeaderMappingOptions {
  /**
   * Source column name for a schema field, when it is not named like the
   * field, e.g. `{ EmailAddress: "email" }`.
   * @default {} (each field is read from the column of the same name)
   */
  columns?: Readonly<Record<string, string>>;
  /**
   * Whether header names must match in case.
   * @default false
   */
  caseSensitiveHeaders?: boolean;
}

/**
 * A column or field name reduced to what people mean by it: lower case,
 * without spaces, punctuation or accents ("Opportunity ID", "opportunity_id"
 * and "OpportunityID" are one name).
 */
export function looseName(name: string): string {
  return name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
}

/**
 * For each schema field, the index of its source column (or -1 for an
 * optional field that is absent). Throws {@linkcode CsvHeaderError} when a
 * required column is missing or a field matches two columns.
 */
export function mapHeader(
  header: readonly string[],
  schema: ImportSchema,
  options: HeaderMappingOptions,
  source: string,
  line: number,
): number[] {
  const fold = options.caseSensitiveHeaders ? (s: string) => s.trim() : (s: string) => s.trim().toLowerCase();
  const columns = options.columns ?? {};
  for (const name of Object.keys(columns)) {
    if (!schema.fields.some((f) => f.name === name)) {
      throw new CsvHeaderError(
        "CSV_MISSING_COLUMN",
        source,
        line,
        name,
        `"${name}" in columns is not a field of the ${schema.name} import (fields: ${schema.fields.map((f) => f.name).join(", ")})`,
      );
    }
  }
  const folded = header.map(fold);
  const loose = header.map(looseName);
  return schema.fields.map((field) => {
    const wanted = columns[field.name] ?? field.name;
    // A column named in `columns` exactly as the header spells it is that column, even when another
    // differs from it only in case or padding ("Amount" and "AMOUNT", as a plan from planImport names them).
    const exact = columns[field.name] === undefined ? -1 : header.indexOf(wanted);
    if (exact !== -1 && header.indexOf(wanted, exact + 1) === -1) return exact;
    let key = fold(wanted);
    let names = folded;
    let first = folded.indexOf(key);
    // A field not named by the columns option may be spelled loosely ("Opportunity ID" for OpportunityID).
    if (first === -1 && columns[field.name] === undefined && !options.caseSensitiveHeaders) {
      key = looseName(wanted);
      names = loose;
      first = key === "" ? -1 : loose.indexOf(key);
    }
    if (first === -1) {
      if (!field.required) return -1;
      throw new CsvHeaderError(
        "CSV_MISSING_COLUMN",
        source,
        line,
        field.name,
        `the required column "${wanted}"${wanted === field.name ? "" : ` for ${field.name}`} is missing ` +
          `(the header has: ${describeHeader(header)}); ` +
          `name the source column with the columns option`,
      );
    }
    if (names.indexOf(key, first + 1) !== -1) {
      throw new CsvHeaderError(
        "CSV_DUPLICATE_COLUMN",
        source,
        line,
        field.name,
        `the column "${wanted}" for ${field.name} appears more than once in the header (columns ${first + 1} and ${names.indexOf(key, first + 1) + 1})`,
      );
    }
    return first;
  });
}

function describeHeader(header: readonly string[]): string {
  const shown = header.slice(0, 20).map((h) => JSON.stringify(h.length > 40 ? `${h.slice(0, 40)}…` : h));
  return header.length > 20 ? `${shown.join(", ")} and ${header.length - 20} more` : shown.join(", ");
}
