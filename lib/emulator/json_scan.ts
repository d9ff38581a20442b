import type { ByteSink } from "./body.ts";

/** What {@linkcode JsonArrayScanner.end} found. */
export type JsonScanResult =
  | { readonly ok: true; readonly objects: number }
  | { readonly ok: false; readonly message: string; readonly offset: number };

// The scanner is a DFA: one table lookup per byte (the hot path of a count-mode ingest), with its
// transitions built below from readable rules. Strings, escapes, literals and numbers have their own
// states, so chunks may split the input anywhere.
let count = 0;
const START = count++; // offset 0: a byte order mark may come
const BOM1 = count++;
const BOM2 = count++;
const BEFORE = count++; // before "["
const ARRAY_FIRST = count++; // after "[": "{" or "]"
const ARRAY_NEXT = count++; // after "," between objects
const OBJECT_FIRST = count++; // after "{" and whitespace: key or "}"
const OBJECT_NEXT = count++; // after "," in an object: key
const KEY_ESCAPE = count++;
const KEY_HEX = [count++, count++, count++, count++] as const;
const COLON = count++;
const VALUE = count++;
const STRING_ESCAPE = count++;
const STRING_HEX = [count++, count++, count++, count++] as const;
const AFTER_VALUE = count++; // "," or "}"
const AFTER_OBJECT = count++; // "," or "]"
const DONE = count++;
const TRUE = [count++, count++, count++] as const; // after "t", "tr", "tru"
const FALSE = [count++, count++, count++, count++] as const;
const NULL = [count++, count++, count++] as const;
const N_MINUS = count++;
const N_ZERO = count++;
const N_INT = count++;
const N_DOT = count++;
const N_FRAC = count++;
const N_E = count++;
const N_E_SIGN = count++;
const N_EXP = count++;
// The states below need attention after a transition, so they come last: one comparison finds them.
const KEY = count++;
const STRING = count++;
const OBJECT_OPEN = count++; // just after "{": counted; must stay the last state with a table row
const FAILED = count; // no row: scanning stops

const TABLE = new Uint8Array(FAILED * 256).fill(FAILED);
const EXPECTED: string[] = [];

const SPACE = [0x20, 0x0a, 0x0d, 0x09];
const DIGITS = range(0x30, 0x39);
const HEX = [...DIGITS, ...range(0x41, 0x46), ...range(0x61, 0x66)];
const STRING_BYTES = range(0x20, 0xff).filter((b) => b !== 0x22 && b !== 0x5c);
/** 1 for bytes that may appear as they are inside a string. */
const PLAIN = new Uint8Array(256);
for (const byte of STRING_BYTES) PLAIN[byte] = 1;
const ESCAPES = [...'"\\/bfnrt'].map(code);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function code(char: string): number {
  return char.charCodeAt(0);
}

function on(states: number | readonly number[], bytes: string | readonly number[], to: number): void {
  const list = typeof bytes === "string" ? [...bytes].map(code) : bytes;
  for (const state of typeof states === "number" ? [states] : states) {
    for (const byte of list) TABLE[(state << 8) | byte] = to;
  }
}

function expect(states: number | readonly number[], what: string): void {
  for (const state of typeof states === "number" ? [states] : states) EXPECTED[state] = what;
}

