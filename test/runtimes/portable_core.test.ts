// The portable core (lib/ without lib/node/) must run where Node's APIs do not exist. Two checks:
// a scan of its sources for Node imports and globals, and proof that tsconfig.portable.json (which
// `npm run typecheck` and .ci/run use) really fails on them, with a canary file typechecked the same way.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ON_NODE } from "./runtime.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const lib = join(root, "lib");

/** Every .ts file under lib/ but lib/node/. */
function portableFiles(dir = lib): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(lib, "node")) out.push(...portableFiles(path));
    } else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Node's built-in modules, with or without `node:` (what a bare `import "fs"` would load). */
const NODE_BUILTINS =
  "assert|async_hooks|buffer|child_process|cluster|console|crypto|dgram|diagnostics_channel|dns|events|fs|http|http2|https|inspector|module|net|os|path|perf_hooks|process|punycode|querystring|readline|repl|stream|string_decoder|sys|timers|tls|trace_events|tty|url|util|v8|vm|wasi|worker_threads|zlib";

const FORBIDDEN: readonly { what: string; pattern: RegExp }[] = [
  { what: "a node: import", pattern: /\bfrom\s+["']node:|\bimport\s*\(\s*["']node:|\bimport\s+["']node:/ },
  {
    what: "a Node built-in imported without node:",
    pattern: new RegExp(
      `\\bfrom\\s+["'](${NODE_BUILTINS})(/[^"']*)?["']|\\bimport\\s*\\(\\s*["'](${NODE_BUILTINS})["']`,
    ),
  },
  { what: "require()", pattern: /\brequire\s*\(/ },
  { what: "Buffer", pattern: /\bBuffer\b/ },
  { what: "process", pattern: /(?<![.\w$])process\b(?!\s*:)/ },
  { what: "__dirname / __filename", pattern: /\b__(dirname|filename)\b/ },
  { what: "global (not globalThis)", pattern: /(?<![.\w$])global\s*\./ },
  { what: "setImmediate", pattern: /\bsetImmediate\b/ },
];

/** The source without comments and string/template contents, so prose and messages do not count. */
function code(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) =>
      /^["']node:|^["'](?:[a-z_]+)(?:\/[^"']*)?["']$/.test(m) ? m : '""',
    )
    .replace(/`(?:[^`\\]|\\.)*`/g, "``");
}

interface Finding {
  readonly where: string;
  readonly what: string;
  readonly code: string;
}

function findings(files: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const file of files) {
    const lines = code(readFileSync(file, "utf8")).split("\n");
    lines.forEach((line, i) => {
      for (const { what, pattern } of FORBIDDEN) {
        if (pattern.test(line))
          out.push({ where: `${relative(root, file)}:${i + 1}`, what, code: line.trim() });
      }
    });
  }
  return out;
}

describe.skipIf(!ON_NODE)("the portable core (lib/ without lib/node/)", () => {
  const scratch = mkdtempSync(join(tmpdir(), "portable-core-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("should import nothing from node: and use no Node global", () => {
    const files = portableFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(findings(files)).toEqual([]);
  });

  it("should have a scan that catches each forbidden use", () => {
    const canary = join(scratch, "canary.ts");
    writeFileSync(
      canary,
      [
        'import { readFile } from "node:fs";',
        'import { Readable } from "stream";',
        'const late = await import("node:os");',
        'const bytes = Buffer.from("x");',
        "const env = process.env.HOME;",
        'const fs = require("fs");',
        "const here = __dirname;",
        "global.x = 1;",
        "setImmediate(() => {});",
        '// process and Buffer in a comment do not count; "Buffer" in a string neither',
        "const ok = { process: 1 }.process;",
      ].join("\n"),
    );
    expect(findings([canary]).map((f) => f.what)).toEqual([
      "a node: import",
      "a Node built-in imported without node:",
      "a node: import",
      "Buffer",
      "process",
      "require()",
      "__dirname / __filename",
      "global (not globalThis)",
      "setImmediate",
    ]);
  });

  it("should fail tsconfig.portable.json's typecheck on Buffer, process and node: imports", async () => {
    const canary = join(scratch, "types_canary.ts");
    writeFileSync(
      canary,
      'import { readFileSync } from "node:fs";\nexport const a = Buffer.from("x");\nexport const b = process.env.HOME;\nexport const c = readFileSync;\n',
    );
    // An ES module, as lib/'s files are (the project's package.json says "type": "module").
    writeFileSync(join(scratch, "package.json"), '{ "type": "module" }');
    const config = join(scratch, "tsconfig.json");
    // The project's portable config, checking lib/ as it does plus the canary.
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, "tsconfig.portable.json"),
        compilerOptions: { noEmit: true },
        include: [join(root, "lib"), canary],
        exclude: [join(root, "lib", "node")],
      }),
    );
    const tsc = join(root, "node_modules", ".bin", "tsc");
    const result = await promisify(execFile)(tsc, ["-p", config, "--pretty", "false"], { cwd: root }).then(
      () => ({ stdout: "" }),
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    const errors = result.stdout.split("\n").filter((line) => line.includes("error TS"));
    // Every error is the canary's: lib/ itself typechecks without Node's types.
    expect(errors.filter((line) => !line.includes("types_canary.ts"))).toEqual([]);
    expect(
      errors.map((line) =>
        line.replace(
          /^.*types_canary\.ts\((\d+),\d+\): error (TS\d+): Cannot find name '([^']+)'.*$/,
          "$1 $2 $3",
        ),
      ),
    ).toEqual(["1 TS2591 node:fs", "2 TS2591 Buffer", "3 TS2591 process"]);
  });
});
