// Credentials never appear in errors or in the client's serialised forms,
// whatever the failure. Each case provokes one error path and greps
// everything the error exposes when logged or serialised.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { EloquaAuth } from "../../lib/client/mod.ts";
import { base64Utf8, EloquaBulkClient, OAuthTokenProvider } from "../../lib/client/mod.ts";
import type { RecordedRequest } from "./_fakes.ts";
import { BASE, empty, FakeTimers, fakeFetch, json, never, serialise } from "./_fakes.ts";
import { rejection } from "./_setup.ts";

const PASSWORD = "pw-Tr0ub4dor&3-zz";
const TOKEN = "bearer-tok-123456";
const ACCESS = "access-tok-abcdef";
const NEW_ACCESS = "access-tok-ghijkl";
const REFRESH = "refresh-tok-987654";
const NEW_REFRESH = "refresh-tok-rotated";
const CLIENT_SECRET = "client-secret-qwerty";

const SECRETS = [
  PASSWORD,
  TOKEN,
  ACCESS,
  NEW_ACCESS,
  REFRESH,
  NEW_REFRESH,
  CLIENT_SECRET,
  base64Utf8(`Site\\user:${PASSWORD}`),
  base64Utf8(`client-id:${CLIENT_SECRET}`),
];

const BASIC: EloquaAuth = { type: "basic", site: "Site", user: "user", password: PASSWORD };
const OAUTH: EloquaAuth = {
  type: "oauth",
  clientId: "client-id",
  clientSecret: CLIENT_SECRET,
  refreshToken: REFRESH,
  accessToken: ACCESS,
};

/** A server that echoes every header and the body back, the worst case for leaks. */
function echo(request: RecordedRequest): string {
  return `${[...request.headers].map(([k, v]) => `${k}: ${v}`).join("; ")} | ${request.body}`;
}

function client(
  auth: EloquaAuth,
  handler: (r: RecordedRequest, i: number) => Response | Promise<Response>,
  extra = {},
) {
  return new EloquaBulkClient({
    auth,
    baseUrl: BASE,
    loginUrl: "https://login.test",
    fetch: fakeFetch(handler),
    timers: new FakeTimers(),
    timeoutMs: 10_000_000,
    dataTimeoutMs: 10_000_000,
    retry: { attempts: 2 },
    ...extra,
  });
}

async function expectClean(error: unknown): Promise<void> {
  expect(error).toBeInstanceOf(Error);
  const text = await serialise(error);
  for (const secret of SECRETS) expect(text, `leaked ${secret}`).not.toContain(secret);
}

const LINK = "/opportunities/contacts/imports/1";

describe("credential redaction", () => {
  it("should keep secrets out of a 401 with Basic auth", async () => {
    const c = client(BASIC, (r) => new Response(echo(r), { status: 401 }));
    await expectClean(await rejection(c.getSync("/syncs/1")));
  });

  it("should keep secrets out of a 4xx whose body echoes the request", async () => {
    const c = client(BASIC, (r) =>
      json({ failures: [{ field: "auth", value: echo(r), constraint: echo(r) }] }, 400),
    );
    const error = await rejection(c.postData(LINK, `[{"x":"${PASSWORD}"}]`));
    expect(error.message).toContain("[redacted]");
    await expectClean(error);
  });

  it("should keep secrets out of a 5xx after retries", async () => {
    const c = client(BASIC, (r) => new Response(echo(r), { status: 503 }));
    await expectClean(await rejection(c.postData(LINK, "[]")));
  });

  it("should keep secrets out of network errors, even a transport's that quotes the header", async () => {
    const plain = client(BASIC, () =>
      Promise.reject(new TypeError("fetch failed", { cause: new Error("ECONNRESET") })),
    );
    await expectClean(await rejection(plain.getSync("/syncs/1")));
    const leaky = client(BASIC, (r) =>
      Promise.reject(new Error(`socket hang up sending ${echo(r)}`, { cause: new Error(echo(r)) })),
    );
    const error = await rejection(leaky.getSync("/syncs/1"));
    expect(error.code).toBe("ELOQUA_NETWORK_ERROR");
    await expectClean(error);
  });

  it("should keep secrets out of timeouts", async () => {
    const c = client(BASIC, () => never(), { timeoutMs: 5 });
    await expectClean(await rejection(c.getSync("/syncs/1")));
  });

  it("should keep secrets out of discovery's 'Not authenticated.'", async () => {
    const c = new EloquaBulkClient({
      auth: BASIC,
      loginUrl: "https://login.test",
      fetch: fakeFetch(() => json("Not authenticated.")),
      timers: new FakeTimers(),
      timeoutMs: 10_000_000,
    });
    await expectClean(await rejection(c.resolveBaseUrl()));
  });

  it("should keep secrets out of a bearer token's 401", async () => {
    const c = client({ type: "bearer", token: TOKEN }, (r) => new Response(echo(r), { status: 401 }));
    await expectClean(await rejection(c.getSync("/syncs/1")));
  });

  it("should keep secrets out of token endpoint failures", async () => {
    const refused = client(OAUTH, (r) =>
      r.path.endsWith("/token")
        ? json({ error: "invalid_grant", error_description: echo(r) }, 400)
        : new Response(echo(r), { status: 401 }),
    );
    const error = await rejection(refused.getSync("/syncs/1"));
    expect(error.code).toBe("ELOQUA_TOKEN_REFRESH_FAILED");
    await expectClean(error);
    const down = client(OAUTH, (r) =>
      r.path.endsWith("/token") ? new Response(echo(r), { status: 503 }) : empty(401),
    );
    await expectClean(await rejection(down.getSync("/syncs/1")));
  });

  it("should keep old and new tokens out of a 401 after a refresh", async () => {
    const c = client(OAUTH, (r) =>
      r.path.endsWith("/token")
        ? json({
            access_token: NEW_ACCESS,
            refresh_token: NEW_REFRESH,
            expires_in: 28800,
            token_type: "bearer",
          })
        : new Response(echo(r), { status: 401 }),
    );
    const error = await rejection(c.getSync("/syncs/1"));
    expect(error.code).toBe("ELOQUA_UNAUTHORIZED");
    await expectClean(error);
    expect(c.tokens?.refreshToken).toBe(NEW_REFRESH);
  });

  it("should show no secret when a client or provider is serialised or inspected", () => {
    for (const auth of [BASIC, OAUTH, { type: "bearer", token: TOKEN } as const]) {
      const c = client(auth, () => empty(204));
      const text = [
        JSON.stringify(c),
        inspect(c, { showHidden: true, depth: 10 }),
        String(c),
        JSON.stringify({ c }),
      ].join("\n");
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    const provider = new OAuthTokenProvider({
      clientId: "client-id",
      clientSecret: CLIENT_SECRET,
      refreshToken: REFRESH,
    });
    const text = [
      JSON.stringify(provider),
      inspect(provider, { showHidden: true, depth: 10 }),
      String(provider),
    ].join("\n");
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
