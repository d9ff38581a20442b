// Runs the real CLI as a user would (`node bin/eloqua-bulk.mjs …`), no shell in between.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const bin = join(root, "bin", "eloqua-bulk.mjs");

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The process environment without any ELOQUA_* variable, plus `extra`. */
export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("ELOQUA_")) out[key] = value;
  // The sources, even if someone built dist/ earlier: the tests are about this working tree.
  return { ...out, ELOQUA_BULK_FROM_SOURCE: "1", ...extra };
}

/** Runs the CLI with `args`, stdin from `input`, and resolves with its exit and output. */
export function cli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: env(options.env) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
