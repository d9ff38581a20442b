import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/emulator/mod.ts";
import type { EmulatorServer, EmulatorServerOptions } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const BEARER = { authorization: "Bearer emulator-token" };
const LINKAGE = {
  name: "Link opportunities",
  fields: {
    OpportunityID: "{{Opportunity.Id}}",
    EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
  },
  linkOpportunitiesEntityType: "Contact",
  linkOpportunitiesMatchFieldName: "OpportunityID",
  linkOpportunitiesSourceField: "EmailAddress",
  isSyncTriggeredOnImport: false,
};

async function setup(options: EmulatorServerOptions = {}) {
  const clock = new ManualClock();
  const server = await startEmulatorServer({
    now: clock.now,
    syncTiming: { pendingMs: 5, activeMs: 20 },
    ...options,
  });
  servers.push(server);
  const bulk = `${server.url}/api/bulk/2.0`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(bulk + path, {
      method,
      headers: { ...BEARER, "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" || !/^[[{"]/.test(text) ? text : JSON.parse(text) };
  };
  const createDefinition = async (path = "/opportunities/contacts/imports", definition: object = LINKAGE) =>
    (await call("POST", path, definition)).body.uri as string;
  const postRows = async (uri: string, rows: object[]) => (await call("POST", `${uri}/data`, rows)).status;
  const sync = async (uri: string) => {
    const created = await call("POST", "/syncs", { syncedInstanceUri: uri });
    expect(created.status).toBe(201);
    return created.body.uri as string;
  };
  return { server, emulator: server.emulator, clock, call, createDefinition, postRows, sync };
}

const row = (opportunity: string, email: string) => ({ OpportunityID: opportunity, EmailAddress: email });

describe("emulator syncs", () => {
  it("should go pending → active → success on the injected clock, with start and end times once known", async () => {
    const { clock, call, createDefinition, postRows, sync } = await setup();
    const uri = await createDefinition();
    await postRows(uri, [row("1", "a@b.c")]);
    const created = await call("POST", "/syncs", {
      syncedInstanceUri: uri,
      callbackUrl: "https://example.com/done",
    });
    expect(created).toEqual({
      status: 201,
      body: {
        syncedInstanceUri: uri,
        status: "pending",
        createdAt: "2024-01-01T00:00:00.0000000Z",
        createdBy: "emulator.user",
        uri: "/syncs/1",
        callbackUrl: "https://example.com/done",
      },
    });
    const status = async () => (await call("GET", "/syncs/1")).body;
    clock.advance(4);
    expect(await status()).toMatchObject({ status: "pending" });
    expect((await status()).syncStartedAt).toBeUndefined();
    clock.advance(1);
    expect(await status()).toMatchObject({ status: "active", syncStartedAt: "2024-01-01T00:00:00.0050000Z" });
    expect((await status()).syncEndedAt).toBeUndefined();
    clock.advance(19);
    expect(await status()).toMatchObject({ status: "active" });
    clock.advance(1);
    expect(await status()).toMatchObject({ status: "success", syncEndedAt: "2024-01-01T00:00:00.0250000Z" });
    expect(await sync(uri)).toBe("/syncs/2");
  });

  it("should reject linkage rows with unknown opportunities (ELQ-00084) or contacts (ELQ-00085) and end in warning", async () => {
    const { emulator, clock, call, createDefinition, postRows, sync } = await setup({
      knownOpportunities: ["1", "2", "3"],
      knownContacts: (email) => email.endsWith("@known.com"),
    });
    const uri = await createDefinition();
    await postRows(uri, [row("1", "a@known.com"), row("9", "b@known.com")]);
    await postRows(uri, [row("2", "c@unknown.com"), row("3", "D@KNOWN.COM")]);
    const syncUri = await sync(uri);
    expect((await call("GET", `${syncUri}/rejects`)).body).toMatchObject({ items: [], totalResults: 0 });
    clock.advance(25);
    expect((await call("GET", syncUri)).body.status).toBe("warning");
    const rejects = await call("GET", `${syncUri}/rejects`);
    expect(rejects.body).toEqual({
      items: [
        {
          fieldValues: row("9", "b@known.com"),
          message: "Opportunity does not exist.",
          statusCode: "ELQ-00084",
          recordIndex: 2,
          invalidFields: ["OpportunityID"],
        },
        {
          fieldValues: row("2", "c@unknown.com"),
          message: "Contact does not exist.",
          statusCode: "ELQ-00085",
          recordIndex: 3,
          invalidFields: ["EmailAddress"],
        },
      ],
      totalResults: 2,
      limit: 1000,
      offset: 0,
      count: 2,
      hasMore: false,
    });
    expect(
      emulator
        .records()
        .map((record) => [record.state, record.statusCode, record.fileIndex, record.recordIndex]),
    ).toEqual([
      ["synced", null, 1, 1],
      ["rejected", "ELQ-00084", 1, 2],
      ["rejected", "ELQ-00085", 2, 3],
      ["synced", null, 2, 4],
    ]);
    expect(emulator.stats.rejectedRows).toBe(2);
  });

  it("should summarise a finished sync in its logs", async () => {
    const { clock, call, createDefinition, postRows, sync } = await setup({ knownOpportunities: ["1"] });
    const uri = await createDefinition();
    await postRows(uri, [row("1", "a@b.c"), row("2", "a@b.c"), row("1", "d@e.f")]);
    const syncUri = await sync(uri);
    clock.advance(25);
    const logs = (await call("GET", `${syncUri}/logs`)).body;
    const at = "2024-01-01T00:00:00.0250000Z";
    expect(logs.items).toEqual([
      {
        syncUri,
        count: 3,
        severity: "information",
        statusCode: "ELQ-00040",
        message: "Total records processed.",
        createdAt: at,
      },
      {
        syncUri,
        count: 1,
        severity: "warning",
        statusCode: "ELQ-00084",
        message: "Opportunity does not exist.",
        createdAt: at,
      },
      {
        syncUri,
        count: 2,
        severity: "information",
        statusCode: "ELQ-00104",
        message: "Opportunity links created.",
        createdAt: at,
      },
      {
        syncUri,
        count: 0,
        severity: "warning",
        statusCode: "ELQ-00101",
        message: "Sync processed for sync 1, resulting in Warning status.",
        createdAt: at,
      },
    ]);
  });

  it("should do a sync's work exactly once however often it is observed", async () => {
    const { emulator, clock, call, createDefinition, postRows, sync } = await setup({
      knownOpportunities: [],
    });
    const uri = await createDefinition();
    await postRows(uri, [row("1", "a@b.c")]);
    const syncUri = await sync(uri);
    clock.advance(100);
    for (let i = 0; i < 3; i++) {
      await call("GET", syncUri);
      await call("GET", `${syncUri}/rejects`);
    }
    expect(emulator.stats).toMatchObject({ rejectedRows: 1, filesPerSync: [1] });
    expect((await call("GET", `${syncUri}/rejects`)).body.totalResults).toBe(1);
  });

  it("should page rejects with limit, offset and hasMore, and refuse a bad limit with 400", async () => {
    const { clock, call, createDefinition, postRows, sync } = await setup({ knownContacts: [] });
    const uri = await createDefinition();
    await postRows(
      uri,
      Array.from({ length: 5 }, (_, i) => row(String(i), `c${i}@x.y`)),
    );
    const syncUri = await sync(uri);
    clock.advance(25);
    const page = (await call("GET", `${syncUri}/rejects?limit=2&offset=2`)).body;
    expect(page).toMatchObject({ totalResults: 5, limit: 2, offset: 2, count: 2, hasMore: true });
    expect(page.items.map((item: { recordIndex: number }) => item.recordIndex)).toEqual([3, 4]);
    expect((await call("GET", `${syncUri}/rejects?offset=4`)).body).toMatchObject({
      count: 1,
      hasMore: false,
    });
    const noTotal = (await call("GET", `${syncUri}/rejects?totalResults=false`)).body;
    expect(noTotal.totalResults).toBeUndefined();
    expect((await call("GET", `${syncUri}/rejects?limit=1001`)).status).toBe(400);
    expect((await call("GET", `${syncUri}/logs?limit=0`)).status).toBe(400);
  });

  it("should answer 400 with failures to a sync of an unknown definition, and 404 to an unknown sync", async () => {
    const { call } = await setup();
    const bad = await call("POST", "/syncs", { syncedInstanceUri: "/opportunities/contacts/imports/42" });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      failures: [
        {
          field: "syncedInstanceUri",
          value: "/opportunities/contacts/imports/42",
          constraint: expect.any(String),
        },
      ],
    });
    expect((await call("POST", "/syncs", {})).status).toBe(400);
    expect((await call("GET", "/syncs/77")).status).toBe(404);
    expect((await call("GET", "/syncs/77/logs")).status).toBe(404);
  });

  it("should count a sync created while another on the same definition is pending or active", async () => {
    const { emulator, clock, createDefinition, postRows, sync } = await setup();
    const first = await createDefinition();
    const second = await createDefinition();
    await postRows(first, [row("1", "a@b.c")]);
    await sync(first);
    await sync(second);
    expect(emulator.stats.overlappingSyncs).toBe(0);
    clock.advance(10);
    await sync(first);
    expect(emulator.stats.overlappingSyncs).toBe(1);
    clock.advance(100);
    await sync(first);
    expect(emulator.stats).toMatchObject({ overlappingSyncs: 1, syncsCreated: 4 });
  });

  it("should list syncs", async () => {
    const { call, createDefinition, sync } = await setup();
    const uri = await createDefinition();
    await sync(uri);
    await sync(uri);
    expect((await call("GET", "/syncs?limit=1")).body).toMatchObject({
      items: [{ uri: "/syncs/1", syncedInstanceUri: uri }],
      totalResults: 2,
      hasMore: true,
    });
  });

  it("should make opportunities imported by an opportunity import known to later linkage syncs", async () => {
    const { clock, call, createDefinition, postRows, sync } = await setup({ knownOpportunities: [] });
    const opportunities = await createDefinition("/opportunities/imports", {
      name: "Opportunities",
      fields: { Id: "{{Opportunity.Id}}", Name: "{{Opportunity.Field(Name)}}" },
      identifierFieldName: "Id",
    });
    await postRows(opportunities, [{ Id: "OPP-1", Name: "One" }]);
    await sync(opportunities);
    clock.advance(25);
    const links = await createDefinition();
    await postRows(links, [row("OPP-1", "a@b.c"), row("OPP-2", "a@b.c")]);
    const syncUri = await sync(links);
    clock.advance(25);
    const rejects = (await call("GET", `${syncUri}/rejects`)).body;
    expect(
      rejects.items.map((item: { fieldValues: { OpportunityID: string } }) => item.fieldValues.OpportunityID),
    ).toEqual(["OPP-2"]);
  });

  it("should compare ids case-sensitively only when the definition asks to", async () => {
    const { clock, call, createDefinition, postRows, sync } = await setup({ knownOpportunities: ["Abc"] });
    const insensitive = await createDefinition();
    const sensitive = await createDefinition("/opportunities/contacts/imports", {
      ...LINKAGE,
      linkOpportunitiesCaseSensitiveMatchField: true,
    });
    await postRows(insensitive, [row("ABC", "a@b.c")]);
    await postRows(sensitive, [row("ABC", "a@b.c")]);
    const [a, b] = [await sync(insensitive), await sync(sensitive)];
    clock.advance(25);
    expect((await call("GET", a)).body.status).toBe("success");
    expect((await call("GET", b)).body.status).toBe("warning");
  });

  it("should end an empty sync in success with zero records processed", async () => {
    const { clock, call, createDefinition, sync } = await setup();
    const syncUri = await sync(await createDefinition());
    clock.advance(25);
    expect((await call("GET", syncUri)).body.status).toBe("success");
    expect((await call("GET", `${syncUri}/logs`)).body.items[0]).toMatchObject({
      statusCode: "ELQ-00040",
      count: 0,
    });
  });
});
