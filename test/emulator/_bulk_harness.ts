// An emulator on 127.0.0.1 on a manual clock, and the Bulk API calls the sync tests make over HTTP.
import { afterEach, expect } from "vitest";
import { ManualClock } from "../../lib/emulator/mod.ts";
import type { EmulatorServer, EmulatorServerOptions } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** What a reject item of `GET /syncs/{id}/rejects` holds. */
export interface RejectItem {
  readonly fieldValues: Record<string, string>;
  readonly statusCode: string;
  readonly message: string;
  readonly recordIndex: number;
  readonly invalidFields: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
type Json = any;

export async function startBulk(options: EmulatorServerOptions = {}) {
  const clock = new ManualClock();
  const server = await startEmulatorServer({
    now: clock.now,
    syncTiming: { pendingMs: 5, activeMs: 20 },
    ...options,
  });
  servers.push(server);
  const bulk = `${server.url}/api/bulk/2.0`;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> => {
    const response = await fetch(bulk + path, {
      method,
      headers: { authorization: "Bearer emulator-token", "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" || !/^[[{"]/.test(text) ? text : JSON.parse(text) };
  };
  /** Creates a definition, stages `rows` in one POST, syncs it and lets the sync finish. */
  const importRows = async (path: string, definition: object, rows: readonly object[]) => {
    const created = await call("POST", path, definition);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const uri = created.body.uri as string;
    expect((await call("POST", `${uri}/data`, rows)).status).toBe(204);
    const sync = await call("POST", "/syncs", { syncedInstanceUri: uri });
    expect(sync.status).toBe(201);
    clock.advance(25);
    const syncUri = sync.body.uri as string;
    const status = (await call("GET", syncUri)).body.status as string;
    const rejects = (await call("GET", `${syncUri}/rejects`)).body.items as RejectItem[];
    const logs = (await call("GET", `${syncUri}/logs`)).body.items as { statusCode: string; count: number }[];
    return { uri, syncUri, status, rejects, logs };
  };
  return { server, emulator: server.emulator, clock, call, importRows };
}
