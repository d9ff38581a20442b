// The node:http transport on its own, against small node:http servers that misbehave on purpose: what
// it sends (headers, lengths, bodies as given), what it answers (a real Response), how it fails (like
// fetch: TypeError "fetch failed" with Node's error as cause), aborts, redirects, decoding, and that a
// reused keep-alive connection dropped unanswered is reported, never sent again. The client's behaviours
// through it against the emulator: test/client/emulator_bulk.integration.test.ts and
// test/import/import_linkages.test.ts (both run with every transport of the runtime).
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { EloquaBulkClient, isEloquaNetworkError } from "../../lib/client/mod.ts";
import { rememberBodySource, requestBodySource } from "../../lib/client/transport.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";
import type { NodeHttpFetch } from "../../lib/node/node_http_fetch.ts";
import { createNodeHttpFetch } from "../../lib/node/node_http_fetch.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** Which connection (1, 2, …) it came on. */
  connection: number;
}

interface TestServer {
  url: string;
  seen: Seen[];
  connections: number;
  closedConnections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const transports: NodeHttpFetch[] = [];
afterEach(async () => {
  for (const transport of transports.splice(0)) transport.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function transport(options?: Parameters<typeof createNodeHttpFetch>[0]): NodeHttpFetch {
  const fetch = createNodeHttpFetch(options);
  transports.push(fetch);
  return fetch;
}

/** A server answering with `handler` after reading the whole request; it numbers its connections. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, seen: Seen, socket: Socket) => void,
  configure: (server: Server) => void = () => {},
): Promise<TestServer> {
  const ids = new WeakMap<Socket, number>();
  const state = { connections: 0, closedConnections: 0 };
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const entry: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        connection: ids.get(req.socket) ?? 0,
      };
      seen.push(entry);
      handler(req, res, entry, req.socket);
    });
  });
  server.on("connection", (socket: Socket) => {
    ids.set(socket, ++state.connections);
    socket.on("close", () => state.closedConnections++);
  });
  configure(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const test: TestServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    get connections() {
      return state.connections;
    },
    get closedConnections() {
      return state.closedConnections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(test);
  return test;
}

const ok = (_req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("content-type", "application/json");
  res.end('{"ok":true}');
};

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("createNodeHttpFetch: requests", () => {
  it("should send method, headers and a byte body with its Content-Length, and answer with a Response", async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 201;
      res.statusMessage = "Made";
      res.setHeader("x-one", ["a", "b"]);
      res.setHeader("content-type", "application/json");
      res.end('{"made":1}');
    });
    const fetch = transport();
    const body = new TextEncoder().encode('[{"a":1}]');
    const response = await fetch(`${server.url}/path?q=1`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", authorization: "Bearer t" },
    });
    expect(response).toBeInstanceOf(Response);
    expect([response.status, response.statusText, response.ok]).toEqual([201, "Made", true]);
    expect(response.headers.get("x-one")).toBe("a, b");
    expect(response.url).toBe(`${server.url}/path?q=1`);
    expect(await response.json()).toEqual({ made: 1 });
    const [seen] = server.seen;
    expect(seen).toMatchObject({ method: "POST", url: "/path?q=1", body: Buffer.from(body) });
    expect(seen!.headers).toMatchObject({
      "content-length": String(body.byteLength),
      "content-type": "application/json",
      authorization: "Bearer t",
      accept: "*/*",
      "user-agent": "node",
      "accept-encoding": "gzip, deflate",
    });
    expect(seen!.headers["transfer-encoding"]).toBeUndefined();
  });

  it("should send a string body as UTF-8 with fetch's default content type, and a GET with none", async () => {
    const server = await serve(ok);
    const fetch = transport();
    await (await fetch(server.url, { method: "PUT", body: "é€" })).text();
    await (await fetch(new Request(server.url))).text();
    expect(server.seen[0]!.body.toString("utf8")).toBe("é€");
    expect(server.seen[0]!.headers).toMatchObject({
      "content-length": "5",
      "content-type": "text/plain;charset=UTF-8",
    });
    expect(server.seen[1]).toMatchObject({ method: "GET", body: Buffer.alloc(0) });
    expect(server.seen[1]!.headers["content-length"]).toBeUndefined();
    await expect(fetch(server.url, { method: "GET", body: "x" })).rejects.toThrow(TypeError);
  });

  it("should send the body a Request was built from, without reading the Request", async () => {
    const server = await serve(ok);
    const fetch = transport();
    const bytes = new TextEncoder().encode("the bytes as given");
    // A Request whose own body differs shows which one went out.
    const request = new Request(server.url, { method: "POST", body: "the Request's copy" });
    rememberBodySource(request, bytes);
    await (await fetch(request)).text();
    expect(server.seen[0]!.body.toString()).toBe("the bytes as given");
    expect(server.seen[0]!.headers["content-length"]).toBe(String(bytes.byteLength));
    expect(request.bodyUsed).toBe(false);
  });

  it("should read a Request's body when it has no source: one chunk with a length, more chunked", async () => {
    const server = await serve(ok);
    const fetch = transport();
    await (await fetch(new Request(server.url, { method: "POST", body: "one chunk" }))).text();
    const parts = ["several ", "chunks ", "of a stream"];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const request = new Request(server.url, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await (await fetch(request)).text();
    expect(server.seen[0]!.body.toString()).toBe("one chunk");
    expect(server.seen[0]!.headers["content-length"]).toBe("9");
    expect(server.seen[1]!.body.toString()).toBe("several chunks of a stream");
    expect(server.seen[1]!.headers["transfer-encoding"]).toBe("chunked");
  });

  it("should give 204 and HEAD answers a null body, and decode gzip", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/none") {
        res.statusCode = 204;
        res.end();
        return;
      }
      res.setHeader("content-encoding", "gzip");
      res.end(gzipSync('{"zipped":true}'));
    });
    const fetch = transport();
    const none = await fetch(`${server.url}/none`, { method: "POST" });
    expect([none.status, none.body]).toEqual([204, null]);
    expect(server.seen[0]!.headers["content-length"]).toBe("0");
    const head = await fetch(`${server.url}/zip`, { method: "HEAD" });
    expect(head.body).toBeNull();
    const zipped = await fetch(`${server.url}/zip`);
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(await zipped.json()).toEqual({ zipped: true });
  });

  it("should follow redirects like fetch, dropping Authorization across origins", async () => {
    const other = await serve(ok);
    const server = await serve((req, res) => {
      const to: Record<string, [number, string]> = {
        "/post": [302, "/landed"],
        "/keep": [307, "/landed"],
        "/away": [307, `${other.url}/there`],
        "/loop": [302, "/loop"],
      };
      const target = to[req.url ?? ""];
      if (target === undefined) return ok(req, res);
      res.writeHead(target[0], { location: target[1] });
      res.end("moved");
    });
    const fetch = transport();
    const headers = { authorization: "Bearer secret-token" };
    const post = await fetch(`${server.url}/post`, { method: "POST", body: "x", headers });
    expect([post.status, post.redirected, post.url]).toEqual([200, true, `${server.url}/landed`]);
    expect(server.seen[1]).toMatchObject({ method: "GET", url: "/landed", body: Buffer.alloc(0) });
    await fetch(`${server.url}/keep`, { method: "POST", body: "kept", headers });
    expect(server.seen[3]).toMatchObject({ method: "POST", url: "/landed", body: Buffer.from("kept") });
    expect(server.seen[3]!.headers.authorization).toBe("Bearer secret-token");
    await fetch(`${server.url}/away`, { method: "POST", body: "sent", headers });
    expect(other.seen[0]).toMatchObject({ method: "POST", url: "/there", body: Buffer.from("sent") });
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
    const manual = await fetch(`${server.url}/post`, { method: "POST", body: "x", redirect: "manual" });
    expect([manual.status, manual.headers.get("location")]).toEqual([302, "/landed"]);
    await manual.text();
    const loop = await rejectionOf(fetch(`${server.url}/loop`));
    expect(loop).toBeInstanceOf(TypeError);
    expect((loop.cause as Error).message).toBe("Too many redirects");
  });
});

