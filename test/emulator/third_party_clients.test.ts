// What clients generated from Oracle's documents send and expect: optional properties as null, the
// password grant, GET /syncs/{id}/data, and the fields endpoints.
import { afterEach, describe, expect, it } from "vitest";
import { basicAuthorization } from "../../lib/emulator/mod.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const BASIC = basicAuthorization("EmulatorSite", "emulator.user", "emulator-password");
const CLIENT = `Basic ${btoa("emulator-client:emulator-secret")}`;

async function start(): Promise<EmulatorServer> {
  const server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
  servers.push(server);
  return server;
}

async function call(server: EmulatorServer, method: string, path: string, json?: unknown) {
  const response = await fetch(`${server.url}/api/bulk/2.0${path}`, {
    method,
    headers: { authorization: BASIC, "content-type": "application/json" },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  const isJson = (response.headers.get("content-type") ?? "").includes("json");
  return {
    status: response.status,
    body: isJson ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

function passwordGrant(server: EmulatorServer, username: string, password: string) {
  return fetch(`${server.url}/auth/oauth2/token`, {
    method: "POST",
    headers: { authorization: CLIENT, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", scope: "full", username, password }),
  });
}

describe("the emulator with third-party clients", () => {
  it("should take optional properties given as null as absent", async () => {
    const server = await start();
    const definition = await call(server, "POST", "/opportunities/imports", {
      name: "Opportunities",
      fields: { OpportunityID: "{{Opportunity.Id}}" },
      identifierFieldName: null,
      dataRetentionDuration: null,
      isSyncTriggeredOnImport: false,
    });
    expect(definition.status).toBe(201);
    expect(definition.body).not.toHaveProperty("identifierFieldName");
    const sync = await call(server, "POST", "/syncs", {
      syncedInstanceUri: definition.body!.uri,
      callbackUrl: null,
    });
    expect(sync.status).toBe(201);
    expect(sync.body).not.toHaveProperty("callbackUrl");
    // A required property as null is still refused.
    expect(
      (
        await call(server, "POST", "/opportunities/imports", {
          name: null,
          fields: { a: "{{Opportunity.Id}}" },
        })
      ).status,
    ).toBe(400);
  });

  it("should grant tokens for the password grant Oracle documents, and refuse a wrong password", async () => {
    const server = await start();
    const granted = await passwordGrant(server, "EmulatorSite\\emulator.user", "emulator-password");
    expect(granted.status).toBe(200);
    const tokens = (await granted.json()) as {
      access_token: string;
      token_type: string;
      refresh_token: string;
    };
    expect(tokens.token_type).toBe("bearer");
    const listed = await fetch(`${server.url}/api/bulk/2.0/syncs`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(listed.status).toBe(200);
    const wrong = await passwordGrant(server, "EmulatorSite\\emulator.user", "nope");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: "invalid_grant" });
  });

  it("should answer GET /syncs/{id}/data with 400 for an import sync and 404 for an unknown one", async () => {
    const server = await start();
    const definition = await call(server, "POST", "/contacts/imports", {
      name: "Contacts",
      fields: { C_EmailAddress: "{{Contact.Field(C_EmailAddress)}}" },
      identifierFieldName: "C_EmailAddress",
    });
    const sync = await call(server, "POST", "/syncs", { syncedInstanceUri: definition.body!.uri });
    const data = await call(server, "GET", `${sync.body!.uri}/data`);
    expect(data.status).toBe(400);
    expect(data.body).toHaveProperty("failures");
    expect((await call(server, "GET", "/syncs/999/data")).status).toBe(404);
  });

  it("should list fields for each record kind, page them, and answer 404 for unknown ones", async () => {
    const server = await start();
    for (const path of [
      "/opportunities/fields",
      "/contacts/fields",
      "/accounts/fields",
      "/customObjects/1/fields",
    ]) {
      const listed = await call(server, "GET", path);
      expect(listed.status, path).toBe(200);
      const items = listed.body!.items as { uri: string; statement: string }[];
      expect(items.length).toBeGreaterThan(3);
      const one = await call(server, "GET", items[1]!.uri);
      expect(one.body).toEqual(items[1]);
    }
    const paged = await call(server, "GET", "/opportunities/fields?limit=2&offset=1");
    expect(paged.body).toMatchObject({ limit: 2, offset: 1, count: 2, hasMore: true });
    expect((await call(server, "GET", "/customObjects/99/fields")).status).toBe(404);
    expect((await call(server, "GET", "/opportunities/fields/999")).status).toBe(404);
  });

  it("should reject record rows that do not fit their field's type at sync time, and keep the rest", async () => {
    const server = await start();
    const definition = await call(server, "POST", "/opportunities/imports", {
      name: "Opportunities",
      fields: {
        Id: "{{Opportunity.Id}}",
        Amount: "{{Opportunity.Field(Amount)}}",
        Close: "{{Opportunity.Field(CloseDate)}}",
      },
      identifierFieldName: "Id",
    });
    const uri = definition.body!.uri as string;
    await call(server, "POST", `${uri}/data`, [
      { Id: "A", Amount: "10", Close: "2027-01-31" },
      { Id: "B", Amount: "ten", Close: "" },
      { Id: "C", Amount: "", Close: "2027-02-30" },
    ]);
    const sync = await call(server, "POST", "/syncs", { syncedInstanceUri: uri });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rejects = await call(server, "GET", `${sync.body!.uri}/rejects`);
    const items = rejects.body!.items as { statusCode: string; fieldValues: Record<string, string> }[];
    expect(items.map((r) => [r.fieldValues.Id, r.statusCode])).toEqual([
      ["B", "ELQ-00032"],
      ["C", "ELQ-00061"],
    ]);
  });
});
