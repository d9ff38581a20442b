// A model of what an import of records should do with a CSV file, written from the documented rules
// (README "The whole opportunity job", the doc comments of lib/validate/number.ts, date.ts, email.ts,
// lib/schema.ts and planImport) without the library's code: plain regular expressions and string handling.
// It is the oracle of import_rows.property.test.ts; it imports types only.
import type { EloquaField } from "../../lib/client/types.ts";

// ---------------------------------------------------------------------------------------------------
// Mapping: which column fills which field.

/** A name as the mapping compares it: accents, case, spaces and punctuation dropped (README "Mapping"). */
export function loose(name: string): string {
  return name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
}

/** The loose name without a leading record kind ("Opportunity Name" fills Name), or undefined when it has none. */
function withoutRecordKind(name: string): string | undefined {
  const bare = name.replace(/^(?:opportunity|contact|account)/, "");
  return bare === name || bare === "" ? undefined : bare;
}

/** The one field `name` refers to by its name, internal name or statement (exactly, else loosely). */
function fieldNamed(fields: readonly EloquaField[], name: string): EloquaField | undefined {
  const exact = fields.filter((f) => [f.name, f.internalName, f.statement].includes(name));
  if (exact.length > 0) return exact[0];
  const l = loose(name);
  if (l === "") return undefined;
  const found = fields.filter((f) => [f.name, f.internalName, f.statement].some((n) => loose(n) === l));
  // The generators give every field names no other field's names are loosely equal to: no precedence to model.
  if (found.length > 1) throw new Error(`model: "${name}" names ${found.length} fields loosely`);
  return found[0];
}

/** What the model says a header and its fields make. */
export type ModelPlan =
  | { error: "MAPPING_EMPTY" | "MAPPING_MISSING_REQUIRED"; missing: EloquaField[] }
  | {
      error?: undefined;
      /** Per column of the header, the field it fills (undefined: not imported). */
      fills: (EloquaField | undefined)[];
      /** The imported fields, in the order of their columns: the schema's order. */
      fields: { field: EloquaField; column: number; key: string; required: boolean }[];
      /** The identifying field's key, or undefined (rows deduped on all their values). */
      identifier: string | undefined;
    };

/**
 * The mapping rules: a column named in `map` fills the field `map` names; any other column fills the
 * field whose name, internal name or statement it names loosely (or does once a leading record kind is
 * dropped), unless `map` gives that field to a column. Read-only fields are not imported; a field is
 * filled by its first column only. No column filling anything is MAPPING_EMPTY; a not-null, writable
 * field without a column is MAPPING_MISSING_REQUIRED. The identifier is `identifier` if given, else
 * the first imported column's field with a uniqueness constraint (a custom object has no default one);
 * it is required, as are not-null fields.
 */
export function modelPlan(
  header: readonly string[],
  fields: readonly EloquaField[],
  map: Readonly<Record<string, string>>,
  identifier?: string,
): ModelPlan {
  const named = new Set(Object.values(map).map((name) => fieldNamed(fields, name)));
  const taken = new Set<EloquaField>();
  const fills = header.map((column) => {
    let field: EloquaField | undefined;
    if (Object.hasOwn(map, column)) field = fieldNamed(fields, map[column]!);
    else {
      const l = loose(column);
      const bare = withoutRecordKind(l);
      field = l === "" ? undefined : fieldNamed(fields, l);
      if (field === undefined && bare !== undefined) field = fieldNamed(fields, bare);
      if (field !== undefined && named.has(field)) field = undefined;
    }
    if (field === undefined || field.hasReadOnlyConstraint === true || taken.has(field)) return undefined;
    taken.add(field);
    return field;
  });
  if (taken.size === 0) return { error: "MAPPING_EMPTY", missing: [] };
  const missing = fields.filter(
    (f) => f.hasNotNullConstraint === true && f.hasReadOnlyConstraint !== true && !taken.has(f),
  );
  if (missing.length > 0) return { error: "MAPPING_MISSING_REQUIRED", missing };
  const used = fills.flatMap((field, column) => (field === undefined ? [] : [{ field, column }]));
  const id =
    identifier === undefined
      ? used.find((u) => u.field.hasUniquenessConstraint === true)?.field
      : fieldNamed(fields, identifier);
  return {
    fills,
    fields: used.map(({ field, column }) => ({
      field,
      column,
      key: field.internalName,
      required: field === id || field.hasNotNullConstraint === true,
    })),
    identifier: id?.internalName,
  };
}

