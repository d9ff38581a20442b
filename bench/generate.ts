/**
 * Deterministic generator of opportunity ↔ contact linkage CSV for benchmarks and tests.
 *
 * The same options always give the same bytes: a seeded PRNG (sfc32) drives the sequence of row kinds,
 * and the content of the n-th unique row is a pure function of (seed, n), so a duplicate of any earlier
 * row is rebuilt without keeping the file in memory. Keys of unique rows never collide (the e-mail
 * carries the row's number), so the expected counts are known exactly: see {@linkcode GenerateStats}.
 *
 * Mix (defaults): ~5% duplicates (half exact, half differing only in the e-mail's letter case), ~1%
 * invalid e-mail addresses, ~0.5% quoted fields (some with doubled quotes or commas inside), ~0.1%
 * non-ASCII opportunity IDs (incl. an astral character), optional CRLF line ends and optional line
 * breaks inside quoted fields. No value has leading or trailing white space, so every pipeline that
 * checks e-mails with the WHATWG rule and compares keys case-insensitively finds the same counts.
 *
 * @example
 * ```sh
 * npx tsx bench/generate.ts --mb 200 [--crlf] [--seed 1] [--out bench/data/linkage-200mb.csv]
 * ```
 * ```ts
 * const { text, stats } = generateLinkageCsv({ rows: 1000, seed: 7 });
 * ```
 * @module
 */

import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { fmix32 } from "../lib/dedupe/key_hash.ts";

/** Options of {@linkcode generateLinkageChunks} and {@linkcode generateLinkageCsv}. */
export interface GenerateOptions {
  /** Stop after the row that reaches this many UTF-8 bytes. @default 1_000_000 when `rows` is not set */
  bytes?: number;
  /** Stop after this many data rows (whichever of `bytes` and `rows` comes first). @default Infinity */
  rows?: number;
  /** PRNG seed. @default 1 */
  seed?: number;
  /** End lines with CRLF instead of LF. @default false */
  crlf?: boolean;
  /** Put a line break inside some quoted opportunity IDs (physical lines ≠ records then). @default false */
  embeddedNewlines?: boolean;
  /** Share of rows that repeat an earlier key. @default 0.05 */
  duplicateRate?: number;
  /** Share of rows with an invalid e-mail address. @default 0.01 */
  invalidRate?: number;
  /** Share of rows with a quoted field. @default 0.005 */
  quoteRate?: number;
  /** Share of unique rows whose opportunity ID is not ASCII. @default 0.001 */
  nonAsciiRate?: number;
  /** Approximate characters per yielded chunk. @default 1 << 20 */
  chunkChars?: number;
}

/** What was generated: the counts a correct pipeline must find. */
export interface GenerateStats {
  /** Data rows (the header excluded). */
  rows: number;
  /** Rows whose key was new (all of them valid): what must be batched. */
  unique: number;
  /** Rows repeating an earlier key: `exactDuplicate + caseDuplicate`. */
  duplicate: number;
  exactDuplicate: number;
  /** Duplicates whose e-mail differs from the first occurrence only in letter case. */
  caseDuplicate: number;
  /** Rows with an invalid e-mail address (never duplicates of anything). */
  invalid: number;
  /** Rows with at least one quoted field. */
  quoted: number;
  /** Rows with a non-ASCII value. */
  nonAscii: number;
  /** Rows with a line break inside a quoted field. */
  embeddedNewlines: number;
  /** UTF-8 bytes of the whole text, header included. */
  bytes: number;
}

