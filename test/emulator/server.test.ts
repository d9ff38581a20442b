import type { ClientRequest } from "node:http";
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { isInvalidOptionError } from "../../lib/errors.ts";
import type { EmulatorServer, EmulatorServerOptions } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { ON_NODE } from "../runtimes/runtime.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const server = await startEmulatorServer(options);
  servers.push(server);
  return server;
}

const BEARER = { authorization: "Bearer emulator-token" };

async function createDefinition(server: EmulatorServer): Promise<string> {
  const created = await fetch(`${server.url}/api/bulk/2.0/opportunities/contacts/imports`, {
    method: "POST",
    headers: { ...BEARER, "content-type": "application/json" },
    body: JSON.stringify({ name: "x", fields: { OpportunityID: "{{Opportunity.Id}}" } }),
  });
  return ((await created.json()) as { uri: string }).uri;
}

/** Starts a chunked POST by node:http; the caller writes, ends or destroys it. */
function rawPost(url: string, path: string): { request: ClientRequest; outcome: Promise<number | string> } {
  let request!: ClientRequest;
  const outcome = new Promise<number | string>((resolve) => {
    request = httpRequest(
      `${url}${path}`,
      {
        method: "POST",
        headers: { ...BEARER, "content-type": "application/json", "transfer-encoding": "chunked" },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
  return { request, outcome };
}

/** Polls (a millisecond at a time) until `condition` holds; fails after ~5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 5_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

// Node-only: the node:http server itself (sockets, raw requests).
describe.skipIf(!ON_NODE)("startEmulatorServer", () => {
  it("should listen on 127.0.0.1 on an ephemeral port and give its URL without a trailing slash", async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/id`, { headers: BEARER });
    expect((await response.json()).urls.base).toBe(server.url);
  });

  it("should close idle keep-alive connections and resolve close() once closed", async () => {
    const server = await startEmulatorServer();
    await (await fetch(`${server.url}/id`, { headers: BEARER })).text();
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/id`, { headers: BEARER })).rejects.toThrow();
  });

  it("should refuse a bad port or host", async () => {
    for (const options of [{ port: -1 }, { port: 70_000 }, { port: 1.5 }, { host: "" }]) {
      const error = await startEmulatorServer(options).catch((e: unknown) => e);
      expect(isInvalidOptionError(error), JSON.stringify(options)).toBe(true);
    }
  });

  it("should stream a chunked body to the emulator and answer once it is complete", async () => {
    const server = await start();
    const uri = await createDefinition(server);
    const { request, outcome } = rawPost(server.url, `/api/bulk/2.0${uri}/data`);
    request.write('[{"Opportu');
    await until(() => server.emulator.stats.inFlight === 1);
    request.write('nityID":"1"}');
    request.end("]");
    expect(await outcome).toBe(204);
    expect(server.emulator.records().map((record) => record.row)).toEqual([{ OpportunityID: "1" }]);
  });

  it("should survive a client that goes away mid-body: the call is dropped and nothing is staged", async () => {
    const server = await start();
    const uri = await createDefinition(server);
    const { request, outcome } = rawPost(server.url, `/api/bulk/2.0${uri}/data`);
    request.write('[{"OpportunityID":"1"}');
    await until(() => server.emulator.stats.inFlight === 1);
    request.destroy();
    expect(await outcome).toBe("ECONNRESET");
    await until(() => server.emulator.stats.inFlight === 0);
    expect(server.emulator.stats.dataPosts).toBe(0);
    expect(server.emulator.history().at(-1)).toMatchObject({ route: "data.post", status: "dropped" });
    expect((await fetch(`${server.url}/id`, { headers: BEARER })).status).toBe(200);
  });
});
