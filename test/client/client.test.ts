import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  EloquaBulkClient,
  IMPORT_KINDS,
  isEloquaBodyTooLargeError,
  linkageDefinition,
} from "../../lib/client/mod.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";
import { BASE, BULK, empty, FakeTimers, fakeFetch, json } from "./_fakes.ts";
import { BASIC, rejection, setup } from "./_setup.ts";

const LINK = "/opportunities/contacts/imports/7";

describe("EloquaBulkClient discovery", () => {
  const idAnswer = { site: { id: 1, name: "TestSite" }, urls: { base: BASE, apis: {} } };

  it("should ask {loginUrl}/id with the same credentials, once, then call the bulk root", async () => {
    const fetch = fakeFetch((request) =>
      request.path === "/id"
        ? json(idAnswer)
        : json({ uri: "/syncs/1", status: "success", syncedInstanceUri: LINK }),
    );
    const client = new EloquaBulkClient({ auth: BASIC, loginUrl: "https://login.test", fetch });
    await Promise.all([client.getSync("/syncs/1"), client.getSync("/syncs/1"), client.getSync("/syncs/1")]);
    expect(fetch.calls.map((c) => c.url)).toEqual([
      "https://login.test/id",
      `${BASE}${BULK}/syncs/1`,
      `${BASE}${BULK}/syncs/1`,
      `${BASE}${BULK}/syncs/1`,
    ]);
    expect(new Set(fetch.calls.map((c) => c.headers.get("authorization")))).toEqual(
      new Set(["Basic VGVzdFNpdGVcdGVzdC51c2VyOnMzY3JldC1QYTU1d29yZA=="]),
    );
    expect(client.baseUrl).toBe(BASE);
  });

  it("should turn a 200 'Not authenticated.' into a clear auth error", async () => {
    const fetch = fakeFetch(() => json("Not authenticated."));
    const client = new EloquaBulkClient({ auth: BASIC, fetch });
    const error = await rejection(client.resolveBaseUrl());
    expect(error.name).toBe("EloquaAuthError");
    expect(error.code).toBe("ELOQUA_NOT_AUTHENTICATED");
    expect(error.message).toBe(
      'GET /id answered "Not authenticated.": Eloqua did not accept the credentials: check site, user and password',
    );
    expect(fetch.calls[0]?.url).toBe("https://login.eloqua.com/id");
  });

  it("should not cache a failed discovery", async () => {
    let n = 0;
    const fetch = fakeFetch(() => (n++ === 0 ? json("Not authenticated.") : json(idAnswer)));
    const client = new EloquaBulkClient({ auth: BASIC, fetch });
    await rejection(client.resolveBaseUrl());
    await expect(client.resolveBaseUrl()).resolves.toBe(BASE);
  });

  it("should report an answer without urls.base", async () => {
    const fetch = fakeFetch(() => json({ site: {} }));
    const error = await rejection(new EloquaBulkClient({ auth: BASIC, fetch }).resolveBaseUrl());
    expect(error.code).toBe("ELOQUA_UNEXPECTED_RESPONSE");
  });

  it("should skip discovery when baseUrl is given", async () => {
    const { client, fetch } = setup(() => json({ uri: LINK, fields: {} }));
    await client.getImport(LINK);
    expect(fetch.calls.map((c) => c.url)).toEqual([`${BASE}${BULK}${LINK}`]);
  });
});

