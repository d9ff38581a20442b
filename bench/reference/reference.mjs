#!/usr/bin/env node
/**
 * The yardstick of the end-to-end benchmark: a plain-JavaScript, byte-level program that does the same
 * job as the project's import (`importLinkages` with the CLI's defaults), written the way
 * `../shared/performance.md` ("A byte-level pipeline") describes, with nothing from `lib/`:
 *
 * - the file is read in 1 MiB chunks into one buffer; a row cut by a chunk's end is moved to the front;
 * - a byte-class table drives the scan of `OpportunityID,EmailAddress` rows (the header must name those
 *   two columns, in either order, case-insensitively; a leading BOM is skipped); a row of plain printable
 *   ASCII is read, validated and hashed in place; any other row (quotes, CR alone, bytes ≥ 0x80, control
 *   characters, spaces to trim, `\`, a field count ≠ 2, the last line without a line break) takes a slow
 *   path through strings: RFC 4180 with doubled quotes, text after a closing quote and quotes inside an
 *   unquoted field kept as they are, blank lines skipped, UTF-8 decoded strictly (a record with bytes that
 *   are not UTF-8 is invalid), records over 1 MiB invalid;
 * - the project's rules: both fields required after `String.prototype.trim`; EmailAddress valid by the
 *   WHATWG HTML production and ≤ 254 characters; OpportunityID without U+0000–U+001F and U+007F;
 * - dedupe on (OpportunityID, EmailAddress), both compared case-insensitively as the project's default
 *   definition does (ASCII folded in the scan, other text through `toLowerCase`), by a 128-bit hash
 *   (MurmurHash3 x86_128 over the fields' lengths and bytes) in a typed-array open-addressing table
 *   presized from the file size (40 bytes a row, load ≤ 0.7; it doubles past 0.75); lookups go 64 rows
 *   at a time: first every home slot of the group is read (so its cache and TLB misses overlap), then the
 *   rows are inserted in order;
 * - JSON written straight into preallocated 4,000,000-byte buffers: `[{"OpportunityID":"…","EmailAddress":
 *   "…"},…]`, a body cut before the row that would take it (and its closing bracket) past the cap, values
 *   that are not plain printable ASCII escaped by `JSON.stringify`: the project's bytes exactly;
 * - `node:http` with a keep-alive agent (4 sockets), 4 data POSTs in flight; the definition created first
 *   (the body the project's client sends); a sync before a body would take the staging since the last sync
 *   past 250,000,000 bytes or 500 files, after the POSTs in flight ended, and one at the end; each sync
 *   polled until final (at once, then 250 ms growing ×1.5, as the project's client does).
 *
 * `--threads 2`: a worker thread reads, scans, validates and hashes; it hands each chunk's buffer and an
 * `Int32Array` of its rows (spans and hashes) to the main thread (transferred, and given back for reuse),
 * which dedupes, writes JSON and uploads.
 *
 * ```sh
 * ELOQUA_SITE=EmulatorSite ELOQUA_USER=emulator.user ELOQUA_PASSWORD=emulator-password \
 *   node bench/reference/reference.mjs --url http://127.0.0.1:PORT --file bench/data/linkage-20mb.csv [--threads 2]
 * ```
 *
 * Prints one JSON line: counts (read, invalid, duplicate, staged), what was posted, and the process's
 * wall time, CPU, peak RSS and page faults from just before the import (module loading excluded), in the
 * shape of `ImportResult` (`bench/_e2e_case.ts`).
 */

import { open } from "node:fs/promises";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const READ_BYTES = 1 << 20;
const MAX_BODY_BYTES = 4_000_000;
const CONCURRENCY = 4;
const MAX_BYTES_PER_SYNC = 250_000_000;
const MAX_FILES_PER_SYNC = 500;
const BYTES_PER_ROW_GUESS = 40;
const MAX_RECORD_BYTES = 1_048_576;
/** A record the reference cannot hold in its buffer (the project skips records over 1 MiB as it reads). */
const MAX_HELD_RECORD = 64 << 20;
const MAX_EMAIL = 254;
const GROUP = 64;
/** Int32 words per row in a block: id start, id end, e-mail start, e-mail end, 4 words of hash. */
const ROW_WORDS = 8;
/** Chunk buffers and row arrays in circulation between the threads (`--threads 2`). */
const BUFFERS_IN_FLIGHT = 4;

const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const HYPHEN = 45;
const DOT = 46;
const AT = 64;

