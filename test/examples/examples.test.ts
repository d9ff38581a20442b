import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ON_NODE } from "../runtimes/runtime.ts";

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

// Node-only: runs each example in a child process with tsx. Deno and Bun run examples/deno_import.ts
// and examples/bun_import.ts (test/runtimes/examples.test.ts).
describe.skipIf(!ON_NODE)("examples/", () => {
  it("core_batches.ts should print the bodies, counts and rejects the README shows", async () => {
    const out = await example("core_batches.ts");
    expect(out).toContain(
      '[{"OpportunityID":"OPP-1","EmailAddress":"ann@example.com"},{"OpportunityID":"OPP-3","EmailAddress":"bob@example.com"}]',
    );
    expect(out.replace(/\s+/g, " ")).toContain(
      "{ read: 4, invalid: 1, invalidByCode: { INVALID_EMAIL: 1 }, duplicate: 1, batched: 2, skipped: 0 }",
    );
    expect(out).toContain("[ '4 INVALID_EMAIL', '3 DUPLICATE' ]");
  });

  it("core_batches.ts should be the code the README shows for it (its comments and import path aside)", () => {
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const block = /```ts\n\/\/ examples\/core_batches\.ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const code = (text: string) =>
      text
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("//"))
        .map((line) => line.replace(/\s+\/\/ .*$/, "").replace('"../lib/mod.ts"', '"eloqua-bulk-stream"'))
        .filter((line) => line.trim() !== "");
    expect(code(block!)).toEqual(code(readFileSync(new URL("examples/core_batches.ts", root), "utf8")));
  });

  it("import_file.ts should import the example file into the emulator", async () => {
    const out = await example("import_file.ts");
    expect(out).toContain(
      '{"read":200,"invalid":5,"duplicate":6,"staged":189,"notSent":0,"rejectedByEloqua":0}',
    );
    expect(out).toMatch(/syncs: \/syncs\/1 success/);
  });

  it("opportunity_job.ts should import opportunities, contacts and accounts, then link them, rejecting unknown ones", async () => {
    const out = await example("opportunity_job.ts");
    expect(out).toContain(
      'opportunities.csv: {"read":10,"invalid":3,"duplicate":1,"staged":6,"notSent":0,"rejectedByEloqua":0} ok',
    );
    expect(out).toContain(
      'INVALID_NUMBER: opportunities.csv line 6: Amount "twelve thousand" is not a number',
    );
    expect(out).toContain('INVALID_DATE: opportunities.csv line 7: CloseDate "2027-13-01"');
    expect(out).toContain('contacts.csv: {"read":6,"invalid":1,"duplicate":0,"staged":5');
    expect(out).toContain(
      'opportunity_contacts.csv: {"read":8,"invalid":0,"duplicate":1,"staged":7,"notSent":0,"rejectedByEloqua":2} ok',
    );
    expect(out).toContain("ELQ-00084: opportunity_contacts.csv line 7: Opportunity does not exist.");
    expect(out).toContain("ELQ-00085: opportunity_contacts.csv line 8: Contact does not exist.");
    expect(out).toContain("ELQ-00034: opportunity_accounts.csv line 5");
  });

  it("import_from_url.ts should stream a CSV fetched over HTTP into an import", async () => {
    const out = await example("import_from_url.ts");
    expect(out).toContain('"staged":189');
  });

  it("edge_handler.ts should stream an uploaded request body into an import and answer 200", async () => {
    const out = await example("edge_handler.ts");
    expect(out).toContain('200 {"read":200,');
  });
});
