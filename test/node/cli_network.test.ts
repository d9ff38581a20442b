// No network: the CLI names the host it could not reach and what to check, prints each retry as it
// happens when stderr is a terminal (and only then), never shows a credential, and --retries sets how
// many times a request is sent again. The host is a port on 127.0.0.1 nothing listens on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EloquaNetworkError } from "../../lib/client/errors.ts";
import { networkFailure } from "../../lib/node/cli/cli_errors.ts";
import type { CliIo } from "../../lib/node/cli/cli_io.ts";
import { helpText } from "../../lib/node/cli/help.ts";
import { main } from "../../lib/node/cli/main.ts";

const PASSWORD = "Netw0rk-pw-3391-never-shown";
const BASIC_B64 = Buffer.from(`NetSite\\net.user:${PASSWORD}`).toString("base64");

function memoryIo(isTTY: boolean): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    env: {},
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text), isTTY, columns: 200 },
    out: () => out,
    err: () => err,
  };
}

/** A port on 127.0.0.1 that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dir: string;
let contacts: string;
let links: string;
let host: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eloqua-cli-network-"));
  contacts = join(dir, "contacts.csv");
  writeFileSync(contacts, "EmailAddress\na@b.co\n");
  links = join(dir, "links.csv");
  writeFileSync(links, "OpportunityID,EmailAddress\nO1,a@b.co\n");
  host = `127.0.0.1:${await closedPort()}`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const credentials = () => ["--base-url", `http://${host}`, "--site", "NetSite", "--user", "net.user"];
const retryLines = (text: string) => text.split("\n").filter((line) => line.startsWith("retrying "));

/** What every unreachable-host message must say: the host, and the network, host, proxy and firewall to check. */
function expectAdvice(err: string): void {
  expect(err).toContain(`Could not reach ${host}. Check:\n`);
  expect(err).toContain("  - the network: is this machine online?\n");
  expect(err).toContain(
    `  - the host: is ${host} your Eloqua pod (such as secure.p03.eloqua.com)? --base-url sets it\n`,
  );
  expect(err).toContain(
    "  - a proxy: behind one, use --transport fetch with NODE_USE_ENV_PROXY=1 and HTTPS_PROXY set",
  );
  expect(err).toContain(`  - a firewall: does it let this machine reach ${host}?\n`);
  expect(err).not.toContain(PASSWORD);
  expect(err).not.toContain(BASIC_B64);
}

describe("an unreachable host", () => {
  it("should print each retry as it happens on a terminal, then name the host and what to check", async () => {
    const io = memoryIo(true);
    const argv = ["import", "contacts", contacts, ...credentials(), "--password", PASSWORD, "--retries", "2"];
    expect(await main(argv, io)).toBe(1);
    const url = `http://${host}/api/bulk/2.0/contacts/fields`;
    const lines = retryLines(io.err());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^retrying GET ${url}: connection refused \\(attempt 2 of 3, next in \\d+\\.\\d s\\)$`),
    );
    expect(lines[1]).toMatch(/: connection refused \(attempt 3 of 3, next in \d+\.\d s\)$/);
    expect(io.err()).toContain(
      `eloqua-bulk: GET /api/bulk/2.0/contacts/fields got no answer from ${host} after 3 attempts: connection refused (ECONNREFUSED)\n`,
    );
    expectAdvice(io.err());
  });

  it("should print no retry line when stderr is not a terminal, nor with --quiet", async () => {
    for (const [isTTY, quiet] of [
      [false, []],
      [true, ["--quiet"]],
    ] as const) {
      const io = memoryIo(isTTY);
      const argv = [
        "import",
        "contacts",
        contacts,
        ...credentials(),
        "--password",
        PASSWORD,
        "--retries",
        "1",
      ];
      expect(await main([...argv, ...quiet], io)).toBe(1);
      expect(retryLines(io.err()), io.err()).toEqual([]);
      expect(io.err()).toContain(
        `got no answer from ${host} after 2 attempts: connection refused (ECONNREFUSED)`,
      );
      expectAdvice(io.err());
    }
  });

  it("should say the same when the import's first request fails inside the upload (a linkage import)", async () => {
    const io = memoryIo(true);
    expect(
      await main(["import", links, ...credentials(), "--password", PASSWORD, "--retries", "0"], io),
    ).toBe(1);
    // Creating a definition is never sent again after no answer: no retry line, and one attempt.
    expect(retryLines(io.err())).toEqual([]);
    expect(io.err()).toContain(
      `eloqua-bulk: the import did not complete: POST /api/bulk/2.0/opportunities/contacts/imports got no answer from ${host}: connection refused (ECONNREFUSED) [ELOQUA_NETWORK_ERROR]\n`,
    );
    expect(io.err()).not.toContain("check the network");
    expectAdvice(io.err());
  });
});

describe("networkFailure", () => {
  it("should point at --base-url when login.eloqua.com, which finds the pod, cannot be reached", () => {
    const error = new EloquaNetworkError({
      method: "GET",
      path: "/id",
      host: "login.eloqua.com",
      attempts: 6,
      cause: new TypeError("fetch failed", {
        cause: Object.assign(new Error("getaddrinfo"), { code: "ENOTFOUND" }),
      }),
    });
    // As an import's report keeps it: the message only.
    const failure = networkFailure(error.message);
    expect(failure.message).toBe(
      "GET /id got no answer from login.eloqua.com after 6 attempts: host not found (ENOTFOUND)",
    );
    expect(failure.advice.split("\n")).toEqual([
      "Could not reach login.eloqua.com. Check:",
      "  - the network: is this machine online?",
      "  - the host: login.eloqua.com finds your pod; --base-url with your pod's address (such as https://secure.p03.eloqua.com) skips that lookup",
      "  - a proxy: behind one, use --transport fetch with NODE_USE_ENV_PROXY=1 and HTTPS_PROXY set (Node 24 and later)",
      "  - a firewall: does it let this machine reach login.eloqua.com?",
    ]);
  });
});

describe("--retries", () => {
  it("should send a request only once with --retries 0", async () => {
    const io = memoryIo(true);
    const argv = ["import", "contacts", contacts, ...credentials(), "--password", PASSWORD, "--retries", "0"];
    expect(await main(argv, io)).toBe(1);
    expect(retryLines(io.err())).toEqual([]);
    expect(io.err()).toContain(`got no answer from ${host}: connection refused`);
  });

  it.each(["-1", "100", "two", "1.5"])("should refuse --retries %j with a usage error", async (value) => {
    const io = memoryIo(false);
    expect(await main(["import", links, "--dry-run", `--retries=${value}`], io)).toBe(2);
    expect(io.err()).toContain(`--retries must be an integer from 0 to 99: got ${JSON.stringify(value)}.`);
  });

  it("should be in the help text", () => {
    expect(helpText(undefined)).toMatch(/--retries <n>/);
  });
});
