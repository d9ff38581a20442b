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
  isSyncTriggeredOnImport: false,
};

async function setup(options: EmulatorServerOptions = {}) {
  const clock = new ManualClock();
  const server = await startEmulatorServer({ now: clock.now, ...options });
  servers.push(server);
  const bulk = `${server.url}/api/bulk/2.0`;
  const createDefinition = async (definition: object = LINKAGE): Promise<string> => {
    const response = await fetch(`${bulk}/opportunities/contacts/imports`, {
      method: "POST",
      headers: { ...BEARER, "content-type": "application/json" },
      body: JSON.stringify(definition),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { uri: string }).uri;
  };
  const post = (uri: string, body: BodyInit, contentType: string | null = "application/json") =>
    fetch(`${bulk}${uri}/data`, {
      method: "POST",
      headers: contentType === null ? BEARER : { ...BEARER, "content-type": contentType },
      body,
      duplex: "half",
    } as RequestInit);
  const postRows = async (uri: string, rows: object[]) => (await post(uri, JSON.stringify(rows))).status;
  const sync = async (uri: string): Promise<string> => {
    const response = await fetch(`${bulk}/syncs`, {
      method: "POST",
      headers: { ...BEARER, "content-type": "application/json" },
      body: JSON.stringify({ syncedInstanceUri: uri }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { uri: string }).uri;
  };
  const getSync = async (syncUri: string) => (await fetch(`${bulk}${syncUri}`, { headers: BEARER })).json();
  return { server, emulator: server.emulator, clock, bulk, createDefinition, post, postRows, sync, getSync };
}

const ROW = { OpportunityID: "1", EmailAddress: "contact1@abccompany.com" };
const ROWS = [ROW, { OpportunityID: "2", EmailAddress: "contact2@zyxcompany.com" }];

/** A body streamed in 1 MB chunks: fetch copies a whole Uint8Array body first, which is slow for 32 MB. */
function streamOf(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array<ArrayBuffer>> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 1_048_576));
      offset += 1_048_576;
    },
  });
}

/** A JSON body of exactly `size` bytes (padded with spaces, which JSON allows). */
function jsonBodyOfSize(size: number): Uint8Array<ArrayBuffer> {
  const head = new TextEncoder().encode('[{"OpportunityID":"1","EmailAddress":"a@b.c"}');
  const body = new Uint8Array(size).fill(0x20);
  body.set(head);
  body[size - 1] = 0x5d;
  return body;
}

