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

/** The README's commands for the Deno and Bun examples, in its order. */
function readmeCommands(): string[][] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return [...readme.matchAll(/^npx (deno|bun) (.*examples\/\w+_import\.ts)\s*(?:#.*)?$/gm)].map((m) => [
    m[1]!,
    ...m[2]!.trim().split(/\s+/),
  ]);
}

describe.skipIf(!ON_NODE)("the Deno and Bun examples", { timeout: 60_000 }, () => {
  it("should run with the README's commands (npx deno …, npx bun …) and import the example file", async () => {
    const commands = readmeCommands();
    expect(commands.map((c) => c[0])).toEqual(["deno", "bun"]);
    for (const command of commands) {
      const { stdout } = await run("npx", command, { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
      expect(stdout, command.join(" ")).toBe(`${REPORT}\nsyncs: /syncs/1 success\n`);
    }
  });

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
});
