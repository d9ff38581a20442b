import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const LINKAGE = {
  name: "Link opportunities",
  fields: {
    OpportunityID: "{{Opportunity.Id}}",
    EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
  },
  linkOpportunitiesEntityType: "Contact",
  linkOpportunitiesMatchFieldName: "OpportunityID",
  linkOpportunitiesSourceField: "EmailAddress",
  linkOpportunitiesMultipleSourceMatches: true,
  linkOpportunitiesCaseSensitiveMatchField: false,
  linkOpportunitiesCaseSensitiveSourceField: false,
  isSyncTriggeredOnImport: false,
};
const OPPORTUNITIES = {
  name: "Opportunities",
  fields: {
    OpportunityID: "{{Opportunity.Id}}",
    OpportunityName: "{{Opportunity.Field(Name)}}",
    Stage: "{{Opportunity.Field(Stage)}}",
    Amount: "{{Opportunity.Field(Amount)}}",
  },
  identifierFieldName: "OpportunityID",
  isSyncTriggeredOnImport: false,
};

async function setup() {
  const server = await startEmulatorServer();
  servers.push(server);
  const call = async (method: string, path: string, body?: unknown, prefix = "/api/bulk/2.0") => {
    const response = await fetch(server.url + prefix + path, {
      method,
      headers: { authorization: "Bearer emulator-token", "content-type": "application/json" },
      body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? null : tryJson(text) };
  };
  return { server, call };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe("emulator import definitions", () => {
  it("should create a linkage definition: 201, a uri, read-only fields, and the properties sent echoed", async () => {
    const { call } = await setup();
    const created = await call("POST", "/opportunities/contacts/imports", { ...LINKAGE, notAProperty: 1 });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      ...LINKAGE,
      dataRetentionDuration: "P7D",
      uri: "/opportunities/contacts/imports/1",
      createdBy: "emulator.user",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
      updatedBy: "emulator.user",
      updatedAt: expect.any(String),
      kbUsed: 0,
    });
  });

  it("should get, list, update and delete a definition", async () => {
    const { call } = await setup();
    const uri = ((await call("POST", "/opportunities/contacts/imports", LINKAGE)).body as { uri: string })
      .uri;
    expect((await call("GET", uri)).body).toMatchObject({ uri, name: LINKAGE.name });
    const list = await call("GET", "/opportunities/contacts/imports");
    expect(list.body).toMatchObject({
      items: [{ uri }],
      totalResults: 1,
      limit: 1000,
      offset: 0,
      count: 1,
      hasMore: false,
    });
    const updated = await call("PUT", uri, { ...LINKAGE, name: "Renamed" });
    expect(updated).toMatchObject({ status: 200, body: { uri, name: "Renamed" } });
    expect((await call("DELETE", uri)).status).toBe(204);
    expect((await call("GET", uri)).status).toBe(404);
    expect((await call("DELETE", uri)).status).toBe(404);
  });

  it("should keep definitions of each import path apart", async () => {
    const { call } = await setup();
    await call("POST", "/opportunities/contacts/imports", LINKAGE);
    const opportunities = await call("POST", "/opportunities/imports", OPPORTUNITIES);
    expect(opportunities).toMatchObject({
      status: 201,
      body: { uri: "/opportunities/imports/2", identifierFieldName: "OpportunityID" },
    });
    expect((await call("GET", "/opportunities/imports")).body).toMatchObject({
      totalResults: 1,
      items: [{ uri: "/opportunities/imports/2" }],
    });
    expect((await call("GET", "/opportunities/contacts/imports/2")).status).toBe(404);
    const custom = await call("POST", "/customObjects/7/imports", {
      name: "c",
      fields: { Email: "{{CustomObject[7].Field(Email)}}" },
    });
    expect(custom).toMatchObject({ status: 201, body: { uri: "/customObjects/7/imports/3" } });
    expect((await call("GET", "/contacts/imports")).body).toMatchObject({ totalResults: 0, items: [] });
  });

  it("should answer 400 with failures when name or fields are missing or malformed", async () => {
    const { call } = await setup();
    const missing = await call("POST", "/opportunities/contacts/imports", {
      linkOpportunitiesEntityType: "Contact",
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      failures: [
        { field: "name", constraint: "Is required." },
        { field: "fields", constraint: "Is required." },
      ],
    });
    const badStatement = await call("POST", "/opportunities/contacts/imports", {
      ...LINKAGE,
      fields: { ...LINKAGE.fields, Bad: "Opportunity.Id" },
    });
    expect(badStatement.status).toBe(400);
    expect(badStatement.body).toEqual({
      failures: [
        {
          field: "fields.Bad",
          value: "Opportunity.Id",
          constraint: expect.stringMatching(/field statement/),
        },
      ],
    });
  });

  it("should answer 400 for no fields, more than 100 fields, bad property values and invalid JSON", async () => {
    const { call } = await setup();
    const path = "/opportunities/contacts/imports";
    expect((await call("POST", path, { ...LINKAGE, fields: {} })).status).toBe(400);
    const many = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`F${i}`, `{{Opportunity.Field(F${i})}}`]),
    );
    expect(
      (await call("POST", path, { ...LINKAGE, fields: { ...many, OpportunityID: "{{Opportunity.Id}}" } }))
        .status,
    ).toBe(400);
    const hundred = Object.fromEntries(
      Array.from({ length: 99 }, (_, i) => [`F${i}`, `{{Opportunity.Field(F${i})}}`]),
    );
    const atLimit = await call("POST", path, {
      name: "n",
      fields: { ...hundred, OpportunityID: "{{Opportunity.Id}}" },
    });
    expect(atLimit.status).toBe(201);
    expect((await call("POST", path, { ...LINKAGE, linkOpportunitiesEntityType: "Lead" })).status).toBe(400);
    expect(
      (await call("POST", path, { ...LINKAGE, linkOpportunitiesSourceField: "NotAColumn" })).status,
    ).toBe(400);
    expect((await call("POST", path, { ...LINKAGE, isSyncTriggeredOnImport: "no" })).status).toBe(400);
    expect((await call("POST", path, { ...LINKAGE, dataRetentionDuration: "P30D" })).status).toBe(400);
    expect(
      (
        await call("POST", path, {
          ...LINKAGE,
          fields: { EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}" },
        })
      ).status,
    ).toBe(400);
    expect((await call("POST", path, "{not json")).status).toBe(400);
    expect((await call("POST", path, [LINKAGE])).status).toBe(400);
  });

  it("should page lists with limit and offset, and refuse a limit outside 1..1000", async () => {
    const { call } = await setup();
    for (let i = 0; i < 5; i++)
      await call("POST", "/opportunities/contacts/imports", { ...LINKAGE, name: `d${i}` });
    const page = await call("GET", "/opportunities/contacts/imports?limit=2&offset=3");
    expect(page.body).toMatchObject({ totalResults: 5, limit: 2, offset: 3, count: 2, hasMore: false });
    expect((page.body as { items: { name: string }[] }).items.map((item) => item.name)).toEqual(["d3", "d4"]);
    expect((await call("GET", "/opportunities/contacts/imports?limit=2")).body).toMatchObject({
      count: 2,
      hasMore: true,
    });
    for (const bad of ["limit=0", "limit=1001", "limit=x", "offset=-1"]) {
      expect((await call("GET", `/opportunities/contacts/imports?${bad}`)).status, bad).toBe(400);
    }
  });

  it("should serve both path prefixes, in any case", async () => {
    const { call } = await setup();
    const created = await call("POST", "/opportunities/contacts/imports", LINKAGE, "/API/Bulk/2.0");
    expect(created.status).toBe(201);
    expect((await call("GET", "/Opportunities/Contacts/Imports/1", undefined, "/api/BULK/2.0")).status).toBe(
      200,
    );
    expect((await call("GET", "/opportunities/contacts/imports/1", undefined, "/api/bulk/1.0")).status).toBe(
      404,
    );
  });

  it("should answer 404 to unknown paths and 405 to unknown methods on known paths", async () => {
    const { call } = await setup();
    expect((await call("GET", "/nothing/here")).status).toBe(404);
    expect((await call("PATCH", "/opportunities/contacts/imports")).status).toBe(405);
  });
});
