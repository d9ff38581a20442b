/** Secrets at least this long are redacted wherever they occur; shorter ones only where they stand whole. */
const REDACTED_ANYWHERE = 8;
/** A letter, mark, digit or underscore: a character that continues a word. */
const WORD_AT_START = /^[\p{L}\p{M}\p{N}_]/u;
const WORD_AT_END = /[\p{L}\p{M}\p{N}_]$/u;

/** A string to hide, and whether a match must not continue a word on its left and on its right. */
interface Needle {
  readonly text: string;
  readonly boundedStart: boolean;
  readonly boundedEnd: boolean;
}

/**
 * Replaces known secrets in text that came from outside (response bodies,
 * runtime error messages) before it goes into an error message, and in what
 * the CLI writes.
 */
export class Redactor {
  #needles = new Map<string, Needle>();

  /** Remembers `secret` (an empty or missing one is ignored), with its URL-, form- and JSON-encoded forms. */
  add(secret: string | undefined): void {
    if (secret === undefined || secret === "") return;
    for (const form of encodedForms(secret)) {
      if (this.#needles.has(form)) continue;
      // Rule: a secret of 8 characters or more is redacted wherever it occurs, a shorter one only where the
      // match does not cut into a word (no letter, mark, digit or underscore joins it on a side where the secret
      // itself starts or ends with one), and each in its encoded forms too: the password "abcd" is hidden
      // in `got "abcd"` but `rej_abcd.csv` stays readable.
      const short = form.length < REDACTED_ANYWHERE;
      this.#needles.set(form, {
        text: form,
        boundedStart: short && WORD_AT_START.test(form),
        boundedEnd: short && WORD_AT_END.test(form),
      });
    }
  }

  redact(text: string): string {
    if (this.#needles.size === 0 || text === "") return text;
    // Every match of every secret (overlapping ones too), then their union replaced: a secret that
    // overlaps another is hidden whole whichever matched first.
    const spans: [number, number][] = [];
    for (const needle of this.#needles.values()) {
      const length = needle.text.length;
      for (let at = text.indexOf(needle.text); at !== -1; at = text.indexOf(needle.text, at + 1)) {
        const end = at + length;
        if (needle.boundedStart && WORD_AT_END.test(text.slice(Math.max(0, at - 2), at))) continue;
        if (needle.boundedEnd && WORD_AT_START.test(text.slice(end, end + 2))) continue;
        spans.push([at, end]);
      }
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = "";
    let kept = 0;
    let start = spans[0]![0];
    let end = spans[0]![1];
    for (const [from, to] of spans) {
      if (from > end) {
        out += `${text.slice(kept, start)}[redacted]`;
        kept = end;
        start = from;
      }
      if (to > end) end = to;
    }
    return `${out}${text.slice(kept, start)}[redacted]${text.slice(end)}`;
  }

  toJSON(): Record<string, never> {
    return {};
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "Redactor {}";
  }
}

/** `secret` and the forms it takes in a URL, a form body and a JSON string. */
function encodedForms(secret: string): Set<string> {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  forms.add(new URLSearchParams([["", secret]]).toString().slice(1));
  try {
    forms.add(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be URL-encoded: the other forms remain.
  }
  return forms;
}