// ---------------------------------------------------------------------------------------------------
// Values: the rules of each data type, from the validators' doc comments.

/**
 * number.ts: an optional sign, digits, optionally a point and more digits, at least one digit; at most
 * 15 digits before the point not counting leading zeros, 4 after it not counting trailing zeros.
 */
export function isNumber(value: string): boolean {
  const m = /^[+-]?([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  if (m === null) return false;
  const whole = m[1]!;
  const fraction = m[2] ?? "";
  if (whole === "" && fraction === "") return false;
  return whole.replace(/^0+/, "").length <= 15 && fraction.replace(/0+$/, "").length <= 4;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isDay(year: number, month: number, day: number): boolean {
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1]!;
}

/**
 * date.ts: `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss` (hours 0–23), `MM/dd/yyyy`, `MM/dd/yyyy h:mm:ss AM/PM`
 * (hour in one or two digits, 1–12; AM/PM in any case); a day of the Gregorian calendar, years 1–9999,
 * minutes and seconds 0–59.
 */
export function isDate(value: string): boolean {
  const iso = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2}):([0-9]{2}))?$/.exec(value);
  if (iso !== null) {
    const [, y, mo, d, h, mi, s] = iso;
    return isDay(+y!, +mo!, +d!) && (h === undefined || (+h <= 23 && +mi! <= 59 && +s! <= 59));
  }
  const us = /^([0-9]{2})\/([0-9]{2})\/([0-9]{4})(?: ([0-9]{1,2}):([0-9]{2}):([0-9]{2}) [AaPp][Mm])?$/.exec(
    value,
  );
  if (us !== null) {
    const [, mo, d, y, h, mi, s] = us;
    return isDay(+y!, +mo!, +d!) && (h === undefined || (+h >= 1 && +h <= 12 && +mi! <= 59 && +s! <= 59));
  }
  return false;
}

/**
 * email.ts, the WHATWG "valid e-mail address": a local part of letters, digits and
 * `.!#$%&'*+/=?^_\`{|}~-`, an `@`, then dot-separated labels of 1–63 letters, digits and hyphens that
 * neither start nor end with a hyphen.
 */
export function isEmail(value: string): boolean {
  const at = value.indexOf("@");
  if (at <= 0) return false;
  if (!/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/.test(value.slice(0, at))) return false;
  return value
    .slice(at + 1)
    .split(".")
    .every((label) => /^[A-Za-z0-9-]{1,63}$/.test(label) && !label.startsWith("-") && !label.endsWith("-"));
}

/**
 * The first problem of a row, checking its fields in the schema's order, each trimmed as
 * `String.prototype.trim` does: empty and required, longer than 254 (e-mail fields) or 32,000 (string
 * fields), a control character
 * U+0000–U+001F or U+007F (string fields; each format refuses them itself), then the format.
 */
export function rowProblem(plan: ModelPlanOk, values: readonly string[]): string | undefined {
  for (const { field, column, required } of plan.fields) {
    const value = values[column]!.trim();
    if (value === "") {
      if (required) return "REQUIRED_FIELD_EMPTY";
      continue;
    }
    switch (field.dataType) {
      case "emailAddress":
        if (value.length > 254) return "FIELD_TOO_LONG";
        if (!isEmail(value)) return "INVALID_EMAIL";
        break;
      case "number":
        if (!isNumber(value)) return "INVALID_NUMBER";
        break;
      case "date":
        if (!isDate(value)) return "INVALID_DATE";
        break;
      default:
        // No Eloqua text field holds more than 32,000 characters (large text).
        if (field.dataType === "string" && value.length > 32_000) return "FIELD_TOO_LONG";
        if (/[\u0000-\u001f\u007f]/.test(value)) return "CONTROL_CHARACTER";
    }
  }
  return undefined;
}

export type ModelPlanOk = Extract<ModelPlan, { error?: undefined }>;

// ---------------------------------------------------------------------------------------------------
// Rows: what is rejected, what is a duplicate, what is staged.

