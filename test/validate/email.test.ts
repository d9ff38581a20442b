import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidEmail, WHATWG_EMAIL_PATTERN } from "../../lib/mod.ts";
import { isValidEmailSpan } from "../../lib/validate/email.ts";

describe("isValidEmail", () => {
  it("should accept addresses the WHATWG rule accepts", () => {
    for (const ok of [
      "a@b",
      "a.b+c@x-y.example.com",
      "!#$%&'*+/=?^_`{|}~-@x.co",
      `a@${"x".repeat(63)}.com`,
    ]) {
      expect(isValidEmail(ok), ok).toBe(true);
    }
  });

  it("should refuse addresses the WHATWG rule refuses", () => {
    for (const bad of [
      "",
      "a",
      "@b",
      "a@",
      "a@@b",
      "a@-b.com",
      "a@b-.com",
      "a@b..com",
      "a@b.com.",
      "a b@c.d",
      '"a"@b.c',
      "ü@x.org",
      "a@é.org",
      `a@${"x".repeat(64)}.com`,
    ]) {
      expect(isValidEmail(bad), bad).toBe(false);
    }
  });

  it("should refuse addresses over 254 characters even when the pattern matches", () => {
    const long = `${"a".repeat(64)}@${Array.from({ length: 4 }, () => "b".repeat(60)).join(".")}`;
    expect(long.length).toBeGreaterThan(254);
    expect(WHATWG_EMAIL_PATTERN.test(long)).toBe(true);
    expect(isValidEmail(long)).toBe(false);
  });

  it("should agree with the specification's regular expression on any text (the oracle)", () => {
    const unit = fc.constantFrom("a", "Z", "0", "-", ".", "@", "+", "_", " ", "é", '"', "\u0000", "x", "1");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        expect(isValidEmail(text)).toBe(text.length <= 254 && WHATWG_EMAIL_PATTERN.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("should agree with the oracle on both sides of 64 characters, where long labels become possible", () => {
    const label = fc.string({ unit: fc.constantFrom("a", "7", "-"), minLength: 1, maxLength: 70 });
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", ".", "+"), minLength: 1, maxLength: 20 }),
        fc.array(label, { minLength: 1, maxLength: 3 }),
        (local, labels) => {
          const text = `${local}@${labels.join(".")}`;
          expect(isValidEmail(text)).toBe(WHATWG_EMAIL_PATTERN.test(text) && text.length <= 254);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("should check only the span it is given", () => {
    fc.assert(
      fc.property(fc.string(), fc.emailAddress(), fc.string(), (before, email, after) => {
        const text = before + email + after;
        expect(isValidEmailSpan(text, before.length, before.length + email.length)).toBe(isValidEmail(email));
      }),
    );
  });
});