describe("EloquaBulkClient imports", () => {
  it("should create a linkage definition with the builder's body", async () => {
    const { client, fetch } = setup(() => json({ uri: LINK, fields: {} }, 201));
    const created = await client.createLinkageImport({ autoDeleteDuration: "P1D" });
    expect(created.uri).toBe(LINK);
    const call = fetch.calls[0]!;
    expect(call.method).toBe("POST");
    expect(call.path).toBe(`${BULK}/opportunities/contacts/imports`);
    expect(call.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(call.body)).toEqual(linkageDefinition({ autoDeleteDuration: "P1D" }));
  });

  it("should send isSyncTriggeredOnImport false when a generic definition leaves it out", async () => {
    const { client, fetch } = setup(() => json({ uri: "/contacts/imports/3", fields: {} }, 201));
    await client.createImport(IMPORT_KINDS.contacts, {
      name: "c",
      fields: { E: "{{Contact.Field(C_EmailAddress)}}" },
    });
    expect(JSON.parse(fetch.calls[0]!.body)).toMatchObject({ isSyncTriggeredOnImport: false });
    expect(fetch.calls[0]!.path).toBe(`${BULK}/contacts/imports`);
  });

  it("should list definitions page by page", async () => {
    const { client, fetch } = setup((request) => {
      const offset = Number(new URL(request.url).searchParams.get("offset"));
      const items =
        offset === 0 ? [{ uri: "/a/imports/1" }, { uri: "/a/imports/2" }] : [{ uri: "/a/imports/3" }];
      return json({ items, hasMore: offset === 0, limit: 2, offset, count: items.length, totalResults: 3 });
    });
    const uris: string[] = [];
    for await (const d of client.listImports(IMPORT_KINDS.accounts, { limit: 2 })) uris.push(d.uri);
    expect(uris).toEqual(["/a/imports/1", "/a/imports/2", "/a/imports/3"]);
    expect(fetch.calls.map((c) => c.path)).toEqual([
      `${BULK}/accounts/imports?limit=2&offset=0`,
      `${BULK}/accounts/imports?limit=2&offset=2`,
    ]);
  });

  it("should post bytes as they are and strings as UTF-8, with the content type", async () => {
    const { client, fetch } = setup(() => empty(204));
    await expect(client.postData(LINK, new Uint8Array([91, 93]))).resolves.toBeUndefined();
    await client.postData(LINK, "OpportunityID,EmailAddress\né,x@y.z\n", { contentType: "text/csv" });
    expect(fetch.calls[0]!.path).toBe(`${BULK}${LINK}/data`);
    expect(fetch.calls[0]!.headers.get("content-type")).toBe("application/json");
    expect(fetch.calls[0]!.body).toBe("[]");
    expect(fetch.calls[1]!.headers.get("content-type")).toBe("text/csv");
    expect(fetch.calls[1]!.bytes.byteLength).toBe(36);
  });

  it("should return the sync when a data POST starts one (201)", async () => {
    const sync = { uri: "/syncs/9", status: "pending", syncedInstanceUri: LINK };
    const { client } = setup(() => json(sync, 201));
    await expect(client.postData(LINK, "[]")).resolves.toEqual(sync);
  });

  it("should refuse a body over maxBodyBytes before sending it", async () => {
    const { client, fetch } = setup(() => empty(204), { maxBodyBytes: 10 });
    const error = await rejection(client.postData(LINK, "x".repeat(11)));
    expect(isEloquaBodyTooLargeError(error)).toBe(true);
    expect(error.code).toBe("ELOQUA_BODY_TOO_LARGE");
    expect(fetch.calls).toHaveLength(0);
    await client.postData(LINK, "x".repeat(10));
    expect(fetch.calls).toHaveLength(1);
  });

  it("should delete data and definitions", async () => {
    const { client, fetch } = setup(() => empty(204));
    await client.deleteData(LINK);
    await client.deleteImport(LINK);
    expect(fetch.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `DELETE ${BULK}${LINK}/data`,
      `DELETE ${BULK}${LINK}`,
    ]);
  });

  it("should count a 404 after a lost answer to a definition DELETE as done, but not a first 404", async () => {
    const lost = setup((_, i) => (i === 0 ? Promise.reject(new TypeError("fetch failed")) : empty(404)));
    await expect(lost.client.deleteImport(LINK)).resolves.toBeUndefined();
    expect(lost.fetch.calls).toHaveLength(2);
    const missing = setup(() => empty(404));
    expect(await rejection(missing.client.deleteImport(LINK))).toMatchObject({ code: "ELOQUA_NOT_FOUND" });
  });

  it("should refuse URIs that could leave the bulk root", async () => {
    const { client, fetch } = setup(() => empty(204));
    for (const uri of ["https://evil.test/x", "//evil.test/x", "/a/../b", "/syncs/1?x=1", "", "syncs/1"]) {
      const error = await rejection(client.postData(uri, "[]"));
      expect(error).toBeInstanceOf(TypeError);
    }
    expect(fetch.calls).toHaveLength(0);
  });
});

describe("EloquaBulkClient options", () => {
  it("should name the option and the value of a bad option", () => {
    expect(() => new EloquaBulkClient({ auth: BASIC, timeoutMs: 0 })).toThrow(
      "Cannot construct EloquaBulkClient as timeoutMs must be an integer from 1 to 2147483647: current value is 0",
    );
    expect(() => new EloquaBulkClient({ auth: BASIC, maxBodyBytes: 40_000_000 })).toThrow(
      "Cannot construct EloquaBulkClient as maxBodyBytes must be an integer from 1 to 32000000: current value is 40000000",
    );
    for (const options of [
      { baseUrl: "ftp://x" },
      { baseUrl: "https://user:pw@x.test" },
      { loginUrl: "not a url" },
      { fetch: "fetch" },
      { timers: {} },
      { dataTimeoutMs: 1.5 },
      { onRetry: 1 },
    ]) {
      let caught: unknown;
      try {
        new EloquaBulkClient({ auth: BASIC, ...(options as object) });
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught), JSON.stringify(options)).toBe(true);
    }
  });

  it("should show only the base URL and auth kind when serialised or inspected", async () => {
    const { client } = setup(() => empty(204));
    expect(JSON.stringify(client)).toBe(`{"baseUrl":"${BASE}","auth":"basic"}`);
    expect(inspect(client)).toBe(`EloquaBulkClient { baseUrl: "${BASE}", auth: "basic" }`);
    expect(Object.keys(client)).toEqual([]);
    expect(client.authKind).toBe("basic");
    expect(new FakeTimers().now()).toBeGreaterThan(0);
  });
});