export interface ModelOutcome {
  /** Every row not staged: its line and code (validation problems, DUPLICATE, ROW_TOO_LARGE). */
  rejects: { line: number; code: string; values: Record<string, string> }[];
  /** The rows staged, in file order, as JSON objects keyed by internal name, values trimmed. */
  staged: { line: number; row: Record<string, string> }[];
  read: number;
  invalid: number;
  duplicate: number;
}

const utf8 = new TextEncoder();

/**
 * Rows in file order: an invalid row is rejected with its first problem (and its values as read); of
 * the valid rows sharing an identifier (trimmed, compared in lower case) — or, without one, every value
 * — one is staged: the first (`keep: "first"`) or the last (`"last"`), and the others are DUPLICATEs
 * (values trimmed); the one staged is ROW_TOO_LARGE instead when its JSON object with the body's
 * brackets is over `maxBatchBytes` (counted invalid; the others stay duplicates).
 */
export function modelRows(
  plan: ModelPlanOk,
  records: readonly { line: number; values: readonly string[] }[],
  maxBatchBytes: number,
  keep: "first" | "last" = "first",
): ModelOutcome {
  const out: ModelOutcome = { rejects: [], staged: [], read: records.length, invalid: 0, duplicate: 0 };
  const keyed =
    plan.identifier === undefined ? plan.fields : plan.fields.filter((f) => f.key === plan.identifier);
  const keyOf = (values: readonly string[]) =>
    JSON.stringify(keyed.map((f) => values[f.column]!.trim().toLowerCase()));
  // The line staged for each key: its first or last valid row.
  const winner = new Map<string, number>();
  for (const { line, values } of records) {
    if (rowProblem(plan, values) !== undefined) continue;
    const key = keyOf(values);
    if (keep === "last" || !winner.has(key)) winner.set(key, line);
  }
  for (const { line, values } of records) {
    const raw = Object.fromEntries(plan.fields.map((f) => [f.key, values[f.column]!]));
    const row = Object.fromEntries(plan.fields.map((f) => [f.key, values[f.column]!.trim()]));
    const problem = rowProblem(plan, values);
    if (problem !== undefined) {
      out.invalid++;
      out.rejects.push({ line, code: problem, values: raw });
      continue;
    }
    if (winner.get(keyOf(values)) !== line) {
      out.duplicate++;
      out.rejects.push({ line, code: "DUPLICATE", values: row });
      continue;
    }
    if (utf8.encode(JSON.stringify(row)).length + 2 > maxBatchBytes) {
      out.invalid++;
      out.rejects.push({ line, code: "ROW_TOO_LARGE", values: row });
      continue;
    }
    out.staged.push({ line, row });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// CSV text, with the physical line each record starts on.

export interface CsvLayout {
  eol: "\n" | "\r\n" | "\r";
  bom: boolean;
  trailingEol: boolean;
  /** Per record (header first), whether a blank line follows it. */
  blankAfter: readonly boolean[];
  /** Per record (header first), bits: bit k set quotes field k even when it needs no quotes. */
  quoteBits: readonly number[];
}

function cell(value: string, forceQuote: boolean, lone: boolean): string {
  // A lone empty field unquoted would be a blank line, which is no record.
  if (forceQuote || /[",\r\n]/.test(value) || (lone && value === ""))
    return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** RFC 4180 text of `header` and `rows`, and the line each row starts on (line breaks in quotes counted). */
export function writeCsv(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  layout: CsvLayout,
): { text: string; lines: number[] } {
  const records = [header, ...rows];
  let text = layout.bom ? "\uFEFF" : "";
  let line = 1;
  const lines: number[] = [];
  records.forEach((record, r) => {
    if (r > 0) lines.push(line);
    const bits = layout.quoteBits[r] ?? 0;
    const fields = record.map((v, k) => cell(v, (bits & (1 << (k % 30))) !== 0, record.length === 1));
    const joined = fields.join(",");
    text += joined;
    line += (joined.match(/\r\n|\r|\n/g) ?? []).length;
    const last = r === records.length - 1;
    if (!last || layout.trailingEol) {
      text += layout.eol;
      line++;
    }
    if (!last && layout.blankAfter[r] === true) {
      text += layout.eol;
      line++;
    }
  });
  return { text, lines };
}
