// The CLI's rejects file across a resume: the earlier run's final records stay, the rest is reported anew.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RejectsFile } from "../../lib/node/cli/rejects_file.ts";
import type { Reject } from "../../lib/reject.ts";

const dir = mkdtempSync(join(tmpdir(), "eloqua-rejects-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reject = (line: number, code: string, email = "x"): Reject => ({
  line,
  stage: code === "NOT_SENT" ? "upload" : "validate",
  code,
  message: `line ${line}: ${code}`,
  values: { OpportunityID: `O${line}`, EmailAddress: email },
});

async function write(path: string, rejects: Reject[], keepThroughLine?: number): Promise<string> {
  const file = await RejectsFile.open(path, {}, keepThroughLine);
  for (const r of rejects) file.onReject(r);
  await file.close();
  return readFileSync(path, "utf8");
}

describe("RejectsFile", () => {
  it("should keep the earlier run's records up to the resumed line and drop the later ones", async () => {
    const path = join(dir, "resume.csv");
    // A value with a line break and quotes inside: one record over two lines.
    const first = await write(path, [
      reject(2, "INVALID_EMAIL"),
      reject(5, "INVALID_EMAIL", 'a "b"\n13,c'),
      reject(9, "NOT_SENT"),
      reject(12, "INVALID_EMAIL"),
    ]);
    const header = first.slice(0, first.indexOf("\n") + 1);
    const resumed = await write(path, [reject(9, "ELQ-00085"), reject(12, "INVALID_EMAIL")], 5);
    const lines = resumed.split("\n");
    expect(resumed.startsWith(header)).toBe(true);
    expect(resumed.split(header).length).toBe(2); // one header
    expect(resumed).not.toContain("NOT_SENT");
    expect(resumed.match(/^12,/gm)).toHaveLength(1);
    expect(resumed.match(/^9,/gm)).toHaveLength(1);
    expect(resumed).toContain("ELQ-00085");
    expect(resumed).toContain('a ""b""\n13,c'); // the multi-line value kept whole, its "13," not a record
    expect(lines[1]?.startsWith("2,")).toBe(true);
  });

  it("should drop a last record cut off without its line break", async () => {
    const path = join(dir, "cut.csv");
    const whole = await write(path, [reject(2, "INVALID_EMAIL")]);
    writeFileSync(path, `${whole}3,O3,"unfinished`);
    const resumed = await write(path, [], 10);
    expect(resumed).toBe(whole);
  });

  it("should start a new file with its header when there is none to resume", async () => {
    const path = join(dir, "none.csv");
    const resumed = await write(path, [reject(4, "INVALID_EMAIL")], 3);
    expect(resumed.split("\n")[0]).toContain("line");
    expect(resumed.match(/^4,/gm)).toHaveLength(1);
  });
});
