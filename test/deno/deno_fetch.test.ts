// The Deno transport (lib/deno/deno_fetch.ts) on Deno: every request on a connection of its own, so
// that a connection the server drops unanswered fails the request instead of being re-sent unseen by
// Deno's fetch — and, for contrast, Deno's own fetch re-sending, the reason the transport exists
// (docs/RUNTIMES.md). The client's behaviours through it: test/client/emulator_bulk.integration.test.ts,
// test/emulator/faults.test.ts and test/import/import_linkages.test.ts, run with it on Deno.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createDenoFetch, isDenoUnavailableError } from "../../lib/deno/mod.ts";
import { RUNTIME } from "../runtimes/runtime.ts";

interface TestServer {
  url: string;
  /** Each request as `METHOD connection-number`. */
  seen: string[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that answers 200, except that it drops the connection of the requests `drop` picks. */
async function serve(drop: (method: string, index: number) => boolean): Promise<TestServer> {
  const ids = new WeakMap<Socket, number>();
  let connections = 0;
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      seen.push(`${req.method} ${ids.get(req.socket)}`);
      if (drop(req.method ?? "", seen.length - 1)) req.socket.destroy();
      else res.end("ok");
    });
  });
  server.on("connection", (socket: Socket) => ids.set(socket, ++connections));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const test: TestServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  cleanups.push(() => test.close());
  return test;
}

const outcome = (promise: Promise<Response>): Promise<string> =>
  promise.then(
    async (response) => `${response.status} ${await response.text()}`,
    (error: unknown) => `rejected: ${error instanceof Error ? error.name : String(error)}`,
  );

describe.skipIf(RUNTIME !== "deno")("createDenoFetch on Deno", () => {
  it("should report a POST whose connection drops unanswered, having sent it once", async () => {
    const server = await serve((method) => method === "POST");
    const fetch = createDenoFetch();
    cleanups.push(() => fetch.close());
    expect(await outcome(fetch(server.url))).toBe("200 ok");
    expect(await outcome(fetch(server.url, { method: "POST", body: "[1]" }))).toBe("rejected: TypeError");
    expect(await outcome(fetch(server.url))).toBe("200 ok");
    // A connection per request: nothing reused, nothing re-sent.
    expect(server.seen).toEqual(["GET 1", "POST 2", "GET 3"]);
  });

  it("should report a dropped GET too, through a Request as the client's ky passes it", async () => {
    const server = await serve((_method, index) => index === 1);
    const fetch = createDenoFetch();
    cleanups.push(() => fetch.close());
    expect(await outcome(fetch(new Request(server.url), {}))).toBe("200 ok");
    expect(await outcome(fetch(new Request(server.url), {}))).toBe("rejected: TypeError");
    expect(server.seen).toEqual(["GET 1", "GET 2"]);
  });

  // The behaviour the transport works around; if this fails, Deno changed: update docs/RUNTIMES.md.
  it("should contrast with Deno's own fetch, which sends a dropped POST again on a new connection", async () => {
    const server = await serve((method, index) => method === "POST" && index === 1);
    expect(await outcome(fetch(server.url))).toBe("200 ok");
    expect(await outcome(fetch(server.url, { method: "POST", body: "[1]" }))).toBe("200 ok");
    expect(server.seen).toEqual(["GET 1", "POST 1", "POST 2"]);
  });

  it("should fail requests after close()", async () => {
    const server = await serve(() => false);
    const fetch = createDenoFetch();
    fetch.close();
    fetch.close();
    expect(await outcome(fetch(server.url))).toMatch(/^rejected: /);
  });
});

describe.skipIf(RUNTIME === "deno")("createDenoFetch elsewhere", () => {
  it("should throw DenoUnavailableError", () => {
    let error: unknown;
    try {
      createDenoFetch();
    } catch (e) {
      error = e;
    }
    expect(isDenoUnavailableError(error)).toBe(true);
    expect((error as Error).message).toContain("outside Deno");
  });
});
