// Deterministic opportunity files for the interruption, resume and hostile-input tests of `import
// opportunities`: rows with valid and invalid values (Amount not a number, impossible or unaccepted
// dates, required fields empty, a control character), repeated ids (in other letter case, with other
// values, so a later occurrence winning would show), an unmapped and a read-only column, and what Eloqua
// must hold in the end, by a model of the rules that is independent of the library: the last valid row
// of each id, compared without case, with its values trimmed (the CLI's default for a file, and
// `keep: "last"` in the library).

/** The file's columns. "Notes" names no field; "Created Date" is read-only in Eloqua: neither is imported. */
export const OPPORTUNITY_HEADER = [
  "Opportunity ID",
  "Opportunity Name",
  "Stage",
  "Amount",
  "Close Date",
  "Probability",
  "Account Name",
  "Notes",
  "Created Date",
] as const;

/** The definition keys the imported columns fill (the internal names of the emulator's fields), in the file's order. */
export const OPPORTUNITY_FIELDS = [
  "OpportunityID",
  "Name",
  "Stage",
  "Amount",
  "CloseDate",
  "Probability",
  "AccountName",
] as const;

export type OpportunityField = (typeof OPPORTUNITY_FIELDS)[number];

/** Why a row is invalid: the client's reject code for it. */
export type OpportunityProblem =
  | "INVALID_NUMBER"
  | "INVALID_DATE"
  | "REQUIRED_FIELD_EMPTY"
  | "CONTROL_CHARACTER";

export interface OpportunityRow {
  /** The cells as written, in {@linkcode OPPORTUNITY_HEADER} order (quoted on output when needed). */
  readonly cells: readonly string[];
  /** The imported values as Eloqua must hold them: trimmed, by definition key. */
  readonly record: Readonly<Record<OpportunityField, string>>;
  /** Whether every imported value passes the rules. */
  readonly valid: boolean;
  /** For an invalid row: what is wrong with it. */
  readonly problem: OpportunityProblem | undefined;
}

const VALID_AMOUNTS = [
  "125000",
  "48000.50",
  "-1250.5",
  "+0.5",
  "0001250.5000",
  "9900",
  ".5",
  "999999999999999.9999",
];
const INVALID_AMOUNTS = [
  "1,000",
  "$100",
  "1e5",
  "twelve thousand",
  "12.34567",
  "1234567890123456",
  "1 000",
  "NaN",
];
const VALID_DATES = [
  "2027-01-31",
  "2028-02-29",
  "2027-03-01 18:01:00",
  "02/03/2027",
  "10/15/2027 3:15:14 PM",
  "",
];
const INVALID_DATES = [
  "2027-02-30",
  "2027-13-01",
  "2026-02-29",
  "13/01/2027",
  "2027-01-31T10:00:00Z",
  "2027-1-5",
];
const STAGES = ["Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"];
const ACCOUNTS = [
  "Acme Corp",
  "Globex",
  "Initech",
  'Umbrella "Holdings", Inc.',
  "Café Noël",
  "Stark Industries",
  "",
];

/** `count` rows from `seed`: about 82 % valid and new, 6 % repeating an earlier id, 12 % invalid in one way. */
export function opportunityRows(count: number, seed = 1): OpportunityRow[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const rows: OpportunityRow[] = [];
  for (let i = 0; i < count; i++) {
    let id = `OPP-${i}`;
    // An earlier row's id again, in another letter case or with white space around it: the same opportunity.
    if (rows.length > 0 && next() < 0.06) {
      const earlier = rows[Math.floor(next() * rows.length)]!.record.OpportunityID || `OPP-${i}`;
      const roll = next();
      id = roll < 0.4 ? earlier.toLowerCase() : roll < 0.7 ? ` ${earlier} ` : earlier;
    }
    let name =
      next() < 0.3
        ? `Deal ${i}, phase ${i % 4}`
        : next() < 0.5
          ? `Renewal ${i} — "${pick(STAGES)}" 🚀`
          : `Deal ${i}`;
    let stage = pick(STAGES);
    let amount = next() < 0.2 ? ` ${pick(VALID_AMOUNTS)} ` : pick(VALID_AMOUNTS);
    let date = pick(VALID_DATES);
    let problem: OpportunityProblem | undefined;
    const roll = next();
    if (roll < 0.035) {
      amount = pick(INVALID_AMOUNTS);
      problem = "INVALID_NUMBER";
    } else if (roll < 0.07) {
      date = pick(INVALID_DATES);
      problem = "INVALID_DATE";
    } else if (roll < 0.1) {
      // A required field empty, or only white space (which trimming empties).
      const blank = next() < 0.5 ? "" : "  ";
      const which = Math.floor(next() * 4);
      if (which === 0) id = blank;
      else if (which === 1) name = blank;
      else if (which === 2) stage = blank;
      else amount = blank;
      problem = "REQUIRED_FIELD_EMPTY";
    } else if (roll < 0.12) {
      name = `Deal\t${i}`;
      problem = "CONTROL_CHARACTER";
    }
    const probability = next() < 0.5 ? String(Math.floor(next() * 101)) : "";
    const account = pick(ACCOUNTS);
    // Not imported, so never a reason to reject: free text, and a "date" no rule would take.
    const notes = next() < 0.5 ? `note ${i}` : "=SUM(A1:A2), not a formula";
    const created = next() < 0.5 ? "2027-02-30" : "yesterday";
    const cells = [id, name, stage, amount, date, probability, account, notes, created];
    const record = {
      OpportunityID: id.trim(),
      Name: name.trim(),
      Stage: stage.trim(),
      Amount: amount.trim(),
      CloseDate: date.trim(),
      Probability: probability,
      AccountName: account,
    };
    rows.push({ cells, record, valid: problem === undefined, problem });
  }
  return rows;
}

const NEEDS_QUOTES = /[",\r\n]/;
const cell = (value: string): string =>
  NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** The rows as a CSV file with its header, CRLF line breaks; row `i` is on line `i + 2` (no value holds a line break). */
export function opportunityCsv(rows: readonly OpportunityRow[]): string {
  const lines = [OPPORTUNITY_HEADER.join(","), ...rows.map((row) => row.cells.map(cell).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

/** A held row's identity: every imported value, so a later occurrence's values held instead would show. */
export function opportunityKey(row: Readonly<Record<string, string | undefined>>): string {
  return JSON.stringify(OPPORTUNITY_FIELDS.map((field) => row[field] ?? null));
}

/** The row indexes (0-based) of the records Eloqua must hold: valid, the last of each id without case. */
export function heldOpportunities(rows: readonly OpportunityRow[]): number[] {
  const last = new Map<string, number>();
  rows.forEach((row, i) => {
    if (row.valid) last.set(row.record.OpportunityID.toLowerCase(), i);
  });
  return [...last.values()].sort((a, b) => a - b);
}

/** The lines of valid rows whose id a later valid row has: the duplicates. */
export function duplicateOpportunityLines(rows: readonly OpportunityRow[]): number[] {
  const held = new Set(heldOpportunities(rows));
  return rows.flatMap((row, i) => (row.valid && !held.has(i) ? [i + 2] : []));
}
