import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { FetchLike } from "../../lib/client/mod.ts";
import type { FaultRule } from "../../lib/emulator/mod.ts";
import { ManualClock } from "../../lib/emulator/mod.ts";
import type { EmulatorServer, EmulatorServerOptions } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { dropReportingTransport } from "../runtimes/transports.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

// Faults that drop the connection reach the caller through the runtime's fetch on Node, through the
// no-reuse Deno transport on Deno; Bun's fetch re-sends a dropped GET (docs/RUNTIMES.md).
const DROPS = await dropReportingTransport();
afterAll(() => DROPS.close());

const BEARER = { authorization: "Bearer emulator-token" };
const LINKAGE = {
  name: "Link",
  fields: {
    OpportunityID: "{{Opportunity.Id}}",
    EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
  },
};
const ROWS = [{ OpportunityID: "1", EmailAddress: "a@b.c" }];

async function setup(options: EmulatorServerOptions = {}, fetch: FetchLike = globalThis.fetch) {
  const clock = new ManualClock();
  const server = await startEmulatorServer({ now: clock.now, ...options });
  servers.push(server);
  const bulk = `${server.url}/api/bulk/2.0`;
  const send = (method: string, path: string, body?: unknown) =>
    fetch(bulk + path, {
      method,
      headers: { ...BEARER, "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
  const created = await send("POST", "/opportunities/contacts/imports", LINKAGE);
  const uri = ((await created.json()) as { uri: string }).uri;
  const postRows = () => send("POST", `${uri}/data`, ROWS);
  const statuses = async (n: number, request: () => Promise<Response>) => {
    const result: (number | "rejected")[] = [];
    for (let i = 0; i < n; i++)
      result.push(
        await request().then(
          (response) => response.status,
          () => "rejected" as const,
        ),
      );
    return result;
  };
  return { emulator: server.emulator, clock, send, uri, postRows, statuses };
}

describe("emulator fault injection", () => {
  it("should answer a scheduled status without doing the work, with an Eloqua-like body", async () => {
    const { emulator, postRows } = await setup({
      faults: [{ route: "data.post", action: { status: 503 }, schedule: [2] }],
    });
    expect((await postRows()).status).toBe(204);
    const faulted = await postRows();
    expect(faulted.status).toBe(503);
    expect(await faulted.text()).toBe("There was a timeout processing the request.");
    expect((await postRows()).status).toBe(204);
    expect(emulator.stats).toMatchObject({ dataPosts: 2, stagedRows: 2, faultsInjected: 1 });
    expect(emulator.history().map((call) => call.fault ?? null)).toEqual([null, null, "status 503", null]);
  });

  it("should answer 429, 500 and 502, with Retry-After when asked", async () => {
    const { postRows } = await setup({
      faults: [
        { route: "data.post", action: { status: 429, retryAfterSeconds: 3 }, schedule: [1] },
        { route: "data.post", action: { status: 500 }, schedule: [2] },
        { route: "data.post", action: { status: 502, body: "gateway down" }, schedule: [3] },
      ],
    });
    const tooMany = await postRows();
    expect([tooMany.status, tooMany.headers.get("retry-after")]).toEqual([429, "3"]);
    expect((await postRows()).status).toBe(500);
    const gateway = await postRows();
    expect([gateway.status, await gateway.text()]).toEqual([502, "gateway down"]);
    expect((await postRows()).status).toBe(204);
  });

  // Deno's and Bun's fetch send a request again when a reused connection closes unanswered.
  it.skipIf(!DROPS.reportsDroppedGet)(
    'should close the connection without answering or staging on "reset"',
    async () => {
      const { emulator, postRows, send } = await setup(
        { faults: [{ route: ["data.post", "sync.get"], action: "reset", schedule: [1, 2] }] },
        DROPS.fetch,
      );
      await expect(postRows()).rejects.toThrow();
      expect(emulator.records()).toEqual([]);
      expect(emulator.stats.dataPosts).toBe(0);
      await expect(send("GET", "/syncs/1")).rejects.toThrow();
      expect(emulator.history().map((call) => [call.route, call.status, call.fault])).toEqual([
        ["definition.create", 201, undefined],
        ["data.post", "dropped", "reset"],
        ["sync.get", "dropped", "reset"],
      ]);
      expect((await postRows()).status).toBe(204);
    },
  );

  it.skipIf(!DROPS.reportsDroppedPost)(
    'should stage the rows, then close the connection unanswered, on "commitThenDrop"',
    async () => {
      const { emulator, postRows } = await setup(
        { faults: [{ route: "data.post", action: "commitThenDrop", schedule: [1] }] },
        DROPS.fetch,
      );
      await expect(postRows()).rejects.toThrow();
      expect(emulator.records().map((record) => record.row)).toEqual(ROWS);
      expect(emulator.stats).toMatchObject({
        dataPosts: 1,
        faultsInjected: 1,
        responsesByStatus: { dropped: 1 },
      });
    },
  );

  it("should answer slowly on a delay, then do the work", async () => {
    const { emulator, postRows } = await setup({
      now: Date.now,
      faults: [{ route: "data.post", action: { delayMs: 30 } }],
    });
    const started = Date.now();
    expect((await postRows()).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    expect(emulator.stats.dataPosts).toBe(1);
  });

  it('should end a sync in error on "syncError", keep its data staged, and let the next sync process it', async () => {
    const { emulator, clock, send, uri, postRows } = await setup({
      faults: [{ route: "sync.create", action: "syncError", schedule: [1] }],
    });
    await postRows();
    const first = await (await send("POST", "/syncs", { syncedInstanceUri: uri })).json();
    clock.advance(100);
    expect((await (await send("GET", first.uri)).json()).status).toBe("error");
    const logs = await (await send("GET", `${first.uri}/logs`)).json();
    expect(logs.items[0]).toMatchObject({ severity: "error", statusCode: "ELQ-00146" });
    expect(emulator.stats.filesSinceSync[uri]).toBe(1);
    expect(emulator.records()[0]).toMatchObject({ syncUri: null, state: "staged" });
    const second = await (await send("POST", "/syncs", { syncedInstanceUri: uri })).json();
    clock.advance(100);
    expect((await (await send("GET", second.uri)).json()).status).toBe("success");
    expect(emulator.records()[0]).toMatchObject({ syncUri: second.uri, state: "synced" });
    expect(emulator.stats).toMatchObject({ filesPerSync: [1], faultsInjected: 1 });
    expect(emulator.history().find((call) => call.route === "sync.create")?.fault).toBe("syncError");
  });

  it("should draw rate faults from the seeded PRNG: the same seed gives the same sequence", async () => {
    const rules: FaultRule[] = [{ route: "data.post", action: { status: 500 }, rate: 0.5 }];
    const a = await setup({ faults: rules, seed: 7 });
    const b = await setup({ faults: rules, seed: 7 });
    const first = await a.statuses(30, a.postRows);
    expect(await b.statuses(30, b.postRows)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(204);
    a.emulator.reset();
    const again = await setup({ faults: rules, seed: 7 });
    expect(await again.statuses(30, again.postRows)).toEqual(first);
  });

  it("should never fire at rate 0 and stop after `times` firings", async () => {
    const { postRows, statuses } = await setup({
      faults: [
        { route: "data.post", action: { status: 500 }, rate: 0 },
        { route: "data.post", action: { status: 503 }, times: 2 },
      ],
    });
    expect(await statuses(4, postRows)).toEqual([503, 503, 204, 204]);
  });

  it("should match on method and route, with * for any route", async () => {
    const { send, uri, statuses } = await setup({
      faults: [{ route: "*", method: "get", action: { status: 502 } }],
    });
    expect(await statuses(1, () => send("GET", uri))).toEqual([502]);
    expect(await statuses(1, () => send("POST", `${uri}/data`, ROWS))).toEqual([204]);
  });

  it("should let faults change at runtime, restarting their ordinals", async () => {
    const { emulator, postRows, statuses } = await setup();
    expect(await statuses(2, postRows)).toEqual([204, 204]);
    emulator.setFaults([{ route: "data.post", action: { status: 500 }, schedule: [2] }]);
    expect(await statuses(3, postRows)).toEqual([204, 500, 204]);
    emulator.setFaults([]);
    expect(await statuses(2, postRows)).toEqual([204, 204]);
    expect(() => emulator.setFaults([{ action: { status: 404 as 500 } }])).toThrow(
      /status must be 429, 500, 502 or 503/,
    );
  });
});