/** Scan classes: 0 = a plain byte of a fast row; 1 = ends a field (`,` LF CR); 2 = needs the slow path. */
const CLASS = new Uint8Array(256).fill(2);
CLASS.fill(0, 0x20, 0x7f);
CLASS[QUOTE] = 2;
CLASS[0x5c] = 2; // backslash: escaped in JSON
CLASS[COMMA] = 1;
CLASS[LF] = 1;
CLASS[CR] = 1;

/** The WHATWG HTML "valid e-mail address" production (lib/validate/email.ts). */
const WHATWG_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const LOCAL = new Uint8Array(256);
const ALNUM = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-zA-Z0-9]/.test(ch)) ALNUM[c] = 1;
  if (/[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]/.test(ch)) LOCAL[c] = 1;
}

/** The same production over ASCII bytes `b[a, e)`. */
function validEmailBytes(b, a, e) {
  if (e - a > MAX_EMAIL) return false;
  let i = a;
  for (; i < e; i++) {
    const c = b[i];
    if (c === AT) break;
    if (LOCAL[c] === 0) return false;
  }
  if (i === a || i >= e) return false;
  i++;
  for (;;) {
    const label = i;
    for (; i < e; i++) {
      const c = b[i];
      if (ALNUM[c] === 0 && c !== HYPHEN) break;
    }
    const length = i - label;
    if (length === 0 || length > 63) return false;
    if (b[label] === HYPHEN || b[i - 1] === HYPHEN) return false;
    if (i === e) return true;
    if (b[i] !== DOT) return false;
    i++;
  }
}

/** Whether the e-mail `scanEmail` last scanned is valid. */
let emailValid = false;

/**
 * Scan the plain bytes of an e-mail field from `i` and validate them in the same pass: the local part,
 * `@`, the domain's labels. Returns where the field's plain bytes end (a byte of class ≠ 0, or `end`)
 * and sets `emailValid` (its length is checked by the caller, which knows the field's end).
 */
function scanEmail(b, i, end) {
  const start = i;
  for (; i < end; i++) {
    if (LOCAL[b[i]] === 0) break;
  }
  let ok = i > start && i < end && b[i] === AT;
  if (ok) {
    i++;
    for (;;) {
      const label = i;
      for (; i < end; i++) {
        const c = b[i];
        if (ALNUM[c] === 0 && c !== HYPHEN) break;
      }
      const length = i - label;
      if (length === 0 || length > 63 || b[label] === HYPHEN || b[i - 1] === HYPHEN) {
        ok = false;
        break;
      }
      if (i < end && b[i] === DOT) {
        i++;
        continue;
      }
      break;
    }
  }
  // Stopped inside the field: whatever follows, the address is not valid; find the field's end.
  if (i < end && CLASS[b[i]] === 0) {
    ok = false;
    for (; i < end; i++) {
      if (CLASS[b[i]] !== 0) break;
    }
  }
  emailValid = ok;
  return i;
}

// ---- 128-bit hash: MurmurHash3 x86_128 over 32-bit words (each field: its byte length, then its bytes) ----

let words = new Int32Array(1024);
/** The last hash: 4 words, the last one's lowest bit set (an all-zero slot is empty). */
const H = new Int32Array(4);

function ensureWords(n) {
  if (words.length < n) words = new Int32Array(Math.max(n, words.length * 2));
}

/** Four ASCII bytes with A–Z lower-cased at once (no byte ≥ 0x80, so no carry between bytes). */
function fold(x) {
  const upper = ((x + 0x3f3f3f3f) | 0) & ~((x + 0x25252525) | 0) & 0x80808080;
  return x | (upper >>> 2);
}

