import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OAuthTokens, TokenProvider } from "../../lib/client/mod.ts";
import {
  EloquaBulkClient,
  isEloquaAuthError,
  isEloquaHttpError,
  OAuthTokenProvider,
} from "../../lib/client/mod.ts";
import type { RecordedRequest } from "./_fakes.ts";
import { BASE, empty, FakeTimers, fakeFetch, json } from "./_fakes.ts";
import { HANG, rejection } from "./_setup.ts";

const SYNC = { uri: "/syncs/1", status: "success", syncedInstanceUri: "/opportunities/contacts/imports/1" };
const TOKEN_PATH = "/auth/oauth2/token";

/** A fake Eloqua: token endpoint rotating tokens, API accepting only the current access token. */
function eloqua(options: { rejectRefresh?: boolean; alwaysUnauthorized?: boolean } = {}) {
  let generation = 1;
  const tokenCalls: RecordedRequest[] = [];
  const fetch = fakeFetch((request) => {
    if (request.path === TOKEN_PATH) {
      tokenCalls.push(request);
      if (options.rejectRefresh) return json({ error: "invalid_grant" }, 400);
      generation++;
      return json({
        access_token: `access-${generation}`,
        token_type: "bearer",
        expires_in: 28800,
        refresh_token: `refresh-${generation}`,
      });
    }
    const ok =
      !options.alwaysUnauthorized && request.headers.get("authorization") === `Bearer access-${generation}`;
    return ok ? json(SYNC) : empty(401);
  });
  return { fetch, tokenCalls };
}

function oauthClient(fetch: ReturnType<typeof eloqua>["fetch"], extra: Record<string, unknown> = {}) {
  const seen: OAuthTokens[] = [];
  const timers = new FakeTimers();
  const client = new EloquaBulkClient({
    auth: {
      type: "oauth",
      clientId: "client-id",
      clientSecret: "client-secret-xyz",
      refreshToken: "refresh-1",
      accessToken: "access-1",
      redirectUri: "https://app.test/cb",
      onTokens: (tokens) => {
        seen.push(tokens);
      },
      ...extra,
    },
    baseUrl: BASE,
    loginUrl: "https://login.test",
    fetch,
    timers,
    timeoutMs: HANG,
  });
  return { client, seen, timers };
}

