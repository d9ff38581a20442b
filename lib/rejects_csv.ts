import { InvalidOptionError } from "./errors.ts";
import type { Reject } from "./reject.ts";
import { fieldNames, LINKAGE_SCHEMA } from "./schema.ts";

/** Options of {@linkcode RejectsCsvWriter}. */
export interface RejectsCsvWriterOptions {
  /**
   * The schema fields that get a column each, after `line`; any other key of
   * a reject's `values` goes into the last column, `other`, as one JSON object.
   * @default ["OpportunityID", "EmailAddress"] (the fields of `LINKAGE_SCHEMA`)
   */
  fields?: readonly string[];
  /**
   * Source column name for a field, as given to the import's `columns`
   * option: where a reject has no value under the field's own name, its value
   * is looked up under this one (for rejects built elsewhere with source
   * column names: the parser's own rejects already key mapped values by
   * field). Names match case-insensitively.
   * @default {} (each field is looked up under its own name)
   */
  columns?: Readonly<Record<string, string>>;
  /**
   * Whether duplicates (code `DUPLICATE`) are written. They are usually
   * many and harmless, so they are left out unless asked for.
   * @default false
   */
  includeDuplicates?: boolean;
  /**
   * Whether a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
   * carriage return is written with a `'` in front, so that a spreadsheet
   * opening the file shows it as text instead of running it as a formula
   * (CSV injection). The `'` is the only change: strip it to get the value
   * back.
   * @default true
   */
  escapeFormulas?: boolean;
  /**
   * Whether {@linkcode RejectsCsvWriter.header} starts with a UTF-8 byte
   * order mark, which Excel needs to read non-ASCII characters correctly.
   * @default true
   */
  bom?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * Turns rejects into the lines of a CSV file (RFC 4180: CRLF line breaks,
 * fields quoted when they hold a quote, comma, line break or edge space),
 * for people to open in a spreadsheet, fix and import again.
 *
 * The columns are `line` (the 1-based source line), one column per schema
 * field, `code`, `stage`, `message` and `other` (values under other names,
 * as a JSON object; empty when there are none). A pure core: it returns
 * strings and writes nowhere, so it runs anywhere.
 *
 * @example
 * ```ts
 * import { RejectsCsvWriter } from "./rejects_csv.ts";
 *
 * const writer = new RejectsCsvWriter();
 * let csv = writer.header();
 * csv += writer.write({
 *   line: 4, stage: "validate", code: "INVALID_EMAIL", message: '"bob@" is not a valid e-mail address',
 *   values: { OpportunityID: "OPP-2", EmailAddress: "bob@" },
 * });
 * // "\uFEFFline,OpportunityID,EmailAddress,code,stage,message,other\r\n" +
 * // '4,OPP-2,bob@,INVALID_EMAIL,validate,"""bob@"" is not a valid e-mail address",\r\n'
 * ```
 */
export class RejectsCsvWriter {
  readonly #fields: readonly string[];
  /** For each field, the names its value may be found under (the field's, then its source column's). */
  readonly #lookup: readonly (readonly string[])[];
  readonly #includeDuplicates: boolean;
  readonly #escapeFormulas: boolean;
  readonly #bom: boolean;
  #written = 0;
  #skipped = 0;

  constructor(options: RejectsCsvWriterOptions = {}) {
    const fields = options.fields === undefined ? fieldNames(LINKAGE_SCHEMA) : options.fields;
    if (
      !Array.isArray(fields) ||
      fields.length === 0 ||
      fields.some((f) => typeof f !== "string" || f === "") ||
      new Set(fields.map((f) => f.toLowerCase())).size !== fields.length
    ) {
      throw new InvalidOptionError(
        "RejectsCsvWriter",
        "fields",
        "a non-empty array of distinct non-empty names",
        fields,
      );
    }
    const columns = options.columns === undefined ? {} : options.columns;
    if (typeof columns !== "object" || columns === null || Array.isArray(columns)) {
      throw new InvalidOptionError("RejectsCsvWriter", "columns", "an object", columns);
    }
    this.#fields = [...fields];
    this.#lookup = fields.map((field) => {
      const source = columns[field];
      return typeof source === "string" && source.toLowerCase() !== field.toLowerCase()
        ? [field, source]
        : [field];
    });
    this.#includeDuplicates = options.includeDuplicates ?? false;
    this.#escapeFormulas = options.escapeFormulas ?? true;
    this.#bom = options.bom ?? true;
  }

  /** Rejects written so far. */
  get written(): number {
    return this.#written;
  }

  /** Rejects left out so far (duplicates, unless `includeDuplicates`). */
  get skipped(): number {
    return this.#skipped;
  }

  /** The header line, line break included. */
  header(): string {
    const names = ["line", ...this.#fields, "code", "stage", "message", "other"];
    return `${this.#bom ? "\uFEFF" : ""}${names.map((name) => this.#cell(name)).join(",")}\r\n`;
  }

  /** The CSV line of one reject, line break included; `""` when it is left out. */
  write(reject: Reject): string {
    if (reject.code === "DUPLICATE" && !this.#includeDuplicates) {
      this.#skipped++;
      return "";
    }
    this.#written++;
    const values = reject.values ?? {};
    const keys = Object.keys(values);
    const used = new Set<string>();
    let out = String(reject.line);
    for (const names of this.#lookup) {
      let value = "";
      for (const name of names) {
        const key = exactOrFolded(keys, name);
        if (key !== undefined && !used.has(key)) {
          used.add(key);
          value = values[key] ?? "";
          break;
        }
      }
      out += `,${this.#cell(value)}`;
    }
    out += `,${this.#cell(reject.code)},${this.#cell(reject.stage)},${this.#cell(reject.message)},`;
    if (used.size < keys.length) {
      const other: Record<string, string> = {};
      for (const key of keys) if (!used.has(key)) other[key] = values[key] ?? "";
      out += this.#cell(JSON.stringify(other));
    }
    return `${out}\r\n`;
  }

  /** Every reject's line, in order: a convenience for small arrays. */
  writeAll(rejects: Iterable<Reject>): string {
    let out = "";
    for (const reject of rejects) out += this.write(reject);
    return out;
  }

  #cell(value: string): string {
    return csvCell(value, this.#escapeFormulas);
  }
}

/**
 * One CSV cell: quoted when it must be, and with `escapeFormulas` a leading `'` before `= + - @`, tab or
 * carriage return, so a spreadsheet shows the value instead of running it.
 */
export function csvCell(value: string, escapeFormulas = true): string {
  let text = String(value);
  if (escapeFormulas && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The key equal to `name`, else the first equal to it ignoring case (headers match case-insensitively). */
function exactOrFolded(keys: readonly string[], name: string): string | undefined {
  if (keys.includes(name)) return name;
  const lower = name.toLowerCase();
  return keys.find((key) => key.toLowerCase() === lower);
}
