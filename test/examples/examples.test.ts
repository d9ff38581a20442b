import { execFile } from "node:child_process";
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
    expect(out).toContain("{ read: 4, invalid: 1, duplicate: 1, batched: 2, skipped: 0 }");
    expect(out).toContain("[ '4 INVALID_EMAIL', '3 DUPLICATE' ]");
  });

  it("import_file.ts should import the example file into the emulator", async () => {
    const out = await example("import_file.ts");
    expect(out).toContain(
      '{"read":200,"invalid":5,"duplicate":6,"staged":189,"notSent":0,"rejectedByEloqua":0}',
    );
    expect(out).toMatch(/syncs: \/syncs\/1 success/);
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