/** Write the words of `b[a, e)` from word `w`; `folding` lower-cases ASCII. Returns the next word. */
function addField(b, a, e, folding, w) {
  const out = words;
  out[w++] = e - a;
  let i = a;
  for (; i + 3 < e; i += 4) {
    const x = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    out[w++] = folding ? fold(x) : x;
  }
  if (i < e) {
    let x = 0;
    for (let s = 0; i < e; i++, s += 8) x |= b[i] << s;
    out[w++] = folding ? fold(x) : x;
  }
  return w;
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** MurmurHash3 x86_128 of `words[0, length)` into `H`. */
function murmur128(length) {
  const data = words;
  let h1 = 0x9747b28c | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocks = length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    let k1 = Math.imul(data[i], C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    let k2 = Math.imul(data[i + 1], C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    let k3 = Math.imul(data[i + 2], C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    let k4 = Math.imul(data[i + 3], C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const rest = length - blocks;
  if (rest > 2) {
    let k3 = Math.imul(data[i + 2], C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
  }
  if (rest > 1) {
    let k2 = Math.imul(data[i + 1], C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
  }
  if (rest > 0) {
    let k1 = Math.imul(data[i], C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
  }
  const bytes = length << 2;
  h1 ^= bytes;
  h2 ^= bytes;
  h3 ^= bytes;
  h4 ^= bytes;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  H[0] = h1;
  H[1] = (h2 + h1) | 0;
  H[2] = (h3 + h1) | 0;
  H[3] = (h4 + h1) | 0 | 1;
}

/** Hash the key of a fast row: both fields' ASCII bytes, folded. */
function hashSpans(b, idStart, idEnd, emailStart, emailEnd) {
  ensureWords(8 + ((idEnd - idStart + emailEnd - emailStart) >> 2));
  murmur128(addField(b, emailStart, emailEnd, true, addField(b, idStart, idEnd, true, 0)));
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Hash the key of a slow row: both values lower-cased (`toLowerCase`), as UTF-8. */
function hashStrings(id, email) {
  const a = encoder.encode(id.toLowerCase());
  const b = encoder.encode(email.toLowerCase());
  ensureWords(8 + ((a.length + b.length) >> 2));
  murmur128(addField(b, 0, b.length, false, addField(a, 0, a.length, false, 0)));
}

// ---- scanning: complete records of a buffer into a block of rows ----

/** A growable Int32Array of rows (ROW_WORDS each), the slow rows' JSON, and the counts of one chunk. */
function newBlock(rows) {
  return { rows, n: 0, slow: [], read: 0, invalid: 0 };
}

function pushRow(block, s0, e0, s1, e1) {
  const at = block.n * ROW_WORDS;
  if (at + ROW_WORDS > block.rows.length) {
    const grown = new Int32Array(block.rows.length * 2);
    grown.set(block.rows);
    block.rows = grown;
  }
  const rows = block.rows;
  rows[at] = s0;
  rows[at + 1] = e0;
  rows[at + 2] = s1;
  rows[at + 3] = e1;
  rows[at + 4] = H[0];
  rows[at + 5] = H[1];
  rows[at + 6] = H[2];
  rows[at + 7] = H[3];
  block.n++;
}

/** The bytes of a slow record's fields, and where each field ends in them. */
let fieldBytes = new Uint8Array(4096);
const fieldEnds = [];
let slowRecordFields = 0;
/** Whether the last slow record's first field was quoted (a lone `""` is a record, not a blank line). */
let slowFirstQuoted = false;

function putByte(n, c) {
  if (n === fieldBytes.length) {
    const grown = new Uint8Array(fieldBytes.length * 2);
    grown.set(fieldBytes);
    fieldBytes = grown;
  }
  fieldBytes[n] = c;
}

const START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;

/**
 * Parse one record of `b[p, end)` byte by byte into `fieldBytes` / `fieldEnds`. Returns where the next
 * record starts, -1 when the record is not complete in the buffer (more input to come), or -2 - next when
 * the input ended inside quotes (an unterminated quoted field, up to `next`).
 */
function parseRecord(b, p, end, eof) {
  let i = p;
  let n = 0;
  let state = START;
  fieldEnds.length = 0;
  slowFirstQuoted = false;
  for (; i < end; ) {
    const c = b[i];
    if (state === QUOTED) {
      if (c === QUOTE) {
        if (i + 1 >= end) {
          if (!eof) return -1;
          state = AFTER_QUOTE;
          i++;
          continue;
        }
        if (b[i + 1] === QUOTE) {
          putByte(n++, QUOTE);
          i += 2;
          continue;
        }
        state = AFTER_QUOTE;
        i++;
        continue;
      }
      putByte(n++, c);
      i++;
      continue;
    }
    if (c === QUOTE && state === START) {
      if (fieldEnds.length === 0) slowFirstQuoted = true;
      state = QUOTED;
      i++;
      continue;
    }
    if (c === COMMA) {
      fieldEnds.push(n);
      state = START;
      i++;
      continue;
    }
    if (c === LF) {
      fieldEnds.push(n);
      slowRecordFields = fieldEnds.length;
      return i + 1;
    }
    if (c === CR) {
      let next = i + 1;
      if (next < end) {
        if (b[next] === LF) next++;
      } else if (!eof) return -1;
      fieldEnds.push(n);
      slowRecordFields = fieldEnds.length;
      return next;
    }
    // Text after a closing quote, or a quote inside an unquoted field: kept as it is.
    putByte(n++, c);
    state = UNQUOTED;
    i++;
  }
  if (!eof) return -1;
  if (state === QUOTED) return -2 - end;
  if (state === START && fieldEnds.length === 0 && n === 0) return end; // nothing left
  fieldEnds.push(n);
  slowRecordFields = fieldEnds.length;
  return end;
}

/** The fields of the record just parsed, decoded strictly; `undefined` when one is not UTF-8. */
function recordStrings() {
  const out = [];
  let a = 0;
  for (const e of fieldEnds) {
    try {
      out.push(strictDecoder.decode(fieldBytes.subarray(a, e)));
    } catch {
      return undefined;
    }
    a = e;
  }
  return out;
}

function isControlFree(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

const PREFIX = `{"OpportunityID":`;
const MIDDLE = `,"EmailAddress":`;

/**
 * Scans records of one CSV file. `scan` takes complete records from a buffer into a block (fast rows as
 * spans of the buffer, slow rows as their JSON) and returns where the unread rest starts.
 */
class Scanner {
  header = false;
  /** Whether the header is `EmailAddress,OpportunityID`. */
  swap = false;

  scan(b, p, end, eof, block) {
    if (!this.header) {
      p = this.#readHeader(b, p, end, eof);
      if (p < 0) return -1 - p;
    }
    const swap = this.swap;
    while (p < end) {
      // First field: plain bytes up to a comma.
      let i = p;
      let c = 0;
      for (; i < end; i++) {
        c = b[i];
        if (CLASS[c] !== 0) break;
      }
      if (i === end || c !== COMMA) {
        const next = this.#slow(b, p, end, eof, block);
        if (next < 0) break;
        p = next;
        continue;
      }
      const s0 = p;
      const e0 = i++;
      const s1 = i;
      // The second field: validated as an e-mail while it is scanned (swap: it is the id, scanned plain).
      if (swap) {
        for (; i < end; i++) {
          if (CLASS[b[i]] !== 0) break;
        }
      } else i = scanEmail(b, i, end);
      if (i < end) c = b[i];
      if (i === end || c === COMMA || CLASS[c] === 2) {
        const next = this.#slow(b, p, end, eof, block);
        if (next < 0) break;
        p = next;
        continue;
      }
      const e1 = i;
      let next = i + 1;
      if (c === CR) {
        if (next < end) {
          if (b[next] === LF) next++;
        } else if (!eof) break;
      }
      // Spaces to trim: the slow path.
      if (
        (e0 > s0 && (b[s0] === SPACE || b[e0 - 1] === SPACE)) ||
        (e1 > s1 && (b[s1] === SPACE || b[e1 - 1] === SPACE))
      ) {
        const after = this.#slow(b, p, end, eof, block);
        if (after < 0) break;
        p = after;
        continue;
      }
      block.read++;
      const idStart = swap ? s1 : s0;
      const idEnd = swap ? e1 : e0;
      const emailStart = swap ? s0 : s1;
      const emailEnd = swap ? e0 : e1;
      const valid = swap ? validEmailBytes(b, emailStart, emailEnd) : emailValid;
      if (idEnd === idStart || !valid || emailEnd - emailStart > MAX_EMAIL) {
        block.invalid++;
      } else {
        hashSpans(b, idStart, idEnd, emailStart, emailEnd);
        pushRow(block, idStart, idEnd, emailStart, emailEnd);
      }
      p = next;
    }
    return p;
  }

  /** The header record; returns where the data starts, or -1 - p when it is not complete yet. */
  #readHeader(b, p, end, eof) {
    if (p === 0 && end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) p = 3;
    else if (p === 0 && !eof && end < 3) return -1 - p;
    for (;;) {
      const next = parseRecord(b, p, end, eof);
      if (next === -1) return -1 - p;
      if (next < -1 || (next === end && p === end)) throw new Error("the header row cannot be read");
      if (fieldEnds.length === 1 && fieldEnds[0] === 0 && !slowFirstQuoted) {
        p = next; // a blank line
        continue;
      }
      const names = recordStrings()?.map((s) => s.trim().toLowerCase());
      if (names?.length === 2 && names[0] === "opportunityid" && names[1] === "emailaddress")
        this.swap = false;
      else if (names?.length === 2 && names[0] === "emailaddress" && names[1] === "opportunityid")
        this.swap = true;
      else throw new Error("the header must name the columns OpportunityID and EmailAddress");
      this.header = true;
      return next;
    }
  }

  /** A record through strings; returns where the next starts, or -1 when it is not complete yet. */
  #slow(b, p, end, eof, block) {
    const next = parseRecord(b, p, end, eof);
    if (next === -1) {
      if (end - p > MAX_HELD_RECORD) throw new Error(`a record of more than ${MAX_HELD_RECORD} bytes`);
      return -1;
    }
    if (next < -1) {
      // Unterminated quote at the end of the input: read, and invalid.
      block.read++;
      block.invalid++;
      return -2 - next;
    }
    if (slowRecordFields === 1 && fieldEnds[0] === 0 && !slowFirstQuoted) return next; // a blank line
    if (next === end && p === end) return next;
    block.read++;
    const length = fieldEnds.at(-1) + fieldEnds.length;
    const values = slowRecordFields === 2 && length <= MAX_RECORD_BYTES + 1 ? recordStrings() : undefined;
    if (values === undefined) {
      block.invalid++;
      return next;
    }
    const id = (this.swap ? values[1] : values[0]).trim();
    const email = (this.swap ? values[0] : values[1]).trim();
    if (
      id === "" ||
      email === "" ||
      email.length > MAX_EMAIL ||
      !isControlFree(id) ||
      !WHATWG_EMAIL.test(email)
    ) {
      block.invalid++;
      return next;
    }
    hashStrings(id, email);
    const k = block.slow.length;
    block.slow.push(encoder.encode(`${PREFIX}${JSON.stringify(id)}${MIDDLE}${JSON.stringify(email)}}`));
    pushRow(block, -1 - k, 0, 0, 0);
    return next;
  }
}

// ---- dedupe: a presized open-addressing table of 128-bit keys ----

class KeyTable {
  constructor(expectedKeys) {
    this.#allocate(Math.max(1024, Math.ceil(expectedKeys / 0.7)));
  }

  #allocate(capacity) {
    this.capacity = capacity;
    this.table = new Int32Array(capacity * 4);
    this.size = 0;
    this.limit = Math.floor(capacity * 0.75);
  }

  /** The home slot of a key whose first word is `h0`. */
  home(h0) {
    return Math.floor(((h0 >>> 0) * this.capacity) / 4294967296);
  }

  /** True when the key was new (and is now in the table). */
  insert(h0, h1, h2, h3) {
    const t = this.table;
    let s = this.home(h0);
    for (;;) {
      const o = s << 2;
      const k3 = t[o + 3];
      if (k3 === 0) {
        t[o] = h0;
        t[o + 1] = h1;
        t[o + 2] = h2;
        t[o + 3] = h3;
        if (++this.size > this.limit) this.#grow();
        return true;
      }
      if (k3 === h3 && t[o] === h0 && t[o + 1] === h1 && t[o + 2] === h2) return false;
      if (++s === this.capacity) s = 0;
    }
  }

  #grow() {
    const old = this.table;
    this.#allocate(this.capacity * 2);
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 3] !== 0) this.insert(old[o], old[o + 1], old[o + 2], old[o + 3]);
    }
  }

  get bytes() {
    return this.table.byteLength;
  }
}

// ---- JSON bodies ----

const FIXED_ID = encoder.encode(`${PREFIX}"`);
const FIXED_EMAIL = encoder.encode(`"${MIDDLE}"`);
const FIXED_END = encoder.encode(`"}`);
const FIXED_BYTES = FIXED_ID.length + FIXED_EMAIL.length + FIXED_END.length;

class BodyWriter {
  /** Bodies cut and not yet handed to the uploader. */
  ready = [];
  /** Buffers given back by the uploader. */
  free = [];
  buffer = new Uint8Array(MAX_BODY_BYTES);
  pos = 1;
  rows = 0;
  stats = { rows: 0, bodies: 0, bytes: 0 };

  constructor() {
    this.buffer[0] = 0x5b; // [
  }

  /** Room for a row of `bytes` (a comma before it, the closing bracket after it). */
  #room(bytes) {
    if (1 + bytes + 1 > MAX_BODY_BYTES) throw new Error("a row larger than a body");
    if (this.rows > 0 && this.pos + 1 + bytes + 1 > MAX_BODY_BYTES) this.cut();
    if (this.rows > 0) this.buffer[this.pos++] = COMMA;
    this.rows++;
  }

  spans(b, idStart, idEnd, emailStart, emailEnd) {
    this.#room(FIXED_BYTES + idEnd - idStart + emailEnd - emailStart);
    const out = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < FIXED_ID.length; i++) out[pos++] = FIXED_ID[i];
    for (let i = idStart; i < idEnd; i++) out[pos++] = b[i];
    for (let i = 0; i < FIXED_EMAIL.length; i++) out[pos++] = FIXED_EMAIL[i];
    for (let i = emailStart; i < emailEnd; i++) out[pos++] = b[i];
    out[pos++] = FIXED_END[0];
    out[pos++] = FIXED_END[1];
    this.pos = pos;
  }

  json(bytes) {
    this.#room(bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  cut() {
    if (this.rows === 0) return;
    this.buffer[this.pos++] = 0x5d; // ]
    this.ready.push(this.buffer.subarray(0, this.pos));
    this.stats.rows += this.rows;
    this.stats.bodies++;
    this.stats.bytes += this.pos;
    this.buffer = this.free.pop() ?? new Uint8Array(MAX_BODY_BYTES);
    this.buffer[0] = 0x5b;
    this.pos = 1;
    this.rows = 0;
  }
}

/** Keeps reads of home slots from being optimized away. */
let touched = 0;

/** Dedupe a block's rows (64 at a time: home slots first, then inserts in order) and write the new ones. */
function consumeBlock(block, bytes, keys, writer, counts) {
  const rows = block.rows;
  const n = block.n;
  const t = keys.table;
  for (let g = 0; g < n; g += GROUP) {
    const last = Math.min(n, g + GROUP);
    let sum = 0;
    for (let r = g; r < last; r++) sum ^= t[(keys.home(rows[r * ROW_WORDS + 4]) << 2) + 3];
    touched ^= sum;
    for (let r = g; r < last; r++) {
      const o = r * ROW_WORDS;
      if (!keys.insert(rows[o + 4], rows[o + 5], rows[o + 6], rows[o + 7])) {
        counts.duplicate++;
        continue;
      }
      const s0 = rows[o];
      if (s0 >= 0) writer.spans(bytes, s0, rows[o + 1], rows[o + 2], rows[o + 3]);
      else writer.json(block.slow[-1 - s0]);
    }
  }
  counts.read += block.read;
  counts.invalid += block.invalid;
}

// ---- HTTP: node:http, keep-alive ----

class Uploader {
  constructor(url, authorization, writer) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = u.port === "" ? 80 : Number(u.port);
    this.base = `${u.pathname.replace(/\/+$/, "")}/api/bulk/2.0`;
    this.authorization = authorization;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    this.writer = writer;
    this.inFlight = new Set();
    this.failure = undefined;
    this.filesSinceSync = 0;
    this.bytesSinceSync = 0;
    this.stats = { dataPosts: 0, bytes: 0, syncs: 0, lastSyncStatus: "" };
  }

  request(method, path, body) {
    const headers = { authorization: this.authorization, accept: "application/json" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(body.length);
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, path, method, agent: this.agent, headers },
        (res) => {
          const parts = [];
          res.on("data", (part) => parts.push(part));
          res.on("end", () => {
            const text = Buffer.concat(parts).toString("utf8");
            if (res.statusCode >= 200 && res.statusCode < 300) resolve(text);
            else reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  async createDefinition() {
    // The body the project's client sends (linkageDefinition with importLinkages' name and P7D).
    const definition = {
      name: `eloqua-bulk-stream ${new Date().toISOString()}`,
      fields: {
        OpportunityID: "{{Opportunity.Id}}",
        EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
      },
      linkOpportunitiesEntityType: "Contact",
      linkOpportunitiesMatchFieldName: "OpportunityID",
      linkOpportunitiesSourceField: "EmailAddress",
      linkOpportunitiesMultipleSourceMatches: true,
      linkOpportunitiesCaseSensitiveMatchField: false,
      linkOpportunitiesCaseSensitiveSourceField: false,
      isSyncTriggeredOnImport: false,
      autoDeleteDuration: "P7D",
    };
    const text = await this.request(
      "POST",
      `${this.base}/opportunities/contacts/imports`,
      encoder.encode(JSON.stringify(definition)),
    );
    this.uri = JSON.parse(text).uri;
    this.dataPath = `${this.base}${this.uri}/data`;
  }

  /** Start posting `body` once a slot is free (syncing first when the staging would pass its limits). */
  async stage(body) {
    if (this.failure !== undefined) throw this.failure;
    if (
      this.filesSinceSync + 1 > MAX_FILES_PER_SYNC ||
      (this.filesSinceSync > 0 && this.bytesSinceSync + body.length > MAX_BYTES_PER_SYNC)
    ) {
      await Promise.all(this.inFlight);
      await this.sync();
    }
    while (this.inFlight.size >= CONCURRENCY) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    this.filesSinceSync++;
    this.bytesSinceSync += body.length;
    const task = this.request("POST", this.dataPath, body).then(
      () => {
        this.stats.dataPosts++;
        this.stats.bytes += body.length;
        this.inFlight.delete(task);
        // The body's buffer goes back to the writer for the next bodies.
        if (this.writer.free.length < 8) this.writer.free.push(new Uint8Array(body.buffer));
      },
      (error) => {
        this.inFlight.delete(task);
        this.failure ??= error;
      },
    );
    this.inFlight.add(task);
  }

  /** Hand every body cut so far to `stage`. */
  async flush() {
    const ready = this.writer.ready;
    while (ready.length > 0) await this.stage(ready.shift());
  }

  async sync() {
    const created = JSON.parse(
      await this.request(
        "POST",
        `${this.base}/syncs`,
        encoder.encode(JSON.stringify({ syncedInstanceUri: this.uri })),
      ),
    );
    this.stats.syncs++;
    let interval = 250;
    for (;;) {
      const sync = JSON.parse(await this.request("GET", `${this.base}${created.uri}`));
      if (["success", "warning", "error", "errored"].includes(sync.status)) {
        this.stats.lastSyncStatus = sync.status;
        if (sync.status === "error" || sync.status === "errored")
          throw new Error(`sync ${created.uri} ended ${sync.status}`);
        break;
      }
      await sleep(interval);
      interval = Math.min(10_000, Math.ceil(interval * 1.5));
    }
    this.filesSinceSync = 0;
    this.bytesSinceSync = 0;
  }

  async finish() {
    await this.flush();
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    if (this.filesSinceSync > 0) await this.sync();
    this.agent.destroy();
  }
}

// ---- one thread: read → scan → dedupe → JSON → upload ----

function emptyCounts() {
  return { read: 0, invalid: 0, duplicate: 0 };
}

async function importOneThread(file, expectedKeys, uploader, writer) {
  const keys = new KeyTable(expectedKeys);
  const counts = emptyCounts();
  const handle = await open(file, "r");
  const scanner = new Scanner();
  let buffer = new Uint8Array(READ_BYTES + 65536);
  const block = newBlock(new Int32Array(64 * 1024));
  let start = 0;
  let end = 0;
  let eof = false;
  try {
    while (!eof) {
      if (start > 0) {
        buffer.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      if (buffer.length - end < READ_BYTES) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, end + READ_BYTES));
        grown.set(buffer.subarray(0, end));
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, end, READ_BYTES, null);
      if (bytesRead === 0) eof = true;
      end += bytesRead;
      block.n = 0;
      block.slow.length = 0;
      block.read = 0;
      block.invalid = 0;
      start = scanner.scan(buffer, start, end, eof, block);
      consumeBlock(block, buffer, keys, writer, counts);
      await uploader.flush();
    }
  } finally {
    await handle.close();
  }
  if (!scanner.header) throw new Error("the input is empty: no header row");
  return { counts, keys };
}

// ---- two threads: a worker reads, scans, validates and hashes; the main thread does the rest ----

function workerMain() {
  const { file } = workerData;
  const buffers = [];
  const rowArrays = [];
  let wake;
  parentPort.on("message", (message) => {
    buffers.push(new Uint8Array(message.bytes));
    rowArrays.push(new Int32Array(message.rows));
    wake?.();
  });
  const take = async () => {
    while (buffers.length === 0) await new Promise((resolve) => (wake = resolve));
    wake = undefined;
    return { bytes: buffers.pop(), rows: rowArrays.pop() };
  };
  for (let i = 0; i < BUFFERS_IN_FLIGHT; i++) {
    buffers.push(new Uint8Array(READ_BYTES + 65536));
    rowArrays.push(new Int32Array(64 * 1024));
  }
  const run = async () => {
    const handle = await open(file, "r");
    const scanner = new Scanner();
    let { bytes: buffer, rows } = await take();
    let end = 0;
    let eof = false;
    try {
      while (!eof) {
        if (buffer.length - end < READ_BYTES) {
          const grown = new Uint8Array(Math.max(buffer.length * 2, end + READ_BYTES));
          grown.set(buffer.subarray(0, end));
          buffer = grown;
        }
        const { bytesRead } = await handle.read(buffer, end, READ_BYTES, null);
        if (bytesRead === 0) eof = true;
        end += bytesRead;
        const block = newBlock(rows);
        const start = scanner.scan(buffer, 0, end, eof, block);
        if (eof && !scanner.header) throw new Error("the input is empty: no header row");
        // The unread rest goes to the front of the next buffer; this one goes to the main thread.
        const next = eof ? undefined : await take();
        if (next !== undefined) {
          if (next.bytes.length < end - start + READ_BYTES)
            next.bytes = new Uint8Array(end - start + READ_BYTES);
          next.bytes.set(buffer.subarray(start, end));
        }
        parentPort.postMessage(
          {
            bytes: buffer.buffer,
            rows: block.rows.buffer,
            n: block.n,
            slow: block.slow,
            read: block.read,
            invalid: block.invalid,
            eof,
          },
          [buffer.buffer, block.rows.buffer],
        );
        if (next !== undefined) {
          end -= start;
          buffer = next.bytes;
          rows = next.rows;
        }
      }
    } finally {
      await handle.close();
    }
  };
  run().then(
    () => parentPort.close(),
    (error) => {
      parentPort.postMessage({ error: String(error?.stack ?? error) });
      parentPort.close();
    },
  );
}

async function importTwoThreads(file, expectedKeys, uploader, writer) {
  const keys = new KeyTable(expectedKeys);
  const counts = emptyCounts();
  const worker = new Worker(new URL(import.meta.url), { workerData: { file, referenceWorker: true } });
  const queue = [];
  let wake;
  let failed;
  worker.on("message", (message) => {
    if (message.error !== undefined) failed = new Error(`the scan worker failed: ${message.error}`);
    else queue.push(message);
    wake?.();
  });
  worker.on("error", (error) => {
    failed = error;
    wake?.();
  });
  for (;;) {
    while (queue.length === 0 && failed === undefined) await new Promise((resolve) => (wake = resolve));
    wake = undefined;
    if (failed !== undefined) throw failed;
    const message = queue.shift();
    const bytes = new Uint8Array(message.bytes);
    const block = {
      rows: new Int32Array(message.rows),
      n: message.n,
      slow: message.slow,
      read: message.read,
      invalid: message.invalid,
    };
    consumeBlock(block, bytes, keys, writer, counts);
    if (message.eof) break;
    // Both arrays go back to the worker for its next chunks.
    worker.postMessage({ bytes: message.bytes, rows: message.rows }, [message.bytes, message.rows]);
    await uploader.flush();
  }
  await worker.terminate();
  return { counts, keys };
}

// ---- the program ----

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      file: { type: "string" },
      threads: { type: "string", default: "1" },
    },
  });
  if (values.url === undefined || values.file === undefined) {
    throw new Error(
      "usage: reference.mjs --url <origin> --file <csv> [--threads 1|2] (credentials in ELOQUA_SITE, ELOQUA_USER, ELOQUA_PASSWORD)",
    );
  }
  const threads = Number(values.threads);
  if (threads !== 1 && threads !== 2) throw new Error(`--threads must be 1 or 2: got ${values.threads}`);
  const { ELOQUA_SITE: site, ELOQUA_USER: user, ELOQUA_PASSWORD: password } = process.env;
  if (!site || !user || !password) throw new Error("set ELOQUA_SITE, ELOQUA_USER and ELOQUA_PASSWORD");
  const authorization = `Basic ${Buffer.from(`${site}\\${user}:${password}`, "utf8").toString("base64")}`;

  const { statSync } = await import("node:fs");
  const fileBytes = statSync(values.file).size;
  const expectedKeys = Math.ceil(fileBytes / BYTES_PER_ROW_GUESS);
  const rssBeforeBytes = process.memoryUsage.rss();
  const memoryPeaks = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const key of ["heapUsed", "heapTotal", "external", "arrayBuffers"]) {
      memoryPeaks[key] = Math.max(memoryPeaks[key], m[key]);
    }
  };
  const sampler = setInterval(sample, 100);
  const faults0 = process.resourceUsage().minorPageFault;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const writer = new BodyWriter();
  const uploader = new Uploader(values.url, authorization, writer);
  let ok = true;
  let error;
  let counts = emptyCounts();
  let tableBytes = 0;
  try {
    await uploader.createDefinition();
    const run = threads === 1 ? importOneThread : importTwoThreads;
    const result = await run(values.file, expectedKeys, uploader, writer);
    counts = result.counts;
    tableBytes = result.keys.bytes;
    writer.cut();
    await uploader.finish();
  } catch (e) {
    ok = false;
    error = String(e?.message ?? e);
  }

  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const usage = process.resourceUsage();
  clearInterval(sampler);
  sample();
  const result = {
    case: threads === 1 ? "reference" : "reference-2threads",
    fileBytes,
    counts: {
      read: counts.read,
      invalid: counts.invalid,
      duplicate: counts.duplicate,
      staged: uploader.stats.dataPosts === writer.stats.bodies ? writer.stats.rows : Number.NaN,
      notSent: 0,
    },
    ok,
    ...(error === undefined ? {} : { error }),
    dataPosts: uploader.stats.dataPosts,
    bodyBytes: uploader.stats.bytes,
    syncs: uploader.stats.syncs,
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssBytes: usage.maxRSS * 1024,
    rssBeforeBytes,
    minorPageFaults: usage.minorPageFault - faults0,
    memoryPeaks,
    keyTableBytes: tableBytes,
    touched: touched & 1,
  };
  if (!ok) {
    // Sockets or the worker may still be open: say why, and exit once the line is out.
    uploader.agent.destroy();
    console.error(`reference: ${error}`);
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(1));
    return;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (isMainThread) await main();
else if (workerData?.referenceWorker === true) workerMain();
