// OAuth with refresh in the CLI: ELOQUA_CLIENT_ID, ELOQUA_CLIENT_SECRET and ELOQUA_REFRESH_TOKEN (or
// ELOQUA_REFRESH_TOKEN_FILE) from the environment; an access token that expires mid-run is refreshed,
// and the rotated refresh token is stored in the file for the next run.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { bin, cli, env, root } from "./_cli.ts";

const CLIENT_SECRET = "Cl1ent-secret-3391-never-shown";
const REFRESH_TOKEN = "R3fresh-token-7702-never-shown";

let dir: string;
let csvPath: string;
let server: EmulatorServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-bulk-oauth-"));
  const lines = ["OpportunityID,EmailAddress"];
  for (let i = 0; i < 300; i++) lines.push(`OPP-${i},user${i}@example.com`);
  csvPath = join(dir, "links.csv");
  writeFileSync(csvPath, `${lines.join("\n")}\n`);
  server = await startEmulatorServer({
    credentials: { clientId: "cli-client", clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const oauthEnv = (extra: Record<string, string> = {}) => ({
  ELOQUA_CLIENT_ID: "cli-client",
  ELOQUA_CLIENT_SECRET: CLIENT_SECRET,
  ELOQUA_TOKEN_URL: `${server.url}/auth/oauth2/token`,
  ...extra,
});

/** Runs the CLI; `during` gets the child once it runs. */
function run(
  args: readonly string[],
  extraEnv: Record<string, string>,
  during?: (child: ChildProcess) => void,
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: env(extraEnv) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
    during?.(child);
  });
}

/** Expires every access token once the emulator has taken `posts` data POSTs (in this process). */
function expireAfter(posts: number): { stop(): void; expired(): boolean } {
  let expired = false;
  const start = server.emulator.stats.requestsByRoute["data.post"] ?? 0;
  const timer = setInterval(() => {
    if (expired || (server.emulator.stats.requestsByRoute["data.post"] ?? 0) - start < posts) return;
    expired = true;
    server.emulator.expireAccessTokens();
  }, 1);
  return { stop: () => clearInterval(timer), expired: () => expired };
}

describe("eloqua-bulk with OAuth from the environment", { timeout: 120_000 }, () => {
  it("should refresh an access token that expires mid-run and store the rotated refresh token", async () => {
    server.emulator.reset();
    const tokenFile = join(dir, "refresh-token");
    writeFileSync(tokenFile, `${REFRESH_TOKEN}\n`);
    const report = join(dir, "report.json");
    const watch = expireAfter(3);
    const result = await run(
      [
        "import",
        csvPath,
        "--base-url",
        server.url,
        "--max-batch-bytes",
        "1000",
        "--concurrency",
        "1",
        "--report",
        report,
        "--debug",
      ],
      oauthEnv({ ELOQUA_REFRESH_TOKEN_FILE: tokenFile }),
    ).finally(() => watch.stop());
    expect(result.code, result.stderr).toBe(0);
    expect(watch.expired()).toBe(true);
    expect(result.stderr).toContain("debug: oauth auth");
    const parsed = JSON.parse(readFileSync(report, "utf8")) as ImportReport;
    expect(parsed.rows).toMatchObject({ read: 300, staged: 300 });
    expect(server.emulator.records()).toHaveLength(300);
    const stats = server.emulator.stats;
    // The first token, then one more after the expiry answered 401.
    expect(stats.requestsByRoute.token).toBe(2);
    expect(stats.responsesByStatus["401"]).toBeGreaterThanOrEqual(1);
    // The refresh token the emulator takes now is the one in the file, readable by this user only.
    const current = server.emulator.refreshTokens();
    expect(current).toHaveLength(1);
    expect(readFileSync(tokenFile, "utf8").trim()).toBe(current[0]);
    expect(statSync(tokenFile).mode & 0o077).toBe(0);
    const written = result.stdout + result.stderr + readFileSync(report, "utf8");
    for (const secret of [
      CLIENT_SECRET,
      REFRESH_TOKEN,
      current[0]!,
      "emulator-access-1",
      "emulator-access-2",
    ]) {
      expect(written).not.toContain(secret);
    }

    // The next run starts from the stored token (the first one no longer works).
    const again = await run(
      ["definitions", "list", "--base-url", server.url],
      oauthEnv({ ELOQUA_REFRESH_TOKEN_FILE: tokenFile }),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(parsed.definitionUri!);
    expect(readFileSync(tokenFile, "utf8").trim()).toBe(server.emulator.refreshTokens()[0]);
  });

  it("should take ELOQUA_REFRESH_TOKEN, and warn that the rotated one is not kept without a file", async () => {
    server.emulator.reset();
    const result = await cli(["import", csvPath, "--base-url", server.url], {
      env: oauthEnv({ ELOQUA_REFRESH_TOKEN: REFRESH_TOKEN }),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("set ELOQUA_REFRESH_TOKEN_FILE");
    expect(server.emulator.records()).toHaveLength(300);
    expect(result.stdout + result.stderr).not.toContain(REFRESH_TOKEN);
  });

  it("should exit 1 without echoing them when Eloqua refuses the client secret or the refresh token", async () => {
    server.emulator.reset();
    const wrong = "Wr0ng-secret-5518-never-shown";
    const result = await cli(["import", csvPath, "--base-url", server.url, "--debug"], {
      env: oauthEnv({ ELOQUA_CLIENT_SECRET: wrong, ELOQUA_REFRESH_TOKEN: REFRESH_TOKEN }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(result.stdout + result.stderr).not.toContain(REFRESH_TOKEN);
  });

  it.each([
    [{ ELOQUA_REFRESH_TOKEN: REFRESH_TOKEN }, /ELOQUA_CLIENT_ID and ELOQUA_CLIENT_SECRET are missing/],
    [
      {
        ELOQUA_CLIENT_ID: "c",
        ELOQUA_CLIENT_SECRET: CLIENT_SECRET,
        ELOQUA_REFRESH_TOKEN_FILE: "/nonexistent/token",
      },
      /Cannot read ELOQUA_REFRESH_TOKEN_FILE \/nonexistent\/token/,
    ],
    [
      {
        ...{
          ELOQUA_CLIENT_ID: "c",
          ELOQUA_CLIENT_SECRET: CLIENT_SECRET,
          ELOQUA_REFRESH_TOKEN: REFRESH_TOKEN,
        },
        ELOQUA_PASSWORD: "pw",
      },
      /Both OAuth .* and Basic credentials \(ELOQUA_PASSWORD\)/,
    ],
  ])("should exit 2 for an incomplete or mixed OAuth environment (%#)", async (variables, message) => {
    const result = await cli(["import", csvPath, "--base-url", "http://127.0.0.1:9"], { env: variables });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(CLIENT_SECRET);
    expect(result.stderr).not.toContain(REFRESH_TOKEN);
  });
});