const FIRST = [
  "james",
  "mary",
  "john",
  "patricia",
  "robert",
  "jennifer",
  "michael",
  "linda",
  "william",
  "elizabeth",
  "david",
  "barbara",
  "richard",
  "susan",
  "joseph",
  "jessica",
  "thomas",
  "sarah",
  "charles",
  "karen",
  "chris",
  "nancy",
  "daniel",
  "lisa",
  "matt",
  "betty",
  "anthony",
  "sandra",
  "mark",
  "ashley",
  "paul",
  "kim",
  "steven",
  "emily",
  "andrew",
  "donna",
  "ken",
  "michelle",
  "josh",
  "carol",
  "kevin",
  "amanda",
  "brian",
  "melissa",
  "george",
  "deb",
  "tim",
  "laura",
  "ron",
  "rebecca",
  "ed",
  "sharon",
  "jason",
  "cynthia",
];
const LAST = [
  "smith",
  "johnson",
  "williams",
  "brown",
  "jones",
  "garcia",
  "miller",
  "davis",
  "rodriguez",
  "martinez",
  "hernandez",
  "lopez",
  "gonzalez",
  "wilson",
  "anderson",
  "thomas",
  "taylor",
  "moore",
  "jackson",
  "martin",
  "lee",
  "perez",
  "thompson",
  "white",
  "harris",
  "sanchez",
  "clark",
  "ramirez",
  "lewis",
  "robinson",
  "walker",
  "young",
  "allen",
  "king",
  "wright",
  "scott",
  "torres",
  "nguyen",
  "hill",
  "flores",
  "green",
  "adams",
  "nelson",
  "baker",
  "hall",
  "rivera",
  "campbell",
  "mitchell",
  "carter",
  "roberts",
  "o'neil",
  "d-souza",
];
const DOMAINS = [
  "example.com",
  "acme.io",
  "contoso.com",
  "fabrikam.net",
  "initech.com",
  "globex.org",
  "umbrella.co.uk",
  "hooli.com",
  "stark-industries.com",
  "wayne.enterprises",
  "mail.example.org",
  "corp.example.de",
  "sub.domain.example.fr",
  "tyrell.jp",
  "cyberdyne.systems",
  "aperture.science",
  "gmail.com",
  "outlook.com",
];
const SEPARATORS = [".", "_", "-", "", "+"];
/** Non-ASCII ID stems: 2- and 3-byte UTF-8 and one astral character (a surrogate pair in UTF-16). */
const NON_ASCII = ["Zürich", "ÄÖÜ", "Ñandú", "商談", "Łódź", "Straße", "Ελλάδα", "🚀", "Café", "İstanbul"];
const COMPANIES = ["Acme", "Globex", "Initech", "Hooli", "Umbrella", "Stark", "Wayne", "Tyrell"];
/** Invalid e-mail shapes: each breaks the WHATWG rule in a different place. */
const INVALID = [
  (u: string, d: string) => `${u}.${d}`, // no @
  (u: string, d: string) => `${u}@@${d}`, // two @
  (u: string, d: string) => `${u} x@${d}`, // space in the local part
  (u: string, d: string) => `${u}@${d}.`, // empty last label
  (u: string, d: string) => `${u}@-${d}`, // label starting with a hyphen
  (u: string, d: string) => `${u}@${d.replace(".", "..")}`, // empty label
  (u: string, d: string) => `jö${u}@${d}`, // non-ASCII local part
  (_u: string, d: string) => `@${d}`, // empty local part
  (u: string, _d: string) => `${u}@`, // no domain
  (_u: string, _d: string) => "", // empty
  (u: string, d: string) => `${u}@${d}:80`, // port
  (u: string, d: string) => `<${u}@${d}>`, // angle brackets
];

/** sfc32: small, fast, good enough for benchmark data; returns a float in [0, 1). */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A 32-bit mix of two words (murmur3's finalizer), for content that depends only on (seed, n). */
function mix(x: number, y: number): number {
  return fmix32((Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca6b)) | 0) >>> 0;
}

function pick<T>(list: readonly T[], r: number): T {
  return list[r % list.length]!;
}

