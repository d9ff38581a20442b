// The redaction rule shared by the client's errors and the CLI's output: a secret of 8 characters or more
// is hidden wherever it occurs; a shorter one only where it stands whole, not inside a longer word such
// as a file name; each also in its URL-encoded, form-encoded and JSON-escaped forms.
import { describe, expect, it } from "vitest";
import { Redactor } from "../../lib/client/redact.ts";

function redactor(...secrets: string[]): Redactor {
  const out = new Redactor();
  for (const secret of secrets) out.add(secret);
  return out;
}

describe("Redactor", () => {
  it("should leave a short secret alone inside a longer word, such as a file name", () => {
    const r = redactor("abcd");
    expect(r.redact("wrote 1 rejects in rej_abcd.csv")).toBe("wrote 1 rejects in rej_abcd.csv");
    expect(r.redact("Cannot read missing_abcd.csv: no such file")).toBe(
      "Cannot read missing_abcd.csv: no such file",
    );
    expect(r.redact("xabcd abcdx abcd1 1abcd éabcd abcdé")).toBe("xabcd abcdx abcd1 1abcd éabcd abcdé");
  });

  it("should redact a short secret where it stands whole, even one of 1 to 3 characters", () => {
    expect(redactor("abcd").redact('got "abcd".')).toBe('got "[redacted]".');
    expect(redactor("abcd").redact("abcd")).toBe("[redacted]");
    expect(redactor("abc").redact("--password abc, then abc!")).toBe(
      "--password [redacted], then [redacted]!",
    );
    expect(redactor("x1").redact('got "x1" in /tmp/x1/rej_x1.csv')).toBe(
      'got "[redacted]" in /tmp/[redacted]/rej_x1.csv',
    );
    expect(redactor("x1").redact("https://u:x1@host")).toBe("https://u:[redacted]@host");
  });

  it("should judge a short secret's edges by its own characters: a non-word edge needs no boundary", () => {
    expect(redactor("-ab!").redact("x-ab!y")).toBe("x[redacted]y");
    expect(redactor("-ab").redact("x-abc x-ab.")).toBe("x-abc x[redacted].");
  });

  it("should redact a long secret wherever it occurs, inside words too", () => {
    const r = redactor("S3cret-pw-4471");
    expect(r.redact("rej_S3cret-pw-4471.csv and xS3cret-pw-4471y")).toBe(
      "rej_[redacted].csv and x[redacted]y",
    );
  });

  it("should redact the URL-encoded, form-encoded and JSON-escaped forms of a secret", () => {
    const secret = 'p@ss w"rd\\1';
    const r = redactor(secret);
    expect(r.redact(`raw ${secret}`)).toBe("raw [redacted]");
    expect(r.redact(`url https://h/?p=${encodeURIComponent(secret)}`)).toBe("url https://h/?p=[redacted]");
    expect(r.redact(`form ${new URLSearchParams({ p: secret }).toString()}`)).toBe("form p=[redacted]");
    expect(r.redact(`json ${JSON.stringify({ p: secret })}`)).toBe('json {"p":"[redacted]"}');
    expect(redactor("a b").redact("got a%20b and a+b, not xa%20b")).toBe(
      "got [redacted] and [redacted], not xa%20b",
    );
  });

  it("should hide every secret of overlapping ones, the long one even where a short one matched first", () => {
    const r = redactor("ab-cd", "cd-efghijk");
    expect(r.redact("ab-cd-efghijk.")).toBe("[redacted].");
    expect(r.redact("zab-cd-efghijkz")).toBe("zab-[redacted]z");
  });

  it("should ignore empty secrets and leave text without secrets as it is", () => {
    const r = redactor("");
    r.add(undefined);
    expect(r.redact("nothing to hide")).toBe("nothing to hide");
  });
});
