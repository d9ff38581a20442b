// Hostile input for `eloqua-bulk import contacts` and `import accounts` (test/node/hostile_input.test.ts):
// e-mail addresses that are none, values longer than Eloqua takes, lines of binary among good rows, an
// identifier repeated (in other letter case, with white space, once in an invalid row), control
// characters, and a file without the identifying or a required column. Written on demand into a folder
// the test owns (deterministic; each file's lines are described where it is made, and the test states
// what each must give).
import { join } from "node:path";
import { binaryLines, type Piece, writePieces } from "./_hostile_opportunities.ts";

const CONTACT_HEADER = "Email Address,First Name,Last Name,Company";
const ACCOUNT_HEADER = "Company Name,SFDC Account ID,Country,City";

/** `n` good contact rows from `user<first>@example.com` on, CRLF after each. */
function goodContacts(first: number, n: number): string {
  let out = "";
  for (let i = first; i < first + n; i++) out += `user${i}@example.com,First${i},Last${i},Acme\r\n`;
  return out;
}

/** `n` good account rows from `Company <first>` on, CRLF after each. */
function goodAccounts(first: number, n: number): string {
  let out = "";
  for (let i = first; i < first + n; i++) out += `Company ${i},001-${i},France,Paris\r\n`;
  return out;
}

/** Lines of the binary rows of both `binary_rows.csv`: 7–18 (the header is line 1, good rows 2–6 and 19–23). */
export const RECORD_BINARY_LINES = { first: 7, last: 18 } as const;

/** An address of `length` characters that is valid but for its length: `x…x@example.com`. */
const addressOf = (length: number): string => `${"x".repeat(length - "@example.com".length)}@example.com`;

const CONTACT_FILES = {
  /**
   * 2 good; 3 no @; 4 two @; 5 an empty domain label; 6 good, with white space around it; 7 a domain label
   * starting with a hyphen; 8 a non-ASCII local part; 9 a display name and angle brackets; 10 a space in
   * the local part; 11 good, upper case.
   */
  "bad_emails.csv": [
    `${CONTACT_HEADER}\r\n`,
    "ann@example.com,Ann,A,Acme\r\n",
    "no-at-sign.example.com,Bob,B,Acme\r\n",
    "two@@example.com,Cy,C,Acme\r\n",
    "dee@example..com,Dee,D,Acme\r\n",
    "  eve@example.com  ,Eve,E,Acme\r\n",
    "fay@-example.com,Fay,F,Acme\r\n",
    "güs@example.com,Gus,G,Acme\r\n",
    '"""Hal"" <hal@example.com>",Hal,H,Acme\r\n',
    "i vy@example.com,Ivy,I,Acme\r\n",
    "JOE@EXAMPLE.COM,Joe,J,Acme\r\n",
  ],
  /**
   * 2 good; 3 an address of 255 characters; 4 a first name of 32,001; 5 an address of 254 (the most) and
   * 6 a last name of 32,000 (the most), both held; 7 good.
   */
  "overlong.csv": [
    `${CONTACT_HEADER}\r\n`,
    goodContacts(1, 1),
    `${addressOf(255)},Long,Address,Acme\r\n`,
    "user3@example.com,",
    { repeat: "n", count: 32_001 },
    ",Last3,Acme\r\n",
    `${addressOf(254)},Longest,Address,Acme\r\n`,
    "user5@example.com,First5,",
    { repeat: "n", count: 32_000 },
    ",Acme\r\n",
    goodContacts(6, 1),
  ],
  /** Good rows on lines 2–6, twelve lines of binary (7–18), good rows on lines 19–23. */
  "binary_rows.csv": [`${CONTACT_HEADER}\r\n`, goodContacts(1, 5), ...binaryLines(12, 9), goodContacts(6, 5)],
  /**
   * One contact, five times: 2 first; 3 in upper case; 4 good, another contact; 5 with white space around
   * it; 6 again, but invalid (a tab in the first name), so not the last valid row; 7 the same address as
   * line 4 in another case. Eloqua must hold line 5's values for ann and line 7's for bob.
   */
  "repeated.csv": [
    `${CONTACT_HEADER}\r\n`,
    "ann@example.com,Ann,First,Acme\r\n",
    "ANN@EXAMPLE.COM,Ann,Second,Acme\r\n",
    "bob@example.com,Bob,First,Acme\r\n",
    " Ann@Example.com ,Ann,Third,Globex\r\n",
    "ann@example.com,A\tnn,Fourth,Acme\r\n",
    "Bob@Example.COM,Bob,Second,Initech\r\n",
  ],
  /**
   * No e-mail address column, the contacts' identifier (which no field requires): 2 and 4 the same row
   * but for letter case, 3 another.
   */
  "no_email_column.csv": [
    "First Name,Last Name,Company\r\n",
    "Ann,A,Acme\r\n",
    "Bob,B,Acme\r\n",
    "ANN,a,ACME\r\n",
  ],
} as const satisfies Record<string, readonly Piece[]>;

