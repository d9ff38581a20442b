// Deterministic contact and account files for the interruption, resume and hostile-input tests of `import
// contacts` and `import accounts`, made as _opportunity_rows.ts makes opportunity files: rows with valid
// and invalid values (e-mail addresses that are none or too long, the identifier or a required field
// empty, a control character), repeated identifiers (in other letter case, with white space around them,
// with other values, so a later occurrence winning would show), an unmapped and a read-only column, and
// what Eloqua must hold in the end by a model independent of the library: the last valid row of each
// identifier (contacts: the e-mail address; accounts: the company name), compared without case, values
// trimmed (the CLI's default for a file, `keep: "last"` in the library).

/** Why a row is invalid: the client's reject code for it. */
export type RecordProblem = "INVALID_EMAIL" | "FIELD_TOO_LONG" | "REQUIRED_FIELD_EMPTY" | "CONTROL_CHARACTER";

export interface RecordRow {
  /** The cells as written, in the header's order (quoted on output when needed). */
  readonly cells: readonly string[];
  /** The imported values as Eloqua must hold them: trimmed, by definition key. */
  readonly record: Readonly<Record<string, string>>;
  readonly valid: boolean;
  readonly problem: RecordProblem | undefined;
}

/** One kind of record file: its columns, the fields they fill, and how its rows are made. */
export interface RecordFileKind {
  /** The file's columns: the imported ones first, in `fields` order, then one no field has and a read-only one. */
  readonly header: readonly string[];
  /** The definition keys (the emulator's internal names) the first `fields.length` columns fill. */
  readonly fields: readonly string[];
  /** The identifying field, one of `fields` (the first). */
  readonly identifier: string;
  /** A row's imported cells, before any problem: the identifier first. */
  values(i: number, next: () => number): string[];
  /** Makes row `cells` invalid in one way (the identifier is `cells[0]`), or returns undefined to leave it valid. */
  spoil(cells: string[], i: number, next: () => number): RecordProblem | undefined;
}

const pickFrom = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

/** Not imported, so never a reason to reject: free text, and a "date" no rule would take. */
const notImported = (i: number, next: () => number): string[] => [
  next() < 0.5 ? `note ${i}` : "=SUM(A1:A2), not a formula",
  next() < 0.5 ? "2027-02-30" : "yesterday",
];

const BAD_EMAILS = [
  "no-at-sign.example.com",
  "two@@example.com",
  "a b@example.com",
  "@example.com",
  "user@-example.com",
  "user@example..com",
  "user@exa_mple.com",
  "user(comment)@example.com",
  "üser@example.com",
];
const COUNTRIES = ["France", "Deutschland", "United States", "Côte d'Ivoire", "日本", ""];
const CITIES = ["Paris", "Köln", "New York, NY", 'The "Big" Apple', "東京", ""];

export const CONTACT_FILE: RecordFileKind = {
  header: [
    "Email Address",
    "First Name",
    "Last Name",
    "Company",
    "Title",
    "City",
    "Country",
    "Notes",
    "Date Created",
  ],
  fields: ["C_EmailAddress", "C_FirstName", "C_LastName", "C_Company", "C_Title", "C_City", "C_Country"],
  identifier: "C_EmailAddress",
  values(i, next) {
    const local = next() < 0.2 ? `first.last+tag${i}` : `user${i}`;
    const domain = next() < 0.3 ? "sub.example-mail.co.uk" : "example.com";
    return [
      next() < 0.2 ? ` ${local}@${domain} ` : `${local}@${domain}`,
      next() < 0.3 ? `Zoë ${i}` : `First${i}`,
      next() < 0.3 ? `O'Brien-${i} 🚀` : `Last${i}`,
      next() < 0.3 ? `Acme, Inc. ${i % 7}` : `Company ${i % 11}`,
      next() < 0.5 ? "" : `"Head" of ${i % 3}`,
      pickFrom(next, CITIES),
      pickFrom(next, COUNTRIES),
    ];
  },
  spoil(cells, i, next) {
    const roll = next();
    if (roll < 0.04) {
      cells[0] = pickFrom(next, BAD_EMAILS);
      return "INVALID_EMAIL";
    }
    if (roll < 0.06) {
      // Longer than the 254 characters an address may have, otherwise valid: too long, not invalid.
      cells[0] = `${"x".repeat(250)}${i}@example.com`;
      return "FIELD_TOO_LONG";
    }
    if (roll < 0.09) {
      // The identifier is required: empty, or only white space (which trimming empties).
      cells[0] = next() < 0.5 ? "" : "   ";
      return "REQUIRED_FIELD_EMPTY";
    }
    if (roll < 0.11) {
      cells[1 + Math.floor(next() * 3)] = `Tab\there ${i}`;
      return "CONTROL_CHARACTER";
    }
    return undefined;
  },
};

