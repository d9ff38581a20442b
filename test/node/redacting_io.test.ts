// The CLI's second line of defence redacts whole secrets, not every occurrence of a short one: a short
// password inside a file name that the CLI prints is left as it is, and still hidden where it stands alone.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../lib/node/cli/cli_io.ts";
import { main } from "../../lib/node/cli/main.ts";
import { redactingIo } from "../../lib/node/cli/redacting_io.ts";

function memoryIo(env: Record<string, string> = {}): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    env,
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY: false, columns: 80 },
    out: () => out,
    err: () => err,
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-redacting-io-"));
  writeFileSync(join(dir, "in.csv"), "OpportunityID,EmailAddress\nO1,not-an-email\nO2,a@b.co\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("redactingIo", () => {
  it("should keep a short secret inside a path, and redact it where it stands whole", () => {
    const raw = memoryIo();
    const io = redactingIo(raw, ["abcd", "x1"]);
    io.stdout.write("wrote 1 rejects in /tmp/rej_abcd.csv\n");
    io.stderr.write('--base-url must be an absolute URL: got "abcd"; x1 and rej_x1.csv.\n');
    expect(raw.out()).toBe("wrote 1 rejects in /tmp/rej_abcd.csv\n");
    expect(raw.err()).toBe(
      '--base-url must be an absolute URL: got "[redacted]"; [redacted] and rej_x1.csv.\n',
    );
    expect(io.stderr.isTTY).toBe(false);
    expect(io.stderr.columns).toBe(80);
  });

  it("should redact a long secret anywhere, and the encoded forms of a secret", () => {
    const raw = memoryIo();
    const io = redactingIo(raw, ["S3cret-pw-4471", "a&b"]);
    io.stdout.write("rej_S3cret-pw-4471.csv p=a%26b\n");
    expect(raw.out()).toBe("rej_[redacted].csv p=[redacted]\n");
  });

  it("should print the rejects file of a dry run whole when a short password is part of its name", async () => {
    const io = memoryIo();
    const rejects = join(dir, "rej_abcd.csv");
    const code = await main(
      ["import", join(dir, "in.csv"), "--dry-run", "--password", "abcd", "--rejects", rejects],
      io,
    );
    expect(code, io.err()).toBe(0);
    expect(io.out()).toContain(`wrote 1 rejects in ${rejects}`);
    expect(io.out()).not.toContain("[redacted]");
  });

  it("should still redact a short password that a message echoes (the password given as --base-url)", async () => {
    const io = memoryIo();
    const code = await main(
      ["import", "in.csv", "--base-url", "abc", "--site", "S", "--user", "u", "--password", "abc"],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain(
      '--base-url must be an absolute URL like https://secure.p03.eloqua.com: got "[redacted]".',
    );
  });
});
