// Credentials never leave the CLI (issue 5, security): every command path is run with distinctive
// passwords and tokens, from flags and from the environment — imports that succeed, fail on auth, cannot
// reach the server, retry, end in a sync error or are interrupted, with --debug; dry runs; help and
// version; bad flags — and stdout, stderr, the report, the rejects file and the checkpoint file are
// searched for each secret and for the Basic header made from it. Plain http:// to a host other than this
// machine is refused before any request, and the emulator command binds 127.0.0.1 unless told otherwise.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin", "eloqua-bulk.mjs");

const SITE = "SecretsSite";
const USER = "secrets.user";
const PASSWORD = "S3cret-pw-4471-never-shown";
const TOKEN = "T0ken-bearer-8826-never-shown";
const WRONG_PASSWORD = "S3cret-wrong-5530-never-shown";
const WRONG_TOKEN = "T0ken-wrong-1907-never-shown";
const basic = (password: string) => Buffer.from(`${SITE}\\${USER}:${password}`).toString("base64");
const CLIENT_ID = "secrets-client";
const CLIENT_SECRET = "Cl1ent-secret-6620-never-shown";
const REFRESH_TOKEN = "R3fresh-token-2914-never-shown";

/** Every string that must not be written anywhere, by a name to report it under. */
const SECRETS: Record<string, string> = {
  PASSWORD,
  TOKEN,
  WRONG_PASSWORD,
  WRONG_TOKEN,
  "base64(site\\user:password)": basic(PASSWORD),
  "base64(site\\user:wrong password)": basic(WRONG_PASSWORD),
  CLIENT_SECRET,
  REFRESH_TOKEN,
  "base64(client id:client secret)": Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"),
};

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The process environment without any ELOQUA_* variable, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("ELOQUA_")) out[key] = value;
  return { ...out, ELOQUA_BULK_FROM_SOURCE: "1", ...extra };
}

let dir: string;
let csvPath: string;
let runs = 0;
/** What was written, by where it came from: searched for the secrets at the end. */
const outputs: [string, string][] = [];

/**
 * Runs the CLI (`node bin/eloqua-bulk.mjs …`) and keeps what it wrote: stdout, stderr, and the files
 * named by its --report, --rejects and --checkpoint flags. A watchdog kills a run that hangs after 90 s.
 */
function cli(
  label: string,
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; onStart?: (child: ChildProcess) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: env(options.env) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const watchdog = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      outputs.push([`${label}: stdout`, stdout], [`${label}: stderr`, stderr]);
      for (const kind of ["report", "rejects", "checkpoint"]) {
        const path = args[args.indexOf(`--${kind}`) + 1];
        if (args.includes(`--${kind}`) && path !== undefined && existsSync(path)) {
          outputs.push([`${label}: ${kind} file`, readFileSync(path, "utf8")]);
        }
      }
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
    options.onStart?.(child);
  });
}

/** Fresh paths for a run's report, rejects and checkpoint files, and the flags that ask for them. */
function files(): { report: string; rejects: string; checkpoint: string; flags: string[] } {
  const n = ++runs;
  const [report, rejects, checkpoint] = [`report-${n}.json`, `rejects-${n}.csv`, `checkpoint-${n}.json`].map(
    (name) => join(dir, name),
  ) as [string, string, string];
  const flags = [
    "--report",
    report,
    "--rejects",
    rejects,
    "--checkpoint",
    checkpoint,
    "--include-duplicates",
  ];
  return { report, rejects, checkpoint, flags };
}

function readReport(path: string): ImportReport {
  return JSON.parse(readFileSync(path, "utf8")) as ImportReport;
}