describe("OAuth", () => {
  it("should use the access token while Eloqua accepts it", async () => {
    const { fetch, tokenCalls } = eloqua();
    const { client } = oauthClient(fetch);
    await client.getSync("/syncs/1");
    expect(tokenCalls).toHaveLength(0);
    expect(fetch.calls[0]!.headers.get("authorization")).toBe("Bearer access-1");
    expect(client.authKind).toBe("oauth");
  });

  it("should refresh once after a 401, retry, and hand out the rotated tokens", async () => {
    const { fetch, tokenCalls } = eloqua();
    const { client, seen, timers } = oauthClient(fetch);
    fetch.calls.length = 0;
    // The server moved on to generation 2 behind the client's back.
    await fetch(new Request("https://login.test/auth/oauth2/token", { method: "POST" }));
    tokenCalls.length = 0;
    await expect(client.getSync("/syncs/1")).resolves.toEqual(SYNC);
    expect(tokenCalls).toHaveLength(1);
    const call = tokenCalls[0]!;
    expect(call.url).toBe("https://login.test/auth/oauth2/token");
    expect(call.headers.get("authorization")).toBe(`Basic ${btoa("client-id:client-secret-xyz")}`);
    expect(call.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(call.body)).toEqual({
      grant_type: "refresh_token",
      refresh_token: "refresh-1",
      redirect_uri: "https://app.test/cb",
      scope: "full",
    });
    expect(seen).toEqual([
      { accessToken: "access-3", refreshToken: "refresh-3", expiresAt: timers.now() + 28_800_000 },
    ]);
    expect(client.tokens).toEqual(seen[0]);
  });

  it("should share one refresh between concurrent 401s", async () => {
    const { fetch, tokenCalls } = eloqua();
    const { client } = oauthClient(fetch, { accessToken: "stale" });
    const results = await Promise.all(Array.from({ length: 8 }, () => client.getSync("/syncs/1")));
    expect(results).toHaveLength(8);
    expect(tokenCalls).toHaveLength(1);
  });

  it("should refresh exactly once and succeed everywhere, whatever the order of the answers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 6 }), async (s, n) => {
        const { fetch, tokenCalls } = eloqua();
        const scheduled = Object.assign(
          (input: Request | URL | string, init?: RequestInit) => s.schedule(fetch(input, init)),
          { calls: fetch.calls },
        );
        const { client } = oauthClient(scheduled as typeof fetch, { accessToken: "stale" });
        const all = Promise.all(Array.from({ length: n }, () => client.getSync("/syncs/1")));
        const results = await s.waitFor(all);
        return results.length === n && tokenCalls.length === 1;
      }),
      { numRuns: 50 },
    );
  });

  it("should fail with an auth error when the new token is refused too", async () => {
    const { fetch, tokenCalls } = eloqua({ alwaysUnauthorized: true });
    const { client } = oauthClient(fetch);
    const error = await rejection(client.getSync("/syncs/1"));
    expect(isEloquaAuthError(error)).toBe(true);
    expect(error.code).toBe("ELOQUA_UNAUTHORIZED");
    expect(error.status).toBe(401);
    expect(error.message).toContain("even after refreshing it");
    expect(tokenCalls).toHaveLength(1);
  });

  it("should explain a refused refresh token, keeping the token endpoint's error as cause", async () => {
    const { fetch } = eloqua({ rejectRefresh: true });
    const { client } = oauthClient(fetch, { accessToken: "stale" });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(error.code).toBe("ELOQUA_TOKEN_REFRESH_FAILED");
    expect(error.message).toContain("refresh tokens rotate on every use");
    expect(isEloquaHttpError(error.cause)).toBe(true);
    expect((error.cause as { status: number }).status).toBe(400);
    expect((error.cause as Error).message).toContain("invalid_grant");
  });

  it("should get an access token first when none is given", async () => {
    const { fetch, tokenCalls } = eloqua();
    const { client } = oauthClient(fetch, { accessToken: undefined });
    await client.getSync("/syncs/1");
    expect(tokenCalls).toHaveLength(1);
    expect(fetch.calls.map((c) => c.path)).toEqual([TOKEN_PATH, "/api/bulk/2.0/syncs/1"]);
  });

  it("should refresh before use when the token expires within the margin", async () => {
    const { fetch, tokenCalls } = eloqua();
    const timers = new FakeTimers();
    const provider = new OAuthTokenProvider({
      clientId: "c",
      clientSecret: "s3cr3t",
      refreshToken: "refresh-1",
      accessToken: "access-1",
      expiresAt: timers.now() + 30_000,
      fetch,
      timers,
      timeoutMs: HANG,
      tokenUrl: "https://login.test/auth/oauth2/token",
    });
    await expect(provider.getToken()).resolves.toBe("access-2");
    await expect(provider.getToken()).resolves.toBe("access-2");
    expect(tokenCalls).toHaveLength(1);
  });

  it("should send a form body when asked", async () => {
    const { fetch, tokenCalls } = eloqua();
    const provider = new OAuthTokenProvider({
      clientId: "c",
      clientSecret: "s3cr3t",
      refreshToken: "refresh-1",
      bodyFormat: "form",
      fetch,
      timers: new FakeTimers(),
      timeoutMs: HANG,
    });
    await provider.refresh();
    expect(tokenCalls[0]!.url).toBe("https://login.eloqua.com/auth/oauth2/token");
    expect(tokenCalls[0]!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(tokenCalls[0]!.body).toBe("grant_type=refresh_token&refresh_token=refresh-1&scope=full");
  });

  it("should retry the token endpoint's 503 and then succeed", async () => {
    let n = 0;
    const fetch = fakeFetch(() =>
      n++ === 0 ? empty(503) : json({ access_token: "a2", refresh_token: "r2", expires_in: 10 }),
    );
    const provider = new OAuthTokenProvider({
      clientId: "c",
      clientSecret: "s3cr3t",
      refreshToken: "r1",
      fetch,
      timers: new FakeTimers(),
      timeoutMs: HANG,
    });
    await expect(provider.refresh()).resolves.toBe("a2");
    expect(provider.tokens.refreshToken).toBe("r2");
  });

  it("should show only the token URL when serialised or inspected", async () => {
    const { inspect } = await import("node:util");
    const provider = new OAuthTokenProvider({ clientId: "c", clientSecret: "s3cr3t", refreshToken: "r1" });
    expect(JSON.stringify(provider)).toBe(
      '{"kind":"oauth","tokenUrl":"https://login.eloqua.com/auth/oauth2/token"}',
    );
    expect(inspect(provider)).toBe(
      'OAuthTokenProvider { tokenUrl: "https://login.eloqua.com/auth/oauth2/token" }',
    );
  });
});

describe("token providers", () => {
  it("should call a provider's refresh once for concurrent 401s even if it does not dedupe", async () => {
    let current = "t1";
    let refreshes = 0;
    const provider: TokenProvider = {
      getToken: () => Promise.resolve(current),
      refresh: async () => {
        refreshes++;
        for (let i = 0; i < 10; i++) await Promise.resolve();
        current = `t${refreshes + 1}`;
        return current;
      },
    };
    const fetch = fakeFetch((request) =>
      request.headers.get("authorization") === "Bearer t2" ? json(SYNC) : empty(401),
    );
    const client = new EloquaBulkClient({
      auth: { type: "provider", provider },
      baseUrl: BASE,
      fetch,
      timers: new FakeTimers(),
      timeoutMs: HANG,
    });
    await Promise.all(Array.from({ length: 5 }, () => client.getSync("/syncs/1")));
    expect(refreshes).toBe(1);
  });

  it("should fail at once on a 401 with a fixed bearer token", async () => {
    const fetch = fakeFetch(() => empty(401));
    const client = new EloquaBulkClient({
      auth: { type: "bearer", token: "fixed-token" },
      baseUrl: BASE,
      fetch,
      timers: new FakeTimers(),
      timeoutMs: HANG,
    });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(error.code).toBe("ELOQUA_UNAUTHORIZED");
    expect(error.message).toContain("they last 8 hours");
    expect(fetch.calls).toHaveLength(1);
  });
});