describe("createNodeHttpFetch: failures, as fetch fails", () => {
  it("should reject a refused connection with TypeError('fetch failed') and Node's error as cause", async () => {
    const server = await serve(ok);
    const url = server.url;
    await server.close();
    const error = await rejectionOf(transport()(url));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("fetch failed");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("should report a reused keep-alive connection closed unanswered, and never send the request again", async () => {
    let drop = false;
    const server = await serve((req, res, _seen, socket) => {
      if (drop) socket.destroy();
      else ok(req, res);
    });
    const fetch = transport();
    await (await fetch(server.url)).text();
    drop = true;
    const error = await rejectionOf(fetch(server.url, { method: "POST", body: "staged once" }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("fetch failed");
    // The POST went out once, on the connection of the GET: reused, dropped, reported.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.seen.map((s) => [s.method, s.connection])).toEqual([
      ["GET", 1],
      ["POST", 1],
    ]);
    drop = false;
    await (await fetch(server.url)).text();
    expect(server.seen.map((s) => s.connection)).toEqual([1, 1, 2]);
  });

  it("should count that drop through the client as a network error it retries", async () => {
    let dropped = 0;
    const server = await serve((req, res, _seen, socket) => {
      if (req.method === "POST" && dropped++ === 0) socket.destroy();
      else if (req.method === "POST") {
        res.statusCode = 204;
        res.end();
      } else ok(req, res);
    });
    const retries: Error[] = [];
    const client = new EloquaBulkClient({
      auth: { type: "bearer", token: "t" },
      baseUrl: server.url,
      fetch: transport(),
      retry: { baseDelayMs: 1 },
      onRetry: (event) => retries.push(event.error),
    });
    await client.getImport("/opportunities/contacts/imports/1").catch(() => {});
    await client.postData("/opportunities/contacts/imports/1", new Uint8Array([0x5b, 0x5d]));
    expect(retries).toHaveLength(1);
    expect(isEloquaNetworkError(retries[0])).toBe(true);
    expect(retries[0]!.message).toMatch(
      /got no answer from 127\.0\.0\.1:\d+: connection reset \(ECONNRESET\): check the network/,
    );
    expect(server.seen.filter((s) => s.method === "POST").map((s) => s.connection)).toEqual([1, 2]);
  });

  it("should not use a connection the server closed while it was idle", async () => {
    const server = await serve(ok, (s) => {
      s.keepAliveTimeout = 30;
    });
    const fetch = transport();
    await (await fetch(server.url)).text();
    await until(() => server.closedConnections === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await fetch(server.url)).status).toBe(200);
    expect(server.seen.map((s) => s.connection)).toEqual([1, 2]);
  });

  it("should wait for a slow answer longer than the idle timeout, on a new and on a reused connection", async () => {
    const server = await serve((req, res) => {
      setTimeout(() => ok(req, res), 300);
    });
    const fetch = transport({ idleTimeoutMs: 50 });
    expect(await (await fetch(server.url, { method: "POST", body: "slow" })).json()).toEqual({ ok: true });
    expect(await (await fetch(server.url, { method: "POST", body: "slow" })).json()).toEqual({ ok: true });
    expect(server.seen.map((s) => s.connection)).toEqual([1, 1]);
  });

  it("should error the body of an answer cut short", async () => {
    const server = await serve((_req, res, _seen, socket) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("only ten b");
      setTimeout(() => socket.destroy(), 20);
    });
    const response = await transport()(server.url);
    const error = await rejectionOf(response.text());
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe("createNodeHttpFetch: abort", () => {
  it("should not send anything when the signal is already aborted", async () => {
    const server = await serve(ok);
    const reason = new Error("stop");
    const error = await rejectionOf(transport()(server.url, { signal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
    expect(server.connections).toBe(0);
  });

  it("should reject with the signal's reason while waiting for the answer, and close that connection", async () => {
    const server = await serve(() => {}); // never answers
    const fetch = transport();
    const controller = new AbortController();
    const pending = fetch(server.url, { method: "POST", body: "x", signal: controller.signal });
    await until(() => server.seen.length === 1);
    const reason = new DOMException("The per-request timeout elapsed", "TimeoutError");
    controller.abort(reason);
    expect(await rejectionOf(pending)).toBe(reason);
    await until(() => server.closedConnections === 1);
    expect(server.closedConnections).toBe(1);
  });

  it("should error the body with the signal's reason while it is read", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("part");
    });
    const controller = new AbortController();
    const response = await transport()(server.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("part");
    const reason = new Error("aborted while reading");
    controller.abort(reason);
    expect(await rejectionOf(reader.read())).toBe(reason);
  });
});

describe("createNodeHttpFetch: the client's fast path", () => {
  it("should declare that it sends body sources, and receive data POSTs' bytes as given", async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const inner = transport();
    expect(inner.sendsBodySource).toBe(true);
    const bytes = new TextEncoder().encode('[{"OpportunityID":"1","EmailAddress":"a@b.c"}]');
    const given: (Uint8Array | string | undefined)[] = [];
    const spy = Object.assign(
      (input: Request | URL | string, init?: RequestInit) => {
        if (input instanceof Request) given.push(requestBodySource(input));
        return inner(input, init);
      },
      { sendsBodySource: true as const },
    );
    const client = new EloquaBulkClient({
      auth: { type: "bearer", token: "t" },
      baseUrl: server.url,
      fetch: spy,
    });
    await client.postData("/opportunities/contacts/imports/1", bytes);
    expect(given[0]).toBe(bytes);
    expect(server.seen[0]!.body).toEqual(Buffer.from(bytes));
    expect(server.seen[0]!.headers["content-length"]).toBe(String(bytes.byteLength));
  });

  it("should close its connections on close()", async () => {
    const server = await serve(ok);
    const fetch = transport();
    await (await fetch(server.url)).text();
    fetch.close();
    await until(() => server.closedConnections === 1);
    expect(server.closedConnections).toBe(1);
    fetch.close();
  });

  it("should refuse bad options naming the option", () => {
    for (const options of [
      { maxSockets: 0 },
      { idleTimeoutMs: -1 },
      { keepAlive: "yes" },
      { httpAgent: {} },
    ]) {
      const error = (() => {
        try {
          createNodeHttpFetch(options as never);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isInvalidOptionError(error)).toBe(true);
    }
  });
});