/** A TCP port on 127.0.0.1 that nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-secrets-"));
  csvPath = join(dir, "links.csv");
  // Good rows, an invalid e-mail, an empty id and duplicates: the rejects file has rows of each kind.
  const rows = Array.from({ length: 30 }, (_, i) => `OPP-${i % 7},user${i}@example.com`);
  writeFileSync(
    csvPath,
    `OpportunityID,EmailAddress\n${rows.join("\n")}\nOPP-1,not-an-email\n,x@example.com\nOPP-0,USER0@example.com\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("credentials in every CLI path", { timeout: 120_000 }, () => {
  let server: EmulatorServer;
  const basicFlags = ["--site", SITE, "--user", USER, "--password", PASSWORD];
  const basicEnv = { ELOQUA_SITE: SITE, ELOQUA_USER: USER, ELOQUA_PASSWORD: PASSWORD };

  beforeAll(async () => {
    server = await startEmulatorServer({
      credentials: {
        site: SITE,
        user: USER,
        password: PASSWORD,
        token: TOKEN,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
      },
      syncTiming: { pendingMs: 0, activeMs: 0 },
    });
  });
  afterAll(() => server.close());

  const importInto = (url = server.url) => ["import", csvPath, "--base-url", url];

  it("should import with Basic auth from flags, with --debug and every output file", async () => {
    server.emulator.setFaults([]);
    const f = files();
    const run = await cli("basic flags", [...importInto(), ...basicFlags, ...f.flags, "--debug"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readReport(f.report).rows).toMatchObject({ read: 33, invalid: 2, duplicate: 1, staged: 30 });
    expect(readFileSync(f.rejects, "utf8")).toContain("DUPLICATE");
    expect(existsSync(f.checkpoint)).toBe(true);
    expect(run.stderr).toContain("debug: basic auth, base URL http://127.0.0.1:");
  });

  it("should import with Basic auth from the environment, over http://localhost", async () => {
    const f = files();
    const url = server.url.replace("127.0.0.1", "localhost");
    const run = await cli("basic env", [...importInto(url), ...f.flags], { env: basicEnv });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/staged\s+30\n/);
  });

  it("should import with a token from --token and from ELOQUA_TOKEN, and from stdin", async () => {
    const a = files();
    const flag = await cli("token flag", [...importInto(), "--token", TOKEN, ...a.flags, "--debug"]);
    expect(flag.code, flag.stderr).toBe(0);
    const b = files();
    const fromEnv = await cli("token env", [...importInto(), ...b.flags], { env: { ELOQUA_TOKEN: TOKEN } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    const stdin = await cli("stdin", ["import", "-", "--base-url", server.url, "--token", TOKEN, "--debug"], {
      input: readFileSync(csvPath, "utf8"),
    });
    expect(stdin.code, stdin.stderr).toBe(0);
  });

  it("should import with OAuth from the environment, refreshing an access token that expires mid-run, with --debug", async () => {
    server.emulator.setFaults([]);
    const tokenFile = join(dir, "refresh-token");
    writeFileSync(tokenFile, `${REFRESH_TOKEN}\n`);
    const oauthEnv = {
      ELOQUA_CLIENT_ID: CLIENT_ID,
      ELOQUA_CLIENT_SECRET: CLIENT_SECRET,
      ELOQUA_REFRESH_TOKEN_FILE: tokenFile,
      ELOQUA_TOKEN_URL: `${server.url}/auth/oauth2/token`,
    };
    const before = server.emulator.stats.requestsByRoute["data.post"] ?? 0;
    let watcher: ReturnType<typeof setInterval> | undefined;
    const f = files();
    const run = await cli(
      "oauth env",
      [...importInto(), ...f.flags, "--max-batch-bytes", "1000", "--debug"],
      {
        env: oauthEnv,
        onStart: () => {
          watcher = setInterval(() => {
            if ((server.emulator.stats.requestsByRoute["data.post"] ?? 0) - before < 1) return;
            clearInterval(watcher);
            server.emulator.expireAccessTokens();
          }, 1);
        },
      },
    );
    clearInterval(watcher);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("debug: oauth auth");
    // Wrong ones, from the environment: refused without being echoed.
    const wrong = await cli("oauth wrong secret", [...importInto(), "--debug"], {
      env: { ...oauthEnv, ELOQUA_CLIENT_SECRET: WRONG_PASSWORD },
    });
    expect(wrong.code).toBe(1);
    // The tokens the refreshes brought are secrets too.
    for (const token of server.emulator.refreshTokens()) SECRETS[`refreshed token ${token}`] = token;
    SECRETS["stored refresh token"] = readFileSync(tokenFile, "utf8").trim();
    for (const n of [1, 2]) SECRETS[`access token ${n}`] = `emulator-access-${n}`;
    // The expiry also ended the static bearer token, which later cases use: a reset gives it back.
    server.emulator.reset();
  });

  it("should exit 1 on a wrong password or token, from flags or the environment, with and without --debug", async () => {
    const a = files();
    const flags = await cli("wrong password flags", [
      ...importInto(),
      "--site",
      SITE,
      "--user",
      USER,
      "--password",
      WRONG_PASSWORD,
      ...a.flags,
      "--debug",
    ]);
    expect(flags.code).toBe(1);
    expect(flags.stderr).toMatch(/did not accept the credentials/);
    expect(readReport(a.report).ok).toBe(false);
    const b = files();
    const fromEnv = await cli("wrong password env", [...importInto(), ...b.flags], {
      env: { ...basicEnv, ELOQUA_PASSWORD: WRONG_PASSWORD },
    });
    expect(fromEnv.code).toBe(1);
    const c = files();
    const token = await cli("wrong token env", [...importInto(), ...c.flags, "--debug"], {
      env: { ELOQUA_TOKEN: WRONG_TOKEN },
    });
    expect(token.code).toBe(1);
    expect(token.stderr).toMatch(/did not accept the access token/);
  });

  it("should exit 1 when the base URL cannot be reached, with --debug", async () => {
    const f = files();
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await cli("unreachable", [...importInto(url), ...basicFlags, ...f.flags, "--debug"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^eloqua-bulk: the import did not complete: .* got no answer/m);
    expect(readReport(f.report).error?.code).toBe("ELOQUA_NETWORK_ERROR");
  });

  it("should exit 1 after a retried POST and a sync that ends in error, with --debug", async () => {
    server.emulator.setFaults([
      { route: "data.post", action: { status: 503 }, schedule: [1] },
      { route: "sync.create", action: "syncError" },
    ]);
    try {
      const f = files();
      const run = await cli("retry and sync error", [...importInto(), ...f.flags, "--debug"], {
        env: basicEnv,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^retry: POST .* failed/m);
      expect(readReport(f.report).ok).toBe(false);
    } finally {
      server.emulator.setFaults([]);
    }
  });

  it("should exit 1 with a report when interrupted by SIGINT during a POST", async () => {
    server.emulator.setFaults([{ route: "data.post", action: { delayMs: 10_000 } }]);
    const posts = () => server.emulator.stats.requestsByRoute["data.post"] ?? 0;
    const before = posts();
    try {
      const f = files();
      const run = await cli("interrupted", [...importInto(), "--token", TOKEN, ...f.flags, "--debug"], {
        onStart: (child) => {
          // Interrupt once a data POST is in flight (held 10 s by the emulator).
          const poll = setInterval(() => {
            if (posts() > before) {
              clearInterval(poll);
              child.kill("SIGINT");
            }
          }, 20);
          child.on("close", () => clearInterval(poll));
        },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/interrupted by SIGINT/);
      expect(readReport(f.report).ok).toBe(false);
    } finally {
      server.emulator.setFaults([]);
    }
  });

  it("should dry-run with credentials in flags and in the environment", async () => {
    const a = files();
    const flags = await cli("dry run flags", ["import", csvPath, "--dry-run", ...basicFlags, ...a.flags]);
    expect(flags.code, flags.stderr).toBe(0);
    const b = files();
    const fromEnv = await cli("dry run env", ["import", csvPath, "--dry-run", ...b.flags, "--debug"], {
      env: { ELOQUA_PASSWORD: PASSWORD, ELOQUA_TOKEN: TOKEN },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(readReport(b.report).rows.read).toBe(33);
  });

  it("should print help and the version without credentials in them", async () => {
    const secretEnv = { ...basicEnv, ELOQUA_TOKEN: TOKEN };
    for (const args of [["--help"], ["help", "import"], ["--version"], ["emulator", "--help"]]) {
      const run = await cli(`help ${args.join(" ")}`, args, { env: secretEnv });
      expect(run.code).toBe(0);
    }
    const importHelp = await cli("import --help", ["import", csvPath, "--password", PASSWORD, "--help"]);
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toContain("--password");
  });

  it.each([
    ["a bad number", ["import", "links.csv", "--password", PASSWORD, "--concurrency", "0"]],
    ["an unknown flag", ["import", "links.csv", "--password", PASSWORD, "--frobnicate"]],
    ["both a token and a password", ["import", "links.csv", "--password", PASSWORD, "--token", TOKEN]],
    ["a password without site and user", ["import", "links.csv", "--password", PASSWORD]],
    ["a stray argument", ["import", "links.csv", PASSWORD]],
    ["a stray argument to the emulator", ["emulator", TOKEN]],
    ["a value that looks like a flag", ["import", "links.csv", "--password", `-${PASSWORD}`]],
    ["an unknown command", [PASSWORD]],
    [
      "credentials in the URL",
      ["import", "links.csv", "--base-url", `https://${USER}:${PASSWORD}@x.example`],
    ],
    ["a missing file", ["import", "missing.csv", "--token", TOKEN, "--debug"]],
  ])("should exit 2 on %s without echoing a secret", async (what, args) => {
    const run = await cli(`usage: ${what}`, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^eloqua-bulk: /);
  });

  it("should redact a known secret that a message would echo (the password given as --base-url)", async () => {
    const run = await cli("secret as URL", ["import", "links.csv", "--base-url", PASSWORD, ...basicFlags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--base-url must be an absolute URL like https://secure.p03.eloqua.com: got "[redacted]".',
    );
  });

  it("should refuse plain http:// to a host that is not this machine before any request (exit 2)", async () => {
    // eloqua.invalid can never resolve (RFC 6761): nothing could be sent even if the check failed.
    for (const [label, extra, envVars] of [
      ["insecure basic", basicFlags, {}],
      ["insecure token env", [], { ELOQUA_TOKEN: TOKEN }],
      ["insecure dry run", ["--dry-run", ...basicFlags], {}],
    ] as const) {
      const run = await cli(label, ["import", csvPath, "--base-url", "http://eloqua.invalid", ...extra], {
        env: envVars,
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        "--base-url http://eloqua.invalid is plain http:// to a host that is not this machine",
      );
      expect(run.stderr).toContain("--allow-insecure-http");
    }
  });

  it("should run the emulator command on 127.0.0.1 by default, printing none of the caller's secrets", async () => {
    let stdout = "";
    const child = spawn(process.execPath, [bin, "emulator", "--quiet"], {
      cwd: dir,
      env: env({ ...basicEnv, ELOQUA_TOKEN: TOKEN }),
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (text: string) => {
        stdout += text;
        if (stdout.includes("\n")) resolve(stdout.slice(0, stdout.indexOf("\n")));
      });
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`the emulator exited early with ${code}`)));
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await closed).toBe(0);
    expect(firstLine).toMatch(/^Eloqua emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    // The emulator prints its own made-up credentials (that is its point), never the environment's.
    outputs.push(["emulator: stdout", stdout]);
  });

  it("should have written no secret in any output, report, rejects or checkpoint file", () => {
    const kinds = new Set(outputs.map(([label]) => label.slice(label.lastIndexOf(": ") + 2)));
    expect([...kinds].sort()).toEqual(["checkpoint file", "rejects file", "report file", "stderr", "stdout"]);
    expect(outputs.length).toBeGreaterThan(80);
    const leaks: string[] = [];
    for (const [label, text] of outputs) {
      for (const [name, secret] of Object.entries(SECRETS))
        if (text.includes(secret)) leaks.push(`${name} in ${label}`);
    }
    expect(leaks).toEqual([]);
  });
});
