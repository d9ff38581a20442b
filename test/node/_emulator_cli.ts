// `eloqua-bulk emulator …` spawned as a user would, for tests that point the CLI's import at it.
import { spawn } from "node:child_process";
import { bin, env, root } from "./_cli.ts";

export interface SpawnedEmulator {
  /** Its origin, from the first line of its output. */
  readonly url: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Sends SIGINT and resolves with the exit code and the whole output once it exited. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `eloqua-bulk emulator --port 0 …args` and resolves once it listens. */
export function spawnEmulator(args: readonly string[] = []): Promise<SpawnedEmulator> {
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0", ...args], { cwd: root, env: env() });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      // The banner ends with the "Try:" line: then every line of it is there to read.
      const match = /^Eloqua emulator listening on (\S+)\n/.exec(stdout);
      if (match === null || !/\nTry: .*\n/.test(stdout)) return;
      resolve({
        url: match[1]!,
        stdout: () => stdout,
        stop: async () => {
          child.kill("SIGINT");
          const code = await exited;
          return { code, stdout, stderr };
        },
      });
    });
    child.on("error", reject);
    exited.then((code) => reject(new Error(`the emulator exited early with ${code}: ${stderr}`)));
  });
}

/** Runs `eloqua-bulk emulator …args` that should refuse to start: its exit code and stderr. */
export function emulatorRefusal(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0", ...args], { cwd: root, env: env() });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  child.stdout.resume();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGINT"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
