// examples/deno_import.ts on Deno and examples/bun_import.ts on Bun, run as a user would. Spawned from
// the Node entries of the matrix (test/examples/examples.test.ts runs the Node examples the same way).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ON_NODE } from "./runtime.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const REPORT = '{"read":200,"invalid":5,"duplicate":6,"staged":189,"notSent":0,"rejectedByEloqua":0}';

describe.skipIf(!ON_NODE)("the Deno and Bun examples", { timeout: 60_000 }, () => {
  it("examples/deno_import.ts should import the example file on Deno, as `deno task example:deno` runs it", async () => {
    const tasks = (
      JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as { tasks: Record<string, string> }
    ).tasks;
    const [command, ...args] = tasks["example:deno"]!.split(" ");
    expect(command).toBe("deno");
    // The Deno binary itself: `deno task` here would find node_modules/.bin/deno, npm's Node wrapper,
    // which Deno cannot run (docs/RUNTIMES.md).
    const { stdout } = await run(join(root, "node_modules", "deno", "deno"), args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(stdout).toBe(`${REPORT}\nsyncs: /syncs/1 success\n`);
  });

  it("examples/bun_import.ts should import the example file on Bun", async () => {
    const { stdout } = await run(join(root, "node_modules", ".bin", "bun"), ["examples/bun_import.ts"], {
      cwd: root,
    });
    expect(stdout).toBe(`${REPORT}\nsyncs: /syncs/1 success\n`);
  });
});
