import { afterEach, describe, expect, it } from "vitest";
import { basicAuthorization, ManualClock } from "../../lib/emulator/mod.ts";
import type { EmulatorServer, EmulatorServerOptions } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

const servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const server = await startEmulatorServer(options);
  servers.push(server);
  return server;
}

const BASIC = basicAuthorization("EmulatorSite", "emulator.user", "emulator-password");
const CLIENT = `Basic ${btoa("emulator-client:emulator-secret")}`;

function listDefinitions(server: EmulatorServer, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return fetch(`${server.url}/api/bulk/2.0/opportunities/contacts/imports`, { headers });
}

function refresh(server: EmulatorServer, refreshToken: string, authorization = CLIENT): Promise<Response> {
  return fetch(`${server.url}/auth/oauth2/token`, {
    method: "POST",
    headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      redirect_uri: "https://example.com/callback",
      scope: "full",
    }),
  });
}

describe("emulator auth", () => {
  it("should accept Basic auth with the site, user and password, in any case for site and user", async () => {
    const server = await start();
    expect((await listDefinitions(server, BASIC)).status).toBe(200);
    expect(
      (
        await listDefinitions(
          server,
          basicAuthorization("emulatorsite", "EMULATOR.USER", "emulator-password"),
        )
      ).status,
    ).toBe(200);
  });

  it("should answer 401 to a wrong password, a wrong site, a wrong token and no credentials", async () => {
    const server = await start();
    expect(
      (await listDefinitions(server, basicAuthorization("EmulatorSite", "emulator.user", "nope"))).status,
    ).toBe(401);
    expect(
      (await listDefinitions(server, basicAuthorization("OtherSite", "emulator.user", "emulator-password")))
        .status,
    ).toBe(401);
    expect((await listDefinitions(server, "Bearer wrong-token")).status).toBe(401);
    expect((await listDefinitions(server)).status).toBe(401);
  });

  it("should accept the static Bearer token and custom credentials", async () => {
    const server = await start({ credentials: { token: "t-1", site: "Acme", user: "u", password: "p" } });
    expect((await listDefinitions(server, "Bearer t-1")).status).toBe(200);
    expect((await listDefinitions(server, basicAuthorization("Acme", "u", "p"))).status).toBe(200);
    expect((await listDefinitions(server, BASIC)).status).toBe(401);
    expect(server.emulator.credentials.site).toBe("Acme");
  });

  it("should describe the caller at /id with the emulator's own URLs", async () => {
    const server = await start();
    const response = await fetch(`${server.url}/id`, { headers: { authorization: BASIC } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      site: { id: expect.any(Number), name: "EmulatorSite" },
      user: { username: "emulator.user", displayName: expect.any(String), emailAddress: expect.any(String) },
      urls: {
        base: server.url,
        apis: {
          rest: { standard: `${server.url}/API/REST/{version}/`, bulk: `${server.url}/API/Bulk/{version}/` },
        },
      },
    });
  });

  it('should answer /id with 200 and "Not authenticated." on bad or missing credentials', async () => {
    const server = await start();
    for (const headers of [{ authorization: "Bearer nope" }, {}]) {
      const response = await fetch(`${server.url}/id`, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toBe("Not authenticated.");
    }
  });

  it("should rotate refresh tokens: a used one answers 401, the new one works once", async () => {
    const server = await start();
    const first = await refresh(server, "emulator-refresh-1");
    expect(first.status).toBe(200);
    const grant = await first.json();
    expect(grant).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 28800,
      refresh_token: expect.any(String),
    });
    expect(grant.refresh_token).not.toBe("emulator-refresh-1");
    expect((await refresh(server, "emulator-refresh-1")).status).toBe(401);
    expect(server.emulator.refreshTokens()).toEqual([grant.refresh_token]);
    expect((await listDefinitions(server, `Bearer ${grant.access_token}`)).status).toBe(200);
    const second = await refresh(server, grant.refresh_token);
    expect(second.status).toBe(200);
    expect((await refresh(server, grant.refresh_token)).status).toBe(401);
  });

  it("should accept a JSON token request and the authorization code grant (once)", async () => {
    const server = await start();
    const byJson = await fetch(`${server.url}/auth/oauth2/token`, {
      method: "POST",
      headers: { authorization: CLIENT, "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: "emulator-refresh-1",
        scope: "full",
      }),
    });
    expect(byJson.status).toBe(200);
    const code = () =>
      fetch(`${server.url}/auth/oauth2/token`, {
        method: "POST",
        headers: { authorization: CLIENT, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=authorization_code&code=emulator-code&redirect_uri=https%3A%2F%2Fexample.com",
      });
    expect((await code()).status).toBe(200);
    expect((await code()).status).toBe(401);
  });

  it("should refuse a wrong client secret with 401 and an unknown grant type with 400", async () => {
    const server = await start();
    const badClient = await refresh(server, "emulator-refresh-1", `Basic ${btoa("emulator-client:wrong")}`);
    expect(badClient.status).toBe(401);
    expect(await badClient.json()).toEqual({ error: "invalid_client" });
    const badGrant = await fetch(`${server.url}/auth/oauth2/token`, {
      method: "POST",
      headers: { authorization: CLIENT, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=password",
    });
    expect(badGrant.status).toBe(400);
    // The refused client did not burn the refresh token.
    expect((await refresh(server, "emulator-refresh-1")).status).toBe(200);
  });

  it("should answer 401 once an issued access token outlives its lifetime", async () => {
    const clock = new ManualClock();
    const server = await start({ now: clock.now, accessTokenLifetimeSeconds: 60 });
    const grant = await (await refresh(server, "emulator-refresh-1")).json();
    clock.advance(59_999);
    expect((await listDefinitions(server, `Bearer ${grant.access_token}`)).status).toBe(200);
    clock.advance(1);
    expect((await listDefinitions(server, `Bearer ${grant.access_token}`)).status).toBe(401);
  });

  it("should let a test expire every access token so a client's refresh-on-401 can be exercised", async () => {
    const server = await start();
    const grant = await (await refresh(server, "emulator-refresh-1")).json();
    server.emulator.expireAccessTokens();
    expect((await listDefinitions(server, `Bearer ${grant.access_token}`)).status).toBe(401);
    expect((await listDefinitions(server, "Bearer emulator-token")).status).toBe(401);
    expect((await listDefinitions(server, BASIC)).status).toBe(200);
    const renewed = await (await refresh(server, grant.refresh_token)).json();
    expect((await listDefinitions(server, `Bearer ${renewed.access_token}`)).status).toBe(200);
  });

  it("should let a test revoke refresh tokens", async () => {
    const server = await start();
    server.emulator.revokeRefreshTokens();
    expect((await refresh(server, "emulator-refresh-1")).status).toBe(401);
  });
});
