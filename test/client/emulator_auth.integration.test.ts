import { afterEach, describe, expect, it } from "vitest";
import type { OAuthTokens } from "../../lib/client/mod.ts";
import { base64Utf8 } from "../../lib/client/mod.ts";
import type { Harness } from "./_emulator.ts";
import { EMULATOR_BASIC, harness } from "./_emulator.ts";
import { serialise } from "./_fakes.ts";
import { rejection } from "./_setup.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.server.close();
  h = undefined;
});

const OAUTH = { type: "oauth", clientId: "emulator-client", clientSecret: "emulator-secret" } as const;

describe("auth against the emulator", () => {
  it("should discover the base URL with Basic auth and use it", async () => {
    h = await harness();
    const client = h.client();
    await expect(client.resolveBaseUrl()).resolves.toBe(h.server.url);
    const definition = await client.createLinkageImport();
    expect(definition.uri).toMatch(/^\/opportunities\/contacts\/imports\/\d+$/);
    expect(h.calls("id")).toBe(1);
  });

  it("should report wrong Basic credentials at discovery", async () => {
    h = await harness();
    const error = await rejection(
      h.client({ auth: { ...EMULATOR_BASIC, password: "wrong-password" } }).resolveBaseUrl(),
    );
    expect(error).toMatchObject({ name: "EloquaAuthError", code: "ELOQUA_NOT_AUTHENTICATED" });
    expect(error.message).toContain("Eloqua did not accept the credentials: check site, user and password");
  });

  it("should report wrong Basic credentials on an API call as 401", async () => {
    h = await harness();
    const client = h.client({
      auth: { ...EMULATOR_BASIC, password: "wrong-password" },
      baseUrl: h.server.url,
    });
    const error = await rejection(client.getSync("/syncs/1"));
    expect(error).toMatchObject({
      code: "ELOQUA_UNAUTHORIZED",
      status: 401,
      method: "GET",
      path: "/api/bulk/2.0/syncs/1",
    });
  });

  it("should use a bearer token until it expires", async () => {
    h = await harness();
    const client = h.client({ auth: { type: "bearer", token: "emulator-token" } });
    await client.createLinkageImport();
    h.server.emulator.expireAccessTokens();
    const error = await rejection(client.createLinkageImport());
    expect(error).toMatchObject({ code: "ELOQUA_UNAUTHORIZED", retryable: false });
  });

  for (const bodyFormat of ["json", "form"] as const) {
    it(`should get, refresh and rotate OAuth tokens (${bodyFormat} body)`, async () => {
      h = await harness();
      const seen: OAuthTokens[] = [];
      const client = h.client({
        auth: {
          ...OAUTH,
          refreshToken: "emulator-refresh-1",
          bodyFormat,
          onTokens: (t) => void seen.push(t),
        },
      });
      await client.createLinkageImport();
      expect(seen).toHaveLength(1);
      expect(h.server.emulator.refreshTokens()).toEqual([seen[0]!.refreshToken]);
      h.server.emulator.expireAccessTokens();
      await client.createLinkageImport();
      expect(seen).toHaveLength(2);
      expect(seen[1]!.refreshToken).not.toBe(seen[0]!.refreshToken);
      expect(client.tokens).toEqual(seen[1]);
      expect(h.server.emulator.refreshTokens()).toEqual([seen[1]!.refreshToken]);
      expect(h.calls("token")).toBe(2);
    });
  }

  it("should refresh once for many concurrent 401s", async () => {
    h = await harness();
    const client = h.client({ auth: { ...OAUTH, refreshToken: "emulator-refresh-1" } });
    const definition = await client.createLinkageImport();
    h.server.emulator.expireAccessTokens();
    await Promise.all(Array.from({ length: 10 }, () => client.getImport(definition.uri)));
    expect(h.calls("token")).toBe(2);
  });

  it("should fail clearly when the refresh token is revoked", async () => {
    h = await harness();
    const client = h.client({
      auth: { ...OAUTH, refreshToken: "emulator-refresh-1", accessToken: "emulator-token" },
    });
    h.server.emulator.revokeRefreshTokens();
    h.server.emulator.expireAccessTokens();
    const error = await rejection(client.createLinkageImport());
    expect(error).toMatchObject({ code: "ELOQUA_TOKEN_REFRESH_FAILED", status: 401 });
    expect((error.cause as { code?: string }).code).toBe("ELOQUA_UNAUTHORIZED");
  });
});

describe("credential redaction over HTTP", () => {
  const secrets = [
    "emulator-password",
    "wrong-password",
    "emulator-token",
    "emulator-secret",
    "emulator-refresh-1",
    base64Utf8("EmulatorSite\\emulator.user:emulator-password"),
    base64Utf8("EmulatorSite\\emulator.user:wrong-password"),
    base64Utf8("emulator-client:emulator-secret"),
  ];

  async function expectClean(error: unknown): Promise<void> {
    expect(error).toBeInstanceOf(Error);
    const text = await serialise(error);
    for (const secret of secrets) expect(text, secret).not.toContain(secret);
  }

  it("should keep credentials out of every error the emulator can provoke", async () => {
    h = await harness();
    const url = h.server.url;
    const wrong = { ...EMULATOR_BASIC, password: "wrong-password" };
    await expectClean(await rejection(h.client({ auth: wrong }).resolveBaseUrl()));
    await expectClean(await rejection(h.client({ auth: wrong, baseUrl: url }).getSync("/syncs/1")));
    await expectClean(await rejection(h.client().getImport("/opportunities/contacts/imports/999")));
    h.server.emulator.setFaults([{ route: "sync.get", action: { status: 503 } }]);
    await expectClean(await rejection(h.client({ retry: { attempts: 2 } }).getSync("/syncs/1")));
    h.server.emulator.setFaults([{ route: "sync.get", action: "reset" }]);
    await expectClean(await rejection(h.client({ retry: { attempts: 2 } }).getSync("/syncs/1")));
    h.server.emulator.setFaults([{ route: "sync.get", action: { delayMs: 1500 } }]);
    await expectClean(
      await rejection(h.client({ timeoutMs: 5, retry: { attempts: 1 } }).getSync("/syncs/1")),
    );
    h.server.emulator.setFaults([]);
    h.server.emulator.revokeRefreshTokens();
    const oauth = { ...OAUTH, refreshToken: "emulator-refresh-1" };
    await expectClean(await rejection(h.client({ auth: oauth }).getSync("/syncs/1")));
    await h.server.close();
    await expectClean(
      await rejection(h.client({ baseUrl: url, retry: { attempts: 2 } }).getSync("/syncs/1")),
    );
  });
});
