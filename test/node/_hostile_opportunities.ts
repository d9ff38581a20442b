// Hostile input for `eloqua-bulk import opportunities` (test/node/hostile_input.test.ts): the cases of
// test/fixtures/hostile/ that make sense for records, with an opportunity header — an empty file, a header
// and nothing else, no header, UTF-16, a spreadsheet's binary given for its CSV, binary lines among good
// rows, bytes that are not UTF-8, Windows-1252, a BOM with CRLF and a quoted line break, ragged rows, NULs,
// an unclosed quote — and a 50 MB field. Written on demand into a folder the test owns (deterministic;
// each file's lines are described where it is made, and the test states what each must give).
import { open } from "node:fs/promises";
import { join } from "node:path";

/** The columns of every file here (with a header): those an opportunity import needs, and one more. */
const HEADER = "Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Account Name";

/** A piece of a file: text (written as UTF-8), raw bytes, or `count` bytes of ASCII `repeat` repeated. */
export type Piece = string | Uint8Array | { readonly repeat: string; readonly count: number };

const BLOCK = 1 << 20;
const encoder = new TextEncoder();

export async function writePieces(path: string, pieces: readonly Piece[]): Promise<void> {
  const handle = await open(path, "w");
  try {
    for (const piece of pieces) {
      if (typeof piece === "string" || piece instanceof Uint8Array) {
        await handle.write(typeof piece === "string" ? encoder.encode(piece) : piece);
        continue;
      }
      const block = encoder.encode(
        piece.repeat.repeat(Math.ceil(Math.min(piece.count, BLOCK) / piece.repeat.length)),
      );
      for (let left = piece.count; left > 0; ) {
        const n = Math.min(left, block.length);
        await handle.write(block, 0, n);
        left -= n;
      }
    }
  } finally {
    await handle.close();
  }
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function utf16(text: string, order: "le" | "be"): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set(order === "le" ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const [first, second] = order === "le" ? [unit & 0xff, unit >> 8] : [unit >> 8, unit & 0xff];
    out[2 + i * 2] = first;
    out[3 + i * 2] = second;
  }
  return out;
}

/** Deterministic bytes from `seed`, none of them in `excluded`. */
function randomBytes(count: number, seed: number, excluded: readonly number[]): Uint8Array {
  let state = seed >>> 0 || 1;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; ) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const byte = state & 0xff;
    if (!excluded.includes(byte)) out[i++] = byte;
  }
  return out;
}

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
// What the delimiter detection of the header line looks for besides the comma.
const DELIMITERS = [0x09, 0x3b, 0x7c];

/** `n` good rows from `OPP-<first>` on, CRLF after each. */
function goodRows(first: number, n: number): string {
  let out = "";
  for (let i = first; i < first + n; i++)
    out += `OPP-${i},Deal ${i},Proposal,${i}000,2027-01-31,Acme Corp\r\n`;
  return out;
}

/** Lines of random bytes (no quote, no line break), each with a NUL and a 0xFF, so none can be a valid row. */
export function binaryLines(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const noise = randomBytes(20 + ((seed * 7 + i * 31) % 100), seed + i, [CR, LF, QUOTE]);
    const line = new Uint8Array(noise.length + 4);
    line.set(noise.subarray(0, 5));
    line.set([0x00, 0xff], 5);
    line.set(noise.subarray(5), 7);
    line.set([CR, LF], noise.length + 2);
    return line;
  });
}

/** Where the binary lines of `binary_rows.csv` are: lines 12–23 (the header is line 1, good rows 2–11 and 24–33). */
export const BINARY_LINES = { first: 12, last: 23 } as const;

