// The transport seam's body hook: the client tells a transport which bytes each Request was built from
// (requestBodySource), and for a transport that declares it sends them (sendsBodySource) builds data
// POSTs' Requests around a stream of those bytes instead of a copy. Portable: runs on every runtime.
import { describe, expect, it } from "vitest";
import type { FetchLike } from "../../lib/client/mod.ts";
import { EloquaBulkClient, requestBodySource } from "../../lib/client/mod.ts";
import { BASIC } from "./_setup.ts";

const BASE = "https://secure.p01.eloqua.com";
const LINK = "/opportunities/contacts/imports/7";

interface Seen {
  request: Request;
  source: Uint8Array | string | undefined;
  /** The Request's own body, read after the source was looked up. */
  body: Uint8Array;
}

/** A transport recording what it is handed, answering 503 for the first `failures` calls, then `answer`. */
function recording(sendsBodySource: boolean, failures = 0, answer = 204) {
  const seen: Seen[] = [];
  const fetch = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const source = requestBodySource(request);
    const body = request.body === null ? new Uint8Array(0) : new Uint8Array(await request.arrayBuffer());
    seen.push({ request, source, body });
    const status = seen.length <= failures ? 503 : answer;
    return status === 204 ? new Response(null, { status }) : Response.json({ uri: "/x" }, { status });
  };
  const transport: FetchLike = sendsBodySource
    ? Object.assign(fetch, { sendsBodySource: true as const })
    : fetch;
  return { transport, seen };
}

const clientOn = (fetch: FetchLike) =>
  new EloquaBulkClient({ auth: BASIC, baseUrl: BASE, fetch, retry: { baseDelayMs: 1, jitter: "none" } });

describe("requestBodySource", () => {
  it("should give the transport the very bytes of a data POST, with the Request holding the same bytes", async () => {
    const { transport, seen } = recording(false);
    const bytes = new TextEncoder().encode('[{"OpportunityID":"1","EmailAddress":"a@b.c"}]');
    await clientOn(transport).postData(LINK, bytes);
    expect(seen[0]!.source).toBe(bytes);
    expect(seen[0]!.body).toEqual(bytes);
  });

  it("should give the JSON text of a control call, and nothing for a GET or a streamed body", async () => {
    const { transport, seen } = recording(false, 0, 201);
    const client = clientOn(transport);
    await client.createLinkageImport({ name: "n" });
    expect(typeof seen[0]!.source).toBe("string");
    expect(JSON.parse(seen[0]!.source as string)).toMatchObject({ name: "n" });
    expect(new TextDecoder().decode(seen[0]!.body)).toBe(seen[0]!.source);
    await client.getImport(LINK);
    expect(seen[1]!.source).toBeUndefined();
    const stream = new Blob(["[]"]).stream();
    const streamed = recording(false);
    await clientOn(streamed.transport).postData(LINK, stream);
    expect(streamed.seen[0]!.source).toBeUndefined();
    expect(new TextDecoder().decode(streamed.seen[0]!.body)).toBe("[]");
  });

  it("should be undefined for a Request the client did not build", () => {
    expect(requestBodySource(new Request(BASE, { method: "POST", body: "x" }))).toBeUndefined();
  });
});

describe("a transport that sends body sources", () => {
  it("should get the bytes as the source, and a Request whose stream yields the same bytes", async () => {
    const { transport, seen } = recording(true);
    const bytes = new TextEncoder().encode('[{"OpportunityID":"1","EmailAddress":"a@b.c"}]');
    await clientOn(transport).postData(LINK, bytes);
    expect(seen[0]!.source).toBe(bytes);
    expect(seen[0]!.body).toEqual(bytes);
    expect(seen[0]!.request.headers.get("content-type")).toBe("application/json");
  });

  it("should build a fresh Request, with the same source, for every attempt", async () => {
    const { transport, seen } = recording(true, 2);
    const bytes = new TextEncoder().encode("[1]");
    await clientOn(transport).postData(LINK, bytes);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.request)).size).toBe(3);
    for (const attempt of seen) {
      expect(attempt.source).toBe(bytes);
      expect(attempt.body).toEqual(bytes);
    }
  });

  it("should leave strings and streams as they are", async () => {
    const { transport, seen } = recording(true);
    const client = clientOn(transport);
    await client.postData(LINK, "[2]");
    // postData encodes a string to bytes first: those bytes are the source.
    expect(new TextDecoder().decode(seen[0]!.source as Uint8Array)).toBe("[2]");
    await client.postData(LINK, new Blob(["[3]"]).stream());
    expect(seen[1]!.source).toBeUndefined();
    expect(new TextDecoder().decode(seen[1]!.body)).toBe("[3]");
  });
});