const ACCOUNT_FILES = {
  /**
   * 2 good; 3 a company name of 32,001 characters; 4 a city of 32,001; 5 a company name of 32,000 (the
   * most), held; 6 good.
   */
  "overlong.csv": [
    `${ACCOUNT_HEADER}\r\n`,
    goodAccounts(1, 1),
    { repeat: "c", count: 32_001 },
    ",001-2,France,Paris\r\n",
    "Company 3,001-3,France,",
    { repeat: "p", count: 32_001 },
    "\r\n",
    { repeat: "C", count: 32_000 },
    ",001-4,France,Paris\r\n",
    goodAccounts(5, 1),
  ],
  /** Good rows on lines 2–6, twelve lines of binary (7–18), good rows on lines 19–23. */
  "binary_rows.csv": [
    `${ACCOUNT_HEADER}\r\n`,
    goodAccounts(1, 5),
    ...binaryLines(12, 11),
    goodAccounts(6, 5),
  ],
  /**
   * 2 "Acme"; 3 "ACME" (the same account); 4 "Globex"; 5 " acme " (the same again, last valid); 6 "Acme"
   * with a NUL in the city (invalid); 7 "globex" in another case. Eloqua must hold line 5 and line 7.
   */
  "repeated.csv": [
    `${ACCOUNT_HEADER}\r\n`,
    "Acme,001-1,France,Paris\r\n",
    "ACME,001-1,France,Lyon\r\n",
    "Globex,001-2,Deutschland,Köln\r\n",
    " acme ,001-1,France,Nice\r\n",
    "Acme,001-1,France,Pa\u0000ris\r\n",
    "globex,001-2,Deutschland,Bonn\r\n",
  ],
  /** 2 good; 3 the company name empty; 4 only white space; 5 a bell in the country; 6 a field short; 7 good. */
  "bad_values.csv": [
    `${ACCOUNT_HEADER}\r\n`,
    goodAccounts(1, 1),
    ",001-2,France,Paris\r\n",
    "   ,001-3,France,Paris\r\n",
    "Company 4,001-4,Fr\u0007ance,Paris\r\n",
    "Company 5,001-5,France\r\n",
    goodAccounts(6, 1),
  ],
  /** No company name column: the accounts' required identifier. */
  "no_company_column.csv": [
    "SFDC Account ID,Country,City\r\n",
    "001-1,France,Paris\r\n",
    "001-2,France,Lyon\r\n",
  ],
} as const satisfies Record<string, readonly Piece[]>;

export type HostileContactFile = keyof typeof CONTACT_FILES;
export type HostileAccountFile = keyof typeof ACCOUNT_FILES;

/** Writes the contact or account file `name` into `folder`; returns its path. */
export async function writeHostileRecords(
  folder: string,
  kind: "contacts" | "accounts",
  name: string,
): Promise<string> {
  const files: Record<string, readonly Piece[]> = kind === "contacts" ? CONTACT_FILES : ACCOUNT_FILES;
  const pieces = files[name];
  if (pieces === undefined) throw new Error(`no ${kind} file ${name}`);
  const path = join(folder, `${kind}-${name}`);
  await writePieces(path, pieces);
  return path;
}
