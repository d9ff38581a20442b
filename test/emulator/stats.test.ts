import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/emulator/mod.ts";
import type { EmulatorServer, EmulatorServerOptions } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const BEARER = { authorization: "Bearer emulator-token" };
const LINKAGE = { name: "Link", fields: { OpportunityID: "{{Opportunity.Id}}" } };

async function setup(options: EmulatorServerOptions = {}) {
  const clock = new ManualClock();
  const server = await startEmulatorServer({ now: clock.now, ...options });
  servers.push(server);
  const bulk = `${server.url}/api/bulk/2.0`;
  const created = await fetch(`${bulk}/opportunities/contacts/imports`, {
    method: "POST",
    headers: { ...BEARER, "content-type": "application/json" },
    body: JSON.stringify(LINKAGE),
  });
  const uri = ((await created.json()) as { uri: string }).uri;
  return { emulator: server.emulator, clock, bulk, uri };
}

/** Polls (a millisecond at a time) until `condition` holds; fails after ~5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 5_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

describe("emulator stats and history", () => {
  it("should count requests in flight from their start until their body is read and answered", async () => {
    const { emulator, bulk, uri } = await setup();
    const encoder = new TextEncoder();
    const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
    const responses = Array.from({ length: 4 }, () =>
      fetch(`${bulk}${uri}/data`, {
        method: "POST",
        headers: { ...BEARER, "content-type": "application/json" },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode('[{"OpportunityID":"1"}'));
            bodies.push(controller);
          },
        }),
        duplex: "half",
      } as RequestInit),
    );
    await until(() => emulator.stats.inFlight === 4);
    expect(emulator.stats.dataPosts).toBe(0);
    for (const body of bodies) {
      body.enqueue(encoder.encode("]"));
      body.close();
    }
    expect((await Promise.all(responses)).map((response) => response.status)).toEqual([204, 204, 204, 204]);
    expect(emulator.stats).toMatchObject({ inFlight: 0, maxInFlight: 4, dataPosts: 4, stagedRows: 4 });
  });

  it("should count requests by route and status, and data POST body bytes", async () => {
    const { emulator, bulk, uri } = await setup();
    const body = '[{"OpportunityID":"1"},{"OpportunityID":"2"}]';
    const post = () =>
      fetch(`${bulk}${uri}/data`, {
        method: "POST",
        headers: { ...BEARER, "content-type": "application/json" },
        body,
      });
    await post();
    await post();
    await fetch(`${bulk}/opportunities/contacts/imports/9/data`, {
      method: "POST",
      headers: { ...BEARER, "content-type": "application/json" },
      body: "[]",
    });
    await fetch(`${bulk}/nowhere`, { headers: BEARER });
    expect(emulator.stats).toMatchObject({
      requests: 5,
      requestsByRoute: { "definition.create": 1, "data.post": 3, unknown: 1 },
      responsesByStatus: { "201": 1, "204": 2, "404": 2 },
      dataPosts: 2,
      stagedRows: 4,
      bodyBytes: { total: 2 * body.length + 2, max: body.length },
    });
  });

  it("should record each call in a bounded history, oldest first, with clock times", async () => {
    const { emulator, clock, bulk, uri } = await setup({ historyLimit: 3 });
    for (let i = 0; i < 4; i++) {
      clock.advance(10);
      await fetch(`${bulk}${uri}?i=${i}`, { headers: BEARER });
    }
    const history = emulator.history();
    expect(history).toHaveLength(3);
    expect(history.map((call) => call.path)).toEqual([
      `/api/bulk/2.0${uri}?i=1`,
      `/api/bulk/2.0${uri}?i=2`,
      `/api/bulk/2.0${uri}?i=3`,
    ]);
    expect(history[0]).toEqual({
      method: "GET",
      path: `/api/bulk/2.0${uri}?i=1`,
      route: "definition.get",
      status: 200,
      bodyBytes: 0,
      startedAt: Date.UTC(2024, 0, 1) + 20,
      endedAt: Date.UTC(2024, 0, 1) + 20,
    });
  });

  it("should forget everything on reset, keeping the stats object live", async () => {
    const { emulator, bulk, uri } = await setup();
    const stats = emulator.stats;
    await fetch(`${bulk}${uri}/data`, {
      method: "POST",
      headers: { ...BEARER, "content-type": "application/json" },
      body: '[{"OpportunityID":"1"}]',
    });
    emulator.reset();
    expect(stats).toMatchObject({
      requests: 0,
      dataPosts: 0,
      requestsByRoute: {},
      filesSinceSync: {},
      bodyBytes: { total: 0 },
    });
    expect(emulator.history()).toEqual([]);
    expect(emulator.records()).toEqual([]);
    expect((await fetch(`${bulk}${uri}`, { headers: BEARER })).status).toBe(404);
    expect(stats.requests).toBe(1);
  });
});
