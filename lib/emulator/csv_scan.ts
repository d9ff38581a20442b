import type { ByteSink } from "./body.ts";

/** What {@linkcode CsvScanner.end} found: the number of data rows (the header excluded). */
export type CsvScanResult =
  | { readonly ok: true; readonly rows: number }
  | { readonly ok: false; readonly message: string };

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: escaped ("") or closing
const CR_AFTER_QUOTE = 4;
const FAILED = 5;

/**
 * Counts the data rows of a CSV body byte by byte as chunks arrive, keeping nothing else, with the same
 * rules as {@linkcode parseCsv} (RFC 4180, strict quoting, field count equal to the header's).
 */
export class CsvScanner implements ByteSink {
  #state = FIELD_START;
  #offset = 0;
  #fields = 0;
  #content = false;
  #pendingCr = false;
  #headerFields = -1;
  #rows = 0;
  #record = 1;
  #error: string | null = null;

  write(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    if (this.#offset === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    this.#offset += n;
    while (i < n && this.#state !== FAILED) {
      if (this.#state === QUOTED) {
        const close = chunk.indexOf(0x22, i);
        if (close < 0) return;
        this.#state = QUOTE_IN_QUOTED;
        i = close + 1;
        continue;
      }
      this.#byte(chunk[i]!);
      i++;
    }
  }

  #byte(b: number): void {
    switch (this.#state) {
      case FIELD_START:
        if (b === 0x22) {
          this.#content = true;
          this.#state = QUOTED;
        } else if (b === 0x2c) {
          this.#content = true;
          this.#fields++;
        } else if (b === 0x0a) this.#endRecord();
        else {
          this.#state = UNQUOTED;
          this.#unquoted(b);
        }
        return;
      case UNQUOTED:
        this.#unquoted(b);
        return;
      case QUOTE_IN_QUOTED:
        if (b === 0x22) this.#state = QUOTED;
        else if (b === 0x2c) this.#nextField();
        else if (b === 0x0a) this.#endRecord();
        else if (b === 0x0d) this.#state = CR_AFTER_QUOTE;
        else this.#fail("text follows a closing quote");
        return;
      case CR_AFTER_QUOTE:
        if (b === 0x0a) this.#endRecord();
        else this.#fail("text follows a closing quote");
        return;
    }
  }

  #unquoted(b: number): void {
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (b === 0x0a) {
        this.#endRecord();
        return;
      }
      this.#content = true; // the CR was data, not half of a CRLF
    }
    if (b === 0x2c) this.#nextField();
    else if (b === 0x0a) this.#endRecord();
    else if (b === 0x0d) this.#pendingCr = true;
    else if (b === 0x22) this.#fail("a quote appears inside an unquoted field");
    else this.#content = true;
  }

  #nextField(): void {
    this.#content = true;
    this.#fields++;
    this.#state = FIELD_START;
  }

  #endRecord(): void {
    this.#fields++;
    if (this.#fields > 1 || this.#content) {
      if (this.#headerFields < 0) this.#headerFields = this.#fields;
      else if (this.#fields !== this.#headerFields) {
        this.#fail(`it has ${this.#fields} fields where the header has ${this.#headerFields}`);
        return;
      } else this.#rows++;
    }
    this.#record++;
    this.#fields = 0;
    this.#content = false;
    this.#pendingCr = false;
    this.#state = FIELD_START;
  }

  #fail(why: string): void {
    this.#error = `CSV record ${this.#record} is malformed: ${why}`;
    this.#state = FAILED;
  }

  /** Ends the input and returns the row count, or why the body is not valid CSV. */
  end(): CsvScanResult {
    if (this.#state === QUOTED) this.#fail("a quoted field is not terminated");
    else if (this.#state === CR_AFTER_QUOTE) this.#fail("text follows a closing quote");
    else if (this.#state !== FAILED && (this.#state !== FIELD_START || this.#fields > 0 || this.#pendingCr)) {
      if (this.#pendingCr) this.#content = true;
      this.#endRecord();
    }
    if (this.#error !== null) return { ok: false, message: this.#error };
    if (this.#headerFields < 0) return { ok: false, message: "The CSV body has no header row" };
    return { ok: true, rows: this.#rows };
  }
}