on(START, SPACE, BEFORE);
on(START, [0xef], BOM1);
on(BOM1, [0xbb], BOM2);
on(BOM2, [0xbf], BEFORE);
on([START, BEFORE], "[", ARRAY_FIRST);
on(BEFORE, SPACE, BEFORE);
expect([START, BEFORE], '"["');
expect([BOM1, BOM2], "a byte order mark");
on([ARRAY_FIRST, ARRAY_NEXT], "{", OBJECT_OPEN);
on(ARRAY_FIRST, "]", DONE);
on(ARRAY_FIRST, SPACE, ARRAY_FIRST);
on(ARRAY_NEXT, SPACE, ARRAY_NEXT);
expect(ARRAY_FIRST, '"{" or "]" (the array holds objects)');
expect(ARRAY_NEXT, '"{" (the array holds objects)');
on([OBJECT_OPEN, OBJECT_FIRST], SPACE, OBJECT_FIRST);
on([OBJECT_OPEN, OBJECT_FIRST, OBJECT_NEXT], '"', KEY);
on([OBJECT_OPEN, OBJECT_FIRST], "}", AFTER_OBJECT);
on(OBJECT_NEXT, SPACE, OBJECT_NEXT);
expect([OBJECT_OPEN, OBJECT_FIRST], 'a key or "}"');
expect(OBJECT_NEXT, "a key");
for (const [inside, escaped, hex, after] of [
  [KEY, KEY_ESCAPE, KEY_HEX, COLON],
  [STRING, STRING_ESCAPE, STRING_HEX, AFTER_VALUE],
] as const) {
  on(inside, STRING_BYTES, inside);
  on(inside, '"', after);
  on(inside, "\\", escaped);
  on(escaped, ESCAPES, inside);
  on(escaped, "u", hex[0]);
  hex.forEach((state, i) => {
    on(state, HEX, hex[i + 1] ?? inside);
  });
  expect(inside, "a closing quote (control characters must be escaped)");
  expect(escaped, "an escape character");
  expect(hex, "a hexadecimal digit");
}
on(COLON, SPACE, COLON);
on(COLON, ":", VALUE);
expect(COLON, '":"');
on(VALUE, SPACE, VALUE);
on(VALUE, '"', STRING);
on(VALUE, "-", N_MINUS);
on(VALUE, "0", N_ZERO);
on(VALUE, range(0x31, 0x39), N_INT);
on(VALUE, "t", TRUE[0]);
on(VALUE, "f", FALSE[0]);
on(VALUE, "n", NULL[0]);
expect(VALUE, "a string, number, true, false or null (objects must be flat)");
for (const [states, rest] of [
  [TRUE, "rue"],
  [FALSE, "alse"],
  [NULL, "ull"],
] as const) {
  states.forEach((state, i) => {
    on(state, rest[i]!, states[i + 1] ?? AFTER_VALUE);
  });
  expect(states, "true, false or null");
}
on(N_MINUS, "0", N_ZERO);
on(N_MINUS, range(0x31, 0x39), N_INT);
on(N_INT, DIGITS, N_INT);
on(N_FRAC, DIGITS, N_FRAC);
on(N_EXP, DIGITS, N_EXP);
on([N_ZERO, N_INT], ".", N_DOT);
on(N_DOT, DIGITS, N_FRAC);
on([N_ZERO, N_INT, N_FRAC], "eE", N_E);
on(N_E, "+-", N_E_SIGN);
on([N_E, N_E_SIGN], DIGITS, N_EXP);
expect([N_MINUS, N_DOT, N_E_SIGN], "a digit");
expect(N_E, "a digit or a sign");
expect([N_ZERO, N_INT, N_FRAC, N_EXP], '"," or "}" after the number');
const afterValue = (states: readonly number[]) => {
  on(states, SPACE, AFTER_VALUE);
  on(states, ",", OBJECT_NEXT);
  on(states, "}", AFTER_OBJECT);
};
afterValue([AFTER_VALUE, N_ZERO, N_INT, N_FRAC, N_EXP]); // a number ends at what follows it
expect(AFTER_VALUE, '"," or "}"');
on(AFTER_OBJECT, SPACE, AFTER_OBJECT);
on(AFTER_OBJECT, ",", ARRAY_NEXT);
on(AFTER_OBJECT, "]", DONE);
expect(AFTER_OBJECT, '"," or "]"');
on(DONE, SPACE, DONE);
expect(DONE, "the end of the body");

/**
 * Checks, byte by byte as chunks arrive, that a body is a JSON array of flat objects (values are strings,
 * numbers, booleans or null) and counts the objects, keeping nothing else: memory stays flat whatever the
 * body size. Bytes of 0x80 and above pass through strings unchecked (UTF-8 is not validated); duplicate
 * keys are not detected.
 *
 * @example
 * ```ts
 * const scanner = new JsonArrayScanner();
 * scanner.write(new TextEncoder().encode('[{"a":"1"},'));
 * scanner.write(new TextEncoder().encode('{"a":2}]'));
 * scanner.end(); // { ok: true, objects: 2 }
 * ```
 */
export class JsonArrayScanner implements ByteSink {
  #state = START;
  #objects = 0;
  #offset = 0;
  #error: { message: string; offset: number } | null = null;

  write(chunk: Uint8Array): void {
    let state = this.#state;
    if (state === FAILED) return;
    let objects = this.#objects;
    const n = chunk.length;
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let i = 0; i < n; i++) {
      const next = TABLE[(state << 8) | chunk[i]!]!;
      if (next >= KEY) {
        if (next === FAILED) {
          this.#fail(state, chunk[i]!, this.#offset + i);
          return;
        }
        if (next === OBJECT_OPEN) objects++;
        else {
          // Inside a string no state depends on plain bytes: skip them four at a time (SWAR: a word
          // holding a quote, a backslash or a control byte ends the word loop), then byte by byte.
          while (i + 4 < n) {
            const word = view.getUint32(i + 1, true);
            const quote = word ^ 0x22222222;
            const slash = word ^ 0x5c5c5c5c;
            const hits =
              ((quote - 0x01010101) & ~quote) |
              ((slash - 0x01010101) & ~slash) |
              ((word - 0x20202020) & ~word);
            if ((hits & 0x80808080) !== 0) break;
            i += 4;
          }
          while (i + 1 < n && PLAIN[chunk[i + 1]!] === 1) i++;
        }
      }
      state = next;
    }
    this.#state = state;
    this.#objects = objects;
    this.#offset += n;
  }

  /** Ends the input and says whether it was a complete, well-formed array of flat objects. */
  end(): JsonScanResult {
    if (this.#error !== null) return { ok: false, ...this.#error };
    if (this.#state !== DONE) {
      return {
        ok: false,
        message: `Unexpected end of the body: expected ${EXPECTED[this.#state]}`,
        offset: this.#offset,
      };
    }
    return { ok: true, objects: this.#objects };
  }

  /** Records the first error; later bytes are ignored. */
  #fail(state: number, byte: number, offset: number): void {
    const shown =
      byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16)}`;
    this.#error = { message: `Unexpected ${shown} at byte ${offset}: expected ${EXPECTED[state]}`, offset };
    this.#state = FAILED;
  }
}
