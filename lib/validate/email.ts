/**
 * The WHATWG HTML "valid e-mail address" production
 * (https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address),
 * which is what browsers accept in `<input type="email">`: a deliberately
 * practical subset of RFC 5322 without quoted local parts or comments.
 * {@linkcode isValidEmailSpan} implements it as a scan over a span of text;
 * this regular expression is the specification's own, kept as the oracle.
 */
export const WHATWG_EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Longest address Eloqua stores (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** 1 for bytes allowed in the local part (atext and "."): 256 entries, so no byte needs a range check first. */
const LOCAL = new Uint8Array(256);
/** 1 for bytes allowed in a domain label: letters, digits and "-". */
const LABEL = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-zA-Z0-9-]/.test(ch)) LABEL[c] = 1;
  if (/[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]/.test(ch)) LOCAL[c] = 1;
}

const AT = 64;
const DOT = 46;
const HYPHEN = 45;

/**
 * The rule as a state machine over bytes, for addresses of at most 64
 * characters (whose labels cannot pass 63): one table read a byte, no
 * branch. States: 0 before the local part, 1 in it, 2 at a label's start,
 * 3 after a letter or digit of a label, 4 after a hyphen, 5 refused.
 */
const SHORT = 64;
const REFUSED = 5;
const STEP = new Uint8Array(6 * 256).fill(REFUSED);
for (let c = 0; c < 256; c++) {
  if (LOCAL[c] === 1) STEP[c] = STEP[256 + c] = 1;
  if (c === AT) STEP[256 + c] = 2;
  if (LABEL[c] === 1 && c !== HYPHEN) STEP[2 * 256 + c] = STEP[3 * 256 + c] = STEP[4 * 256 + c] = 3;
  if (c === HYPHEN) STEP[3 * 256 + c] = STEP[4 * 256 + c] = 4;
  if (c === DOT) STEP[3 * 256 + c] = 2;
}

/**
 * True when the bytes `bytes[start, end)` are a valid e-mail address by the
 * WHATWG rule and at most 254 characters. The rule allows ASCII only, so any
 * byte ≥ 0x80 makes the address invalid, and bytes are characters.
 */
export function isValidEmailBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start <= SHORT) {
    let state = 0;
    for (let i = start; i < end; i++) state = STEP[(state << 8) | bytes[i]!]!;
    return state === 3;
  }
  if (end - start > MAX_EMAIL_LENGTH) return false;
  let i = start;
  while (i < end && LOCAL[bytes[i]!] === 1) i++;
  if (i === start || i >= end || bytes[i] !== AT) return false;
  i++;
  for (;;) {
    const label = i;
    while (i < end && LABEL[bytes[i]!] === 1) i++;
    const length = i - label;
    if (length === 0 || length > 63) return false;
    if (bytes[label] === HYPHEN || bytes[i - 1] === HYPHEN) return false;
    if (i === end) return true;
    if (bytes[i] !== DOT) return false;
    i++;
  }
}

let scratch = new Uint8Array(MAX_EMAIL_LENGTH);

/** True when `text.slice(start, end)` is a valid e-mail address by the WHATWG rule and at most 254 characters. */
export function isValidEmailSpan(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length > MAX_EMAIL_LENGTH) return false;
  if (scratch.length < length) scratch = new Uint8Array(length);
  const bytes = scratch;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(start + i);
    // Only ASCII is allowed: a code unit past it fails (a byte ≥ 0x80 fails the scan the same way).
    bytes[i] = Math.min(c, 128);
  }
  return isValidEmailBytes(bytes, 0, length);
}

/** True when `value` is a valid e-mail address by the WHATWG rule and at most 254 characters. */
export function isValidEmail(value: string): boolean {
  return isValidEmailSpan(value, 0, value.length);
}