describe("emulator data upload", () => {
  it("should answer 204 and stage the rows, ignoring columns not in the definition", async () => {
    const { emulator, createDefinition, postRows } = await setup();
    const uri = await createDefinition();
    expect(
      await postRows(uri, [
        { ...ROW, Extra: "x" },
        { OpportunityID: 2, EmailAddress: null },
      ]),
    ).toBe(204);
    expect(emulator.records()).toEqual([
      {
        definitionUri: uri,
        syncUri: null,
        fileIndex: 1,
        recordIndex: 1,
        row: ROW,
        state: "staged",
        statusCode: null,
      },
      {
        definitionUri: uri,
        syncUri: null,
        fileIndex: 1,
        recordIndex: 2,
        row: { OpportunityID: "2", EmailAddress: "" },
        state: "staged",
        statusCode: null,
      },
    ]);
    expect(emulator.stats).toMatchObject({ dataPosts: 1, stagedRows: 2, filesSinceSync: { [uri]: 1 } });
  });

  it("should answer 404 to data for an unknown definition", async () => {
    const { postRows } = await setup();
    expect(await postRows("/opportunities/contacts/imports/99", ROWS)).toBe(404);
  });

  it("should answer 400 when Content-Type is missing or neither JSON nor CSV, or the body is compressed", async () => {
    const { emulator, bulk, createDefinition, post } = await setup();
    const uri = await createDefinition();
    const missing = await post(uri, new TextEncoder().encode(JSON.stringify(ROWS)), null);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ failures: [{ field: "Content-Type" }] });
    expect((await post(uri, JSON.stringify(ROWS), "application/xml")).status).toBe(400);
    const gzipped = await fetch(`${bulk}${uri}/data`, {
      method: "POST",
      headers: { ...BEARER, "content-type": "application/json", "content-encoding": "gzip" },
      body: JSON.stringify(ROWS),
    });
    expect(gzipped.status).toBe(400);
    expect(await gzipped.json()).toMatchObject({ failures: [{ field: "Content-Encoding", value: "gzip" }] });
    expect(emulator.stats.dataPosts).toBe(0);
  });

  it("should answer 400 with failures to malformed JSON and to anything but an array of flat objects", async () => {
    const { emulator, createDefinition, post } = await setup();
    const uri = await createDefinition();
    const malformed = await post(uri, '[{"OpportunityID":"1"');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      failures: [{ field: "body", constraint: expect.stringMatching(/JSON array/) }],
    });
    for (const body of ['{"OpportunityID":"1"}', "[1,2]", '[{"OpportunityID":{"x":1}}]', ""]) {
      expect((await post(uri, body)).status, body).toBe(400);
    }
    expect(emulator.records()).toEqual([]);
  });

  it("should accept text/csv with a header row of field keys", async () => {
    const { emulator, createDefinition, post } = await setup();
    const uri = await createDefinition();
    const csv = 'EmailAddress,OpportunityID,Ignored\r\n"a,b@c.d",7,x\r\ne@f.g,8,y\r\n';
    expect((await post(uri, csv, "text/csv; charset=utf-8")).status).toBe(204);
    expect(emulator.records().map((record) => record.row)).toEqual([
      { EmailAddress: "a,b@c.d", OpportunityID: "7" },
      { EmailAddress: "e@f.g", OpportunityID: "8" },
    ]);
    expect((await post(uri, 'OpportunityID\n"unterminated', "text/csv")).status).toBe(400);
  });

  it("should answer 404 to a body one byte over maxBodyBytes, after reading all of it", async () => {
    const { emulator, createDefinition, post } = await setup({ maxBodyBytes: 100 });
    const uri = await createDefinition();
    expect((await post(uri, jsonBodyOfSize(100))).status).toBe(204);
    const over = await post(uri, jsonBodyOfSize(101));
    expect(over.status).toBe(404);
    expect(emulator.stats.bodyBytes).toEqual({ total: 201, max: 101 });
    expect(emulator.stats.dataPosts).toBe(1);
  });

  it("should take a body of exactly 32,000,000 bytes and answer 404 to 32,000,001", async () => {
    const { emulator, createDefinition, post } = await setup({ mode: "count" });
    const uri = await createDefinition();
    expect((await post(uri, streamOf(jsonBodyOfSize(32_000_000)))).status).toBe(204);
    expect((await post(uri, streamOf(jsonBodyOfSize(32_000_001)))).status).toBe(404);
    expect(emulator.stats).toMatchObject({ dataPosts: 1, stagedRows: 1, bodyBytes: { max: 32_000_001 } });
  });

  it("should answer 400 to the 501st file since the last sync, and accept files again after a sync", async () => {
    const { emulator, clock, createDefinition, postRows, sync } = await setup();
    const uri = await createDefinition();
    const row = [ROW];
    for (let batch = 0; batch < 50; batch++) {
      const statuses = await Promise.all(Array.from({ length: 10 }, () => postRows(uri, row)));
      expect(statuses.every((status) => status === 204)).toBe(true);
    }
    expect(emulator.stats.filesSinceSync[uri]).toBe(500);
    expect(await postRows(uri, row)).toBe(400);
    await sync(uri);
    clock.advance(1_000);
    expect(await postRows(uri, row)).toBe(204);
    expect(emulator.stats).toMatchObject({
      filesPerSync: [500],
      maxFilesPerSync: 500,
      filesSinceSync: { [uri]: 1 },
    });
  });

  it("should apply a smaller maxFilesPerSync with a failures body", async () => {
    const { createDefinition, post } = await setup({ maxFilesPerSync: 2 });
    const uri = await createDefinition();
    expect((await post(uri, JSON.stringify(ROWS))).status).toBe(204);
    expect((await post(uri, JSON.stringify(ROWS))).status).toBe(204);
    const third = await post(uri, JSON.stringify(ROWS));
    expect(third.status).toBe(400);
    expect(await third.json()).toMatchObject({
      failures: [{ field: "data", value: "3", constraint: expect.any(String) }],
    });
  });

  it("should answer 413 Storage space exceeded while staging is full, and accept again once a sync drained it", async () => {
    const { emulator, clock, createDefinition, post, sync } = await setup({ maxStagedBytes: 250 });
    const first = await createDefinition();
    const second = await createDefinition();
    expect((await post(first, jsonBodyOfSize(200))).status).toBe(204);
    const full = await post(second, jsonBodyOfSize(100));
    expect(full.status).toBe(413);
    expect(await full.text()).toBe("Storage space exceeded.");
    expect((await post(second, jsonBodyOfSize(50))).status).toBe(204);
    await sync(first);
    expect((await post(second, jsonBodyOfSize(100))).status).toBe(413);
    clock.advance(1_000);
    expect((await post(second, jsonBodyOfSize(100))).status).toBe(204);
    expect(emulator.stats.dataPosts).toBe(3);
  });

  it("should drop staged rows on DELETE data, and answer 409 while a sync on the definition runs", async () => {
    const { emulator, clock, bulk, createDefinition, postRows, sync, getSync } = await setup();
    const uri = await createDefinition();
    await postRows(uri, ROWS);
    const del = () => fetch(`${bulk}${uri}/data`, { method: "DELETE", headers: BEARER });
    expect((await del()).status).toBe(204);
    expect(emulator.stats.filesSinceSync[uri]).toBe(0);
    expect(emulator.records().map((record) => record.state)).toEqual(["deleted", "deleted"]);
    await postRows(uri, ROWS);
    const syncUri = await sync(uri);
    expect((await del()).status).toBe(409);
    clock.advance(10);
    expect(await getSync(syncUri)).toMatchObject({ status: "active" });
    expect((await del()).status).toBe(409);
    clock.advance(1_000);
    expect((await del()).status).toBe(204);
    expect(
      (await fetch(`${bulk}/opportunities/contacts/imports/99/data`, { method: "DELETE", headers: BEARER }))
        .status,
    ).toBe(404);
  });

  it("should start a sync and answer 201 with it when the definition has isSyncTriggeredOnImport", async () => {
    const { emulator, clock, createDefinition, post, getSync } = await setup();
    const uri = await createDefinition({ ...LINKAGE, isSyncTriggeredOnImport: true });
    const response = await post(uri, JSON.stringify(ROWS));
    expect(response.status).toBe(201);
    const created = await response.json();
    expect(created).toMatchObject({
      syncedInstanceUri: uri,
      status: "pending",
      uri: "/syncs/1",
      createdBy: "emulator.user",
    });
    clock.advance(1_000);
    expect(await getSync(created.uri)).toMatchObject({ status: "success" });
    expect(emulator.stats).toMatchObject({ syncsCreated: 1, filesPerSync: [1] });
    expect(emulator.records().every((record) => record.syncUri === "/syncs/1")).toBe(true);
  });

  it("should accept a data POST during a running sync but count it in postsDuringSync", async () => {
    const { emulator, clock, createDefinition, postRows, sync, getSync } = await setup();
    const uri = await createDefinition();
    const other = await createDefinition();
    await postRows(uri, ROWS);
    const syncUri = await sync(uri);
    expect(await postRows(other, ROWS)).toBe(204);
    expect(emulator.stats.postsDuringSync).toBe(0);
    expect(await postRows(uri, [ROW])).toBe(204);
    expect(emulator.stats.postsDuringSync).toBe(1);
    clock.advance(1_000);
    expect(await getSync(syncUri)).toMatchObject({ status: "success" });
    // The late file waits for the next sync, numbered from 1 there.
    expect(emulator.stats.filesSinceSync[uri]).toBe(1);
    const late = emulator
      .records()
      .filter((record) => record.definitionUri === uri && record.syncUri === null);
    expect(late).toMatchObject([{ fileIndex: 1, recordIndex: 1, state: "staged" }]);
  });
});
