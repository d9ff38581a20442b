import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64Utf8, basicAuthorization, EloquaBulkClient } from "../../lib/client/mod.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";

function decode(base64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

describe("basicAuthorization", () => {
  it("should match Oracle's documented example", () => {
    expect(basicAuthorization("COMPANYX", "user1", "password123")).toBe(
      "Basic Q09NUEFOWVhcdXNlcjE6cGFzc3dvcmQxMjM=",
    );
  });

  it("should encode non-Latin-1 passwords as UTF-8", () => {
    const header = basicAuthorization("Site", "user", "pässwörd€密码🔑");
    expect(decode(header.slice(6))).toBe("Site\\user:pässwörd€密码🔑");
  });
});

describe("base64Utf8", () => {
  it("should round-trip any string through UTF-8", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        (text) => decode(base64Utf8(text)) === text,
      ),
    );
  });

  it("should agree with btoa on ASCII", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme-ascii" }), (text) => base64Utf8(text) === btoa(text)));
  });

  it("should handle long inputs", () => {
    const text = "é".repeat(100_000);
    expect(decode(base64Utf8(text))).toBe(text);
  });
});

describe("auth options", () => {
  const construct = (auth: unknown): unknown => {
    try {
      new EloquaBulkClient({ auth: auth as never, baseUrl: "https://x.test" });
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it("should reject missing or malformed credentials with InvalidOptionError", () => {
    for (const auth of [
      undefined,
      { type: "basic", site: "", user: "u", password: "p" },
      { type: "basic", site: "S", user: "a:b", password: "p" },
      { type: "basic", site: "S:x", user: "u", password: "p" },
      { type: "basic", site: "S", user: "u", password: "" },
      { type: "bearer", token: "" },
      { type: "bearer", token: "abc\r\nX-Evil: 1" },
      { type: "provider", provider: {} },
      { type: "oauth", clientId: "c", clientSecret: "s" },
      { type: "kerberos" },
    ]) {
      expect(isInvalidOptionError(construct(auth)), JSON.stringify(auth)).toBe(true);
    }
  });

  it("should never echo a secret in the message of a bad option", () => {
    const error = construct({ type: "bearer", token: "sekret-token\n" }) as Error;
    expect(error.message).toBe(
      'Cannot construct EloquaBulkClient as auth.token must be a token of visible ASCII characters: current value is "[redacted string]"',
    );
    const numeric = construct({ type: "basic", site: "S", user: "u", password: 123456789 }) as Error;
    expect(numeric.message).not.toContain("123456789");
    expect(JSON.stringify(numeric)).not.toContain("123456789");
  });
});