/** The CSV form of a value: quoted (quotes doubled) when it must be or when `force` is set. */
function csvField(value: string, force: boolean): string {
  if (force || /[",\r\n]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

interface UniqueRow {
  id: string;
  email: string;
  nonAscii: boolean;
}

interface Shape {
  seed: number;
  eol: string;
  nonAsciiRate: number;
  /** Share of IDs holding a quote, a comma or (with `embeddedNewlines`) a line break. */
  specialRate: number;
  embeddedNewlines: boolean;
}

/**
 * The n-th unique row: the same every time it is asked for, so a later duplicate repeats it exactly.
 * Some IDs hold a quote, a comma or a line break (then the writer must quote them).
 */
function uniqueRow(shape: Shape, n: number): UniqueRow {
  const r1 = mix(shape.seed, n);
  const r2 = mix(r1, n);
  const r3 = mix(r2, shape.seed);
  const r4 = mix(r3, r1);
  const nonAscii = r3 / 4294967296 < shape.nonAsciiRate;
  const digits = String(1_000_000 + (r1 % 9_000_000));
  let id = nonAscii ? `OPP-${pick(NON_ASCII, r2 >>> 8)}-${digits}` : `OPP-${digits}`;
  if (r4 / 4294967296 < shape.specialRate) {
    const company = pick(COMPANIES, r4 >>> 4);
    const how = (r4 >>> 12) % (shape.embeddedNewlines ? 3 : 2);
    if (how === 0) id = `${id} "${company}"`;
    else if (how === 1) id = `${id}, ${company} Inc.`;
    else id = `${id}${shape.eol}${company}`;
  }
  const first = pick(FIRST, r2);
  const last = pick(LAST, r2 >>> 8);
  const sep = pick(SEPARATORS, r2 >>> 16);
  // The row number makes every unique key distinct: names hold no digits, so "name + number" splits one way.
  const tag = String(n);
  let local = (r3 & 3) === 0 ? `${first[0]}${sep}${last}${tag}` : `${first}${sep}${last}${tag}`;
  let domain = pick(DOMAINS, r3 >>> 4);
  if ((r3 >>> 12) % 10 === 0) {
    // Some addresses are written with capitals in the source system.
    local = local[0]!.toUpperCase() + local.slice(1);
    domain = domain[0]!.toUpperCase() + domain.slice(1);
  }
  return { id, email: `${local}@${domain}`, nonAscii };
}

/** The e-mail with its letter case changed (surely changed: every address holds a letter). */
function caseVariant(email: string, r: number): string {
  switch (r % 3) {
    case 0:
      return email.toUpperCase() === email ? email.toLowerCase() : email.toUpperCase();
    case 1: {
      const at = email.indexOf("@");
      const domain = email.slice(at);
      const swapped = domain.toUpperCase() === domain ? domain.toLowerCase() : domain.toUpperCase();
      return email.slice(0, at) + swapped;
    }
    default: {
      let out = "";
      for (let i = 0; i < email.length; i++) {
        const ch = email[i]!;
        out += i % 2 === 0 ? ch.toUpperCase() : ch.toLowerCase();
      }
      return out === email ? caseVariant(email, 0) : out;
    }
  }
}

/**
 * Generate linkage CSV as text chunks of about `chunkChars` characters; the generator's return value is
 * the {@linkcode GenerateStats}. The header is `OpportunityID,EmailAddress`.
 */
export function* generateLinkageChunks(options: GenerateOptions = {}): Generator<string, GenerateStats> {
  const maxRows = options.rows ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.bytes ?? (options.rows === undefined ? 1_000_000 : Number.POSITIVE_INFINITY);
  const seed = options.seed ?? 1;
  const eol = options.crlf ? "\r\n" : "\n";
  const duplicateRate = options.duplicateRate ?? 0.05;
  const invalidRate = options.invalidRate ?? 0.01;
  const quoteRate = options.quoteRate ?? 0.005;
  const chunkChars = options.chunkChars ?? 1 << 20;
  // Half the quoted rows come from IDs that must be quoted, half from quotes the writer adds anyway.
  const shape: Shape = {
    seed,
    eol,
    nonAsciiRate: options.nonAsciiRate ?? 0.001,
    specialRate: quoteRate / 2,
    embeddedNewlines: options.embeddedNewlines ?? false,
  };
  const invalidShape: Shape = { ...shape, seed: seed ^ 0x5bd1e995, nonAsciiRate: 0, specialRate: 0 };
  const random = sfc32(seed);
  const stats: GenerateStats = {
    rows: 0,
    unique: 0,
    duplicate: 0,
    exactDuplicate: 0,
    caseDuplicate: 0,
    invalid: 0,
    quoted: 0,
    nonAscii: 0,
    embeddedNewlines: 0,
    bytes: 0,
  };
  let chunk = `OpportunityID,EmailAddress${eol}`;
  stats.bytes = chunk.length;
  while (stats.rows < maxRows && stats.bytes < maxBytes) {
    const kind = random();
    let id: string;
    let email: string;
    let nonAscii: boolean;
    if (kind < duplicateRate && stats.unique > 0) {
      const earlier = uniqueRow(shape, Math.floor(random() * stats.unique));
      id = earlier.id;
      nonAscii = earlier.nonAscii;
      if (random() < 0.5) {
        email = earlier.email;
        stats.exactDuplicate++;
      } else {
        email = caseVariant(earlier.email, Math.floor(random() * 3));
        stats.caseDuplicate++;
      }
      stats.duplicate++;
    } else if (kind < duplicateRate + invalidRate) {
      const base = uniqueRow(invalidShape, stats.rows);
      id = base.id;
      const at = base.email.indexOf("@");
      email = pick(INVALID, Math.floor(random() * 1e6))(base.email.slice(0, at), base.email.slice(at + 1));
      nonAscii = /[^\x00-\x7f]/.test(email);
      stats.invalid++;
    } else {
      const row = uniqueRow(shape, stats.unique);
      id = row.id;
      email = row.email;
      nonAscii = row.nonAscii;
      stats.unique++;
    }
    // Quotes around a value that needs none leave the value as it is.
    const force = random() < quoteRate / 2 ? Math.floor(random() * 3) + 1 : 0;
    const idField = csvField(id, (force & 1) !== 0);
    const emailField = csvField(email, (force & 2) !== 0);
    if (idField.charCodeAt(0) === 34 || emailField.charCodeAt(0) === 34) stats.quoted++;
    if (id.includes("\n")) stats.embeddedNewlines++;
    if (nonAscii) stats.nonAscii++;
    const line = `${idField},${emailField}${eol}`;
    stats.rows++;
    stats.bytes += nonAscii ? utf8Length(line) : line.length;
    chunk += line;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
  return stats;
}

/** Generate linkage CSV in memory (for tests): the text and what it holds. */
export function generateLinkageCsv(options: GenerateOptions = {}): { text: string; stats: GenerateStats } {
  const parts: string[] = [];
  const it = generateLinkageChunks(options);
  for (;;) {
    const next = it.next();
    if (next.done) return { text: parts.join(""), stats: next.value };
    parts.push(next.value);
  }
}

/** Write a generated file and a `<file>.json` beside it with its {@linkcode GenerateStats}. */
export function writeLinkageCsv(path: string, options: GenerateOptions): GenerateStats {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  const encoder = new TextEncoder();
  const it = generateLinkageChunks(options);
  let stats: GenerateStats;
  try {
    for (;;) {
      const next = it.next();
      if (next.done) {
        stats = next.value;
        break;
      }
      writeSync(fd, encoder.encode(next.value));
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(`${path}.json`, `${JSON.stringify({ options, stats }, null, 2)}\n`);
  return stats;
}

/** The default path of a generated file of `mb` MB. */
export function defaultDataPath(mb: number, crlf = false, seed = 1): string {
  return `bench/data/linkage-${mb}mb${crlf ? "-crlf" : ""}${seed === 1 ? "" : `-s${seed}`}.csv`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      mb: { type: "string", default: "200" },
      crlf: { type: "boolean", default: false },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      "embedded-newlines": { type: "boolean", default: false },
    },
  });
  const mb = Number(values.mb);
  const seed = Number(values.seed);
  if (!(mb > 0)) throw new RangeError(`--mb must be a positive number: current value is ${values.mb}`);
  if (!Number.isSafeInteger(seed))
    throw new RangeError(`--seed must be an integer: current value is ${values.seed}`);
  const out = values.out ?? defaultDataPath(mb, values.crlf, seed);
  const started = performance.now();
  const stats = writeLinkageCsv(out, {
    bytes: Math.round(mb * 1e6),
    seed,
    crlf: values.crlf,
    embeddedNewlines: values["embedded-newlines"],
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${out}: ${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.rows} rows in ${seconds.toFixed(1)} s`);
  console.log(JSON.stringify(stats));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