/** The files, by name: each a list of pieces. */
const FILES = {
  /** 0 bytes. */
  "empty.csv": [],
  /** The header and nothing else. */
  "header_only.csv": [`${HEADER}\r\n`],
  /** Data from the first line on: no header names a field. */
  "no_header.csv": [goodRows(1, 3)],
  /** UTF-16 LE with its BOM, as Excel saves "Unicode text": a header and two rows. */
  "utf16le.csv": [utf16(`${HEADER}\r\n${goodRows(1, 2)}`, "le")],
  /** A spreadsheet (a ZIP: `PK\x03\x04`, then compressed bytes) given instead of its CSV export. */
  "deals.xlsx": [
    bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00),
    "[Content_Types].xml",
    randomBytes(4_000, 17, DELIMITERS),
  ],
  /** Good rows on lines 2–11, twelve lines of binary (12–23), good rows on lines 24–33. */
  "binary_rows.csv": [`${HEADER}\r\n`, goodRows(1, 10), ...binaryLines(12, 5), goodRows(11, 10)],
  /**
   * Line 2 good; 3: 0xFF in the name; 4: a bad continuation in the id; 5: an encoded surrogate in the
   * stage; 6: good with é and 🚀 in UTF-8; 7: a sequence cut by the line break at the end of the account;
   * 8: an overlong "/" as the amount; 9: good.
   */
  "invalid_utf8.csv": [
    `${HEADER}\n`,
    "OPP-1,Deal 1,Proposal,1000,2027-01-31,Acme\n",
    "OPP-2,Deal ",
    bytes(0xff),
    "2,Proposal,2000,,Acme\n",
    "OPP-",
    bytes(0xc3, 0x28),
    "3,Deal 3,Proposal,3000,,Acme\n",
    "OPP-4,Deal 4,Pro",
    bytes(0xed, 0xa0, 0x80),
    "posal,4000,,Acme\n",
    "OPP-5,Café 🚀 deal,Proposal,5000,,Société Générale\n",
    "OPP-6,Deal 6,Proposal,6000,,Acme",
    bytes(0xe2, 0x82),
    "\n",
    "OPP-7,Deal 7,Proposal,",
    bytes(0xc0, 0xaf),
    ",,Acme\n",
    "OPP-8,Deal 8,Proposal,8000,,Acme\n",
  ],
  /** Windows-1252 with CRLF: 2 good; 3 "Café" with é as 0xE9; 4 curly quotes (0x93, 0x94) in the account; 5 good. */
  "windows_1252.csv": [
    `${HEADER}\r\n`,
    "OPP-1,Deal 1,Proposal,1000,,Acme\r\n",
    "OPP-2,Caf",
    bytes(0xe9),
    " deal,Proposal,2000,,Acme\r\n",
    "OPP-3,Deal 3,Proposal,3000,,",
    bytes(0x93),
    "Acme",
    bytes(0x94),
    "\r\n",
    "OPP-4,Deal 4,Proposal,4000,,Acme\r\n",
  ],
  /**
   * A UTF-8 BOM and CRLF: 2 good, with a quoted comma in the name; 3 blank (no record); 4–5 a name with a
   * quoted line break (one record, on line 4); 6 good; 7 an impossible date; 8 good, without a last line break.
   */
  "bom_crlf.csv": [
    `\uFEFF${HEADER}\r\n`,
    'OPP-1,"Deal 1, renewal",Proposal,1000,2027-01-31,Acme\r\n',
    "\r\n",
    'OPP-2,"Two\r\nlines",Proposal,2000,,Acme\r\n',
    "OPP-3,Deal 3,Proposal,3000,01/31/2027,Acme\r\n",
    "OPP-4,Deal 4,Proposal,4000,2027-02-30,Acme\r\n",
    "OPP-5,Deal 5,Proposal,5000,,Acme",
  ],
  /**
   * 2 good; 3 a field short; 4 a field too many; 5 all empty; 6 good; 7 empty required fields; 8 blank
   * (no record); 9 all quoted, good; 10 good, without a last line break.
   */
  "ragged_rows.csv": [
    `${HEADER}\n`,
    "OPP-1,Deal 1,Proposal,1000,,Acme\n",
    "OPP-2,Deal 2,Proposal,2000,\n",
    "OPP-3,Deal 3,Proposal,3000,,Acme,extra\n",
    ",,,,,\n",
    "OPP-5,Deal 5,Proposal,5000,,\n",
    "OPP-6,,,6000,,Acme\n",
    "\n",
    '"OPP-8","Deal 8","Proposal","8000","","Acme"\n',
    "OPP-9,Deal 9,Proposal,9000,,Acme",
  ],
  /** 2 good; 3 NUL in the name; 4 NUL in the amount; 5 a line of NULs; 6 NUL in the id; 7 good. */
  "nul_bytes.csv": [
    `${HEADER}\n`,
    "OPP-1,Deal 1,Proposal,1000,,Acme\n",
    "OPP-2,Deal\u00002,Proposal,2000,,Acme\n",
    "OPP-3,Deal 3,Proposal,30\u000000,,Acme\n",
    "\u0000\u0000\u0000\u0000\n",
    "OPP-\u00005,Deal 5,Proposal,5000,,Acme\n",
    "OPP-6,Deal 6,Proposal,6000,,Acme\n",
  ],
  /** 2 good, 3 good; 4 opens a quote in the name that is never closed: the rest of the file is that record. */
  "unterminated_quote.csv": [
    `${HEADER}\n`,
    "OPP-1,Deal 1,Proposal,1000,,Acme\n",
    "OPP-2,Deal 2,Proposal,2000,,Acme\n",
    'OPP-3,"Deal 3,Proposal,3000,,Acme\n',
    "OPP-4,Deal 4,Proposal,4000,,Acme\n",
  ],
  /**
   * 2 good; 3 opens a quoted name of 50 MB (a doubled quote every MB, 4 line breaks: lines 3–7); 8 good;
   * 9 an amount that is no number, to check the lines counted after it.
   */
  "huge_field.csv": [
    `${HEADER}\n`,
    "OPP-1,Before,Proposal,1000,,Acme\n",
    'OPP-2,"',
    ...Array.from({ length: 5 }, (_, i): Piece[] => [
      ...Array.from({ length: 10 }, (): Piece[] => [{ repeat: "x", count: 999_998 }, '""']).flat(),
      i < 4 ? "\n" : "",
    ]).flat(),
    '",Proposal,2000,,Acme\n',
    "OPP-3,After,Proposal,3000,,Acme\n",
    "OPP-4,Bad amount,Proposal,1.000.000,,Acme\n",
  ],
} as const satisfies Record<string, readonly Piece[]>;

export type HostileOpportunityFile = keyof typeof FILES;

/** Writes the file `name` into `folder`; returns its path. */
export async function writeHostileOpportunities(
  folder: string,
  name: HostileOpportunityFile,
): Promise<string> {
  const path = join(folder, name);
  await writePieces(path, FILES[name]);
  return path;
}
