// saveState / the `state` option: an emulator started from another's saved state (through JSON, as the
// CLI's state file keeps it) goes on where the other stopped.
import { describe, expect, it } from "vitest";
import type { Emulator, EmulatorOptions } from "../../lib/emulator/mod.ts";
import { createEmulator, DROP_CONNECTION, ManualClock } from "../../lib/emulator/mod.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";

const LINKAGE = {
  name: "Link opportunities",
  fields: {
    OpportunityID: "{{Opportunity.Id}}",
    EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
  },
  linkOpportunitiesEntityType: "Contact",
  linkOpportunitiesMatchFieldName: "OpportunityID",
  linkOpportunitiesSourceField: "EmailAddress",
};
const OPPORTUNITIES = {
  name: "Opportunities",
  fields: { Id: "{{Opportunity.Id}}", Name: "{{Opportunity.Field(Name)}}" },
  identifierFieldName: "Id",
};

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
type Json = any;

function caller(emulator: Emulator) {
  return async (method: string, path: string, body?: unknown, authorization = "Bearer emulator-token") => {
    const url = path.startsWith("/id") || path.startsWith("/auth") ? path : `/api/bulk/2.0${path}`;
    const answer = await emulator.handle(
      new Request(`http://emulator${url}`, {
        method,
        headers: { authorization, "content-type": "application/json" },
        body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
    if (answer === DROP_CONNECTION) throw new Error("dropped");
    const text = await answer.text();
    return { status: answer.status, body: (/^[[{]/.test(text) ? JSON.parse(text) : text) as Json };
  };
}

describe("emulator state", () => {
  it("should go on from a saved state: definitions, staged rows, a running sync, known records, tokens, stats", async () => {
    const clock = new ManualClock();
    const options: EmulatorOptions = {
      now: clock.now,
      syncTiming: { pendingMs: 5, activeMs: 20 },
      knownOpportunities: [],
    };
    const first = createEmulator(options);
    const call = caller(first);
    const opportunities = (await call("POST", "/opportunities/imports", OPPORTUNITIES)).body.uri as string;
    expect((await call("POST", `${opportunities}/data`, [{ Id: "OPP-1", Name: "One" }])).status).toBe(204);
    await call("POST", "/syncs", { syncedInstanceUri: opportunities });
    clock.advance(25);
    const links = (await call("POST", "/opportunities/contacts/imports", LINKAGE)).body.uri as string;
    const rows = [
      { OpportunityID: "OPP-1", EmailAddress: "a@b.c" },
      { OpportunityID: "OPP-2", EmailAddress: "a@b.c" },
    ];
    expect((await call("POST", `${links}/data`, rows)).status).toBe(204);
    const running = (await call("POST", "/syncs", { syncedInstanceUri: links })).body.uri as string;
    // The refresh token rotates: the saved state must know the new one, not the first.
    const basic = `Basic ${btoa("emulator-client:emulator-secret")}`;
    const grant = await call(
      "POST",
      "/auth/oauth2/token",
      { grant_type: "refresh_token", refresh_token: "emulator-refresh-1" },
      basic,
    );
    expect(grant.status).toBe(200);

    const saved = JSON.parse(JSON.stringify(first.saveState()));
    const second = createEmulator({ ...options, state: saved });
    const again = caller(second);
    expect(second.records()).toEqual(first.records());
    expect((await again("GET", links)).status).toBe(200);
    expect((await again("GET", running)).body.status).toBe("pending");
    clock.advance(25);
    // OPP-1 was made known by the opportunity import before the save: only OPP-2 is rejected.
    expect((await again("GET", running)).body.status).toBe("warning");
    const rejects = (await again("GET", `${running}/rejects`)).body.items as Json[];
    expect(rejects.map((item) => item.fieldValues.OpportunityID)).toEqual(["OPP-2"]);
    expect(
      second
        .records()
        .filter((r) => r.definitionUri === links)
        .map((r) => r.state),
    ).toEqual(["synced", "rejected"]);
    // Ids go on from the saved ones.
    expect((await again("POST", "/opportunities/contacts/imports", LINKAGE)).body.uri).not.toBe(links);
    expect((await again("POST", "/syncs", { syncedInstanceUri: links })).body.uri).toBe("/syncs/3");
    expect(second.stats.syncsCreated).toBe(3);
    expect(second.stats.stagedRows).toBe(3);
    expect(second.refreshTokens()).toEqual([grant.body.refresh_token]);
    expect((await again("GET", links, undefined, `Bearer ${grant.body.access_token}`)).status).toBe(200);
  });

  it("should refuse what is not a saved state", () => {
    for (const state of [{}, { format: "something else" }, null]) {
      expect(() => createEmulator({ state: state as never })).toThrow(
        expect.toSatisfy((error) => isInvalidOptionError(error)),
      );
    }
  });
});
