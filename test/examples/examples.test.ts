import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);

/** Run an example as a user would, with tsx, and return its output. */
async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", `examples/${name}`], {
    cwd: root,
    timeout: 60_000,
  });
  return stdout;
}

describe("examples/", () => {
  it("core_batches.ts should print the bodies, counts and rejects the README shows", async () => {
    const out = await example("core_batches.ts");
    expect(out).toContain(
      '[{"OpportunityID":"OPP-1","EmailAddress":"ann@example.com"},{"OpportunityID":"OPP-3","EmailAddress":"bob@example.com"}]',
    );
    expect(out).toContain("{ read: 4, invalid: 1, duplicate: 1, batched: 2 }");
    expect(out).toContain("[ '4 INVALID_EMAIL', '3 DUPLICATE' ]");
  });
});
