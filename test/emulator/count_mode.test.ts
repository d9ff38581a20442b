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
  name: "Link",
  fields: {
    OpportunityID: "{{Opportunity.Id}}",
    EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
  },
};

async function setup(options: EmulatorServerOptions = {}) {
  const clock = new ManualClock();
  const server = await startEmulatorServer({ mode: "count", now: clock.now, ...options });
  servers.push(server);
  const bulk = `${server.url}/api/bulk/2.0`;
  const send = (method: string, path: string, body: BodyInit | null, contentType = "application/json") =>
    fetch(bulk + path, {
      method,
      headers: { ...BEARER, "content-type": contentType },
      body,
      duplex: "half",
    } as RequestInit);
  const uri = (
    (await (await send("POST", "/opportunities/contacts/imports", JSON.stringify(LINKAGE))).json()) as {
      uri: string;
    }
  ).uri;
  return { emulator: server.emulator, clock, send, uri };
}

/** `rows` linkage rows as a JSON array, streamed in chunks that split rows anywhere. */
function jsonRows(rows: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      if (next > rows) return controller.close();
      let text = next === 0 ? "[" : "";
      const end = Math.min(rows, next + 25_000);
      for (; next < end; next++)
        text += `${next === 0 ? "" : ","}{"OpportunityID":"OPP-${next}","EmailAddress":"c${next}@example.com"}`;
      if (next === rows) {
        text += "]";
        next++;
      }
      controller.enqueue(encoder.encode(text));
    },
  });
}

describe("emulator in count mode", () => {
  it("should count the rows of a large body without keeping them", async () => {
    const { emulator, send, uri } = await setup();
    const response = await send("POST", `${uri}/data`, jsonRows(300_000));
    expect(response.status).toBe(204);
    expect(emulator.stats).toMatchObject({ dataPosts: 1, stagedRows: 300_000 });
    expect(emulator.stats.bodyBytes.total).toBeGreaterThan(20_000_000);
    expect(emulator.records()).toEqual([]);
  });

  it("should refuse malformed JSON and CSV with 400, as store mode does", async () => {
    const { emulator, send, uri } = await setup();
    expect((await send("POST", `${uri}/data`, '[{"OpportunityID":"1"},{"OpportunityID":{}}]')).status).toBe(
      400,
    );
    expect((await send("POST", `${uri}/data`, '[{"OpportunityID":"1"')).status).toBe(400);
    expect((await send("POST", `${uri}/data`, 'OpportunityID\n"x', "text/csv")).status).toBe(400);
    expect(emulator.stats.dataPosts).toBe(0);
  });

  it("should count CSV rows", async () => {
    const { emulator, send, uri } = await setup();
    expect(
      (await send("POST", `${uri}/data`, "OpportunityID,EmailAddress\n1,a@b.c\n2,d@e.f\n", "text/csv"))
        .status,
    ).toBe(204);
    expect(emulator.stats.stagedRows).toBe(2);
  });

  it("should compute no rejects and report the rows processed in the sync's logs", async () => {
    const { emulator, clock, send, uri } = await setup({ knownOpportunities: [] });
    await send("POST", `${uri}/data`, jsonRows(1_000));
    await send("POST", `${uri}/data`, jsonRows(500));
    const sync = await (await send("POST", "/syncs", JSON.stringify({ syncedInstanceUri: uri }))).json();
    clock.advance(100);
    expect((await (await send("GET", sync.uri, null)).json()).status).toBe("success");
    const logs = await (await send("GET", `${sync.uri}/logs`, null)).json();
    expect(logs.items[0]).toMatchObject({ statusCode: "ELQ-00040", count: 1_500 });
    expect(emulator.stats).toMatchObject({ rejectedRows: 0, filesPerSync: [2], stagedRows: 1_500 });
  });
});