const INDUSTRIES = ["Manufacturing", "Software", "Retail", "Énergie", ""];

export const ACCOUNT_FILE: RecordFileKind = {
  header: [
    "Company Name",
    "SFDC Account ID",
    "Country",
    "City",
    "Industry",
    "Annual Revenue",
    "Notes",
    "Date Created",
  ],
  fields: ["M_CompanyName", "M_SFDCAccountID", "M_Country", "M_City", "M_Industry", "M_Annual_Revenue"],
  identifier: "M_CompanyName",
  values(i, next) {
    const roll = next();
    const name =
      roll < 0.15 ? `Company ${i}, Ltd.` : roll < 0.3 ? `"Société" ${i} Générale 🚀` : `Company ${i}`;
    return [
      next() < 0.2 ? `  ${name} ` : name,
      next() < 0.5 ? `001${String(i).padStart(12, "0")}` : "",
      pickFrom(next, COUNTRIES),
      pickFrom(next, CITIES),
      pickFrom(next, INDUSTRIES),
      // A string field in Eloqua: any text is taken.
      next() < 0.5 ? `${i}000000` : "about 1,5 M€",
    ];
  },
  spoil(cells, i, next) {
    const roll = next();
    if (roll < 0.05) {
      // The company name is the identifier and required.
      cells[0] = next() < 0.5 ? "" : "  ";
      return "REQUIRED_FIELD_EMPTY";
    }
    if (roll < 0.1) {
      cells[Math.floor(next() * 4)] = next() < 0.5 ? `Tab\t${i}` : `Bell\u0007${i}`;
      return "CONTROL_CHARACTER";
    }
    return undefined;
  },
};

/** `count` rows from `seed`: about 6 % repeating an earlier identifier, 10–11 % invalid in one way, the rest valid and new. */
export function recordRows(kind: RecordFileKind, count: number, seed = 1): RecordRow[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const rows: RecordRow[] = [];
  for (let i = 0; i < count; i++) {
    const cells = kind.values(i, next);
    // An earlier row's identifier again, in another letter case or with white space around it: the same record.
    if (rows.length > 0 && next() < 0.06) {
      // A valid row's: an invalid identifier (too long, say) would make this row invalid too.
      const earlier = rows[Math.floor(next() * rows.length)]!;
      if (earlier.valid) {
        const roll = next();
        const id = earlier.record[kind.identifier]!;
        cells[0] = roll < 0.4 ? id.toUpperCase() : roll < 0.7 ? ` ${id} ` : id;
      }
    }
    const problem = kind.spoil(cells, i, next);
    const record = Object.fromEntries(kind.fields.map((field, k) => [field, cells[k]!.trim()]));
    rows.push({ cells: [...cells, ...notImported(i, next)], record, valid: problem === undefined, problem });
  }
  return rows;
}

const NEEDS_QUOTES = /[",\r\n]/;
const cell = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** The rows as a CSV file with its header, CRLF line breaks; row `i` is on line `i + 2` (no value holds a line break). */
export function recordCsv(kind: RecordFileKind, rows: readonly RecordRow[]): string {
  const lines = [kind.header.join(","), ...rows.map((row) => row.cells.map(cell).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

/** A held row's identity: every imported value, so a later occurrence's values held instead would show. */
export function recordKey(kind: RecordFileKind, row: Readonly<Record<string, string | undefined>>): string {
  return JSON.stringify(kind.fields.map((field) => row[field] ?? null));
}

/** The row indexes (0-based) of the records Eloqua must hold: valid, the last of each identifier without case. */
export function heldRecords(kind: RecordFileKind, rows: readonly RecordRow[]): number[] {
  const last = new Map<string, number>();
  rows.forEach((row, i) => {
    if (row.valid) last.set(row.record[kind.identifier]!.toLowerCase(), i);
  });
  return [...last.values()].sort((a, b) => a - b);
}

/** The lines of valid rows whose identifier a later valid row has: the duplicates. */
export function duplicateRecordLines(kind: RecordFileKind, rows: readonly RecordRow[]): number[] {
  const held = new Set(heldRecords(kind, rows));
  return rows.flatMap((row, i) => (row.valid && !held.has(i) ? [i + 2] : []));
}
