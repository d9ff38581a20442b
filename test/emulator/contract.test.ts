import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RouteDefinition } from "../../lib/emulator/mod.ts";
import {
  createEmulator,
  DROP_CONNECTION,
  ManualClock,
  routeTable,
  SYNC_STATUSES,
} from "../../lib/emulator/mod.ts";

/**
 * The facts this test checks, taken from Oracle's Bulk API 2.0 OpenAPI documents (which live outside the
 * repository) by test/fixtures/extract_contract.ts; its `source` names the documents and their origin.
 */
type Contract = {
  /** Every documented operation, as "METHOD path". */
  operations: string[];
  /** "METHOD path status" → property names of that response's JSON schema. */
  responseProperties: Record<string, string[]>;
  /** "METHOD path" → property names of the items of its paged 200 response. */
  itemProperties: Record<string, string[]>;
  /** Document → its SyncStatusType enum. */
  syncStatusType: Record<string, string[]>;
  /** SyncResultSeverity enum values of all documents. */
  syncResultSeverity: string[];
};

const contract = JSON.parse(
  readFileSync(new URL("../fixtures/eloqua-contract.json", import.meta.url), "utf8"),
) as Contract;
const documentedOperations = new Set(contract.operations);

/** Routes that are not in these documents, and why. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  "GET /id": "login.eloqua.com discovery, documented on the 'Determining base URLs' page",
  "POST /auth/oauth2/token": "login.eloqua.com OAuth, documented on the authentication pages",
};
/** Import paths served for other imports; their operations live in other tag documents not shipped in shared/. */
const LINKAGE_ONLY = [
  "linkOpportunitiesEntityType",
  "linkOpportunitiesMatchFieldName",
  "linkOpportunitiesSourceField",
  "linkOpportunitiesMultipleSourceMatches",
  "linkOpportunitiesCaseSensitiveMatchField",
  "linkOpportunitiesCaseSensitiveSourceField",
];
const OTHER_IMPORT_PATHS = ["/contacts/imports", "/accounts/imports", "/customObjects/{parentId}/imports"];

function isDocumented(method: string, path: string): boolean {
  return documentedOperations.has(`${method.toUpperCase()} ${path}`);
}

/** Property names of an operation's JSON response schema for a status. */
function responseProperties(method: string, path: string, status: string): Set<string> {
  if (!isDocumented(method, `/api/bulk/2.0${path}`))
    throw new Error(`${method} ${path} is not in the OpenAPI documents`);
  const names = contract.responseProperties[`${method} /api/bulk/2.0${path} ${status}`];
  if (names === undefined)
    throw new Error(`${method} ${path} ${status} is not in the fixture: add it to extract_contract.ts`);
  return new Set(names);
}

/** Property names of the items of a paged list response. */
function itemProperties(method: string, path: string): Set<string> {
  const names = contract.itemProperties[`${method} /api/bulk/2.0${path}`];
  if (names === undefined)
    throw new Error(`${method} ${path} items are not in the fixture: add it to extract_contract.ts`);
  return new Set(names);
}

function keysOf(value: unknown): string[] {
  return Object.keys(value as object);
}

async function exercise() {
  const clock = new ManualClock();
  const emulator = createEmulator({ now: clock.now, knownOpportunities: ["1"] });
  const call = async (method: string, path: string, body?: unknown) => {
    const result = await emulator.handle(
      new Request(`http://emulator/api/bulk/2.0${path}`, {
        method,
        headers: { authorization: "Bearer emulator-token", "content-type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
      }),
    );
    if (result === DROP_CONNECTION) throw new Error("dropped");
    return { status: result.status, body: (await result.json()) as Record<string, unknown> };
  };
  const everything = {
    name: "Link",
    fields: {
      OpportunityID: "{{Opportunity.Id}}",
      EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
    },
    identifierFieldName: "OpportunityID",
    isSyncTriggeredOnImport: true,
    dataRetentionDuration: "P1D",
    autoDeleteDuration: "P2D",
    importPriorityUri: "/imports/priorities/1",
    importRule: "createAndUpdate",
    updateRule: "always",
    updateRuleByField: {},
    isUpdatingMultipleMatchedRecords: false,
    nullIdentifierFieldName: false,
    externalSystemId: 1,
    linkOpportunitiesEntityType: "Contact",
    linkOpportunitiesMatchFieldName: "OpportunityID",
    linkOpportunitiesSourceField: "EmailAddress",
    linkOpportunitiesMultipleSourceMatches: true,
    linkOpportunitiesCaseSensitiveMatchField: false,
    linkOpportunitiesCaseSensitiveSourceField: false,
  };
  const linkage = await call("POST", "/opportunities/contacts/imports", everything);
  const uri = linkage.body.uri as string;
  const triggered = await call("POST", `${uri}/data`, [
    { OpportunityID: "1", EmailAddress: "a@b.c" },
    { OpportunityID: "2", EmailAddress: "a@b.c" },
  ]);
  const opportunities = await call("POST", "/opportunities/imports", {
    name: "Opportunities",
    fields: { Id: "{{Opportunity.Id}}" },
    identifierFieldName: "Id",
    isIdentifierFieldCaseSensitive: false,
  });
  const sync = await call("POST", "/syncs", {
    syncedInstanceUri: uri,
    callbackUrl: "https://example.com/cb",
  });
  clock.advance(1_000);
  return {
    call,
    linkage,
    opportunities,
    triggered,
    sync,
    finished: await call("GET", sync.body.uri as string),
    logs: await call("GET", `${triggered.body.uri}/logs`),
    rejects: await call("GET", `${triggered.body.uri}/rejects`),
    definitions: await call("GET", "/opportunities/contacts/imports"),
    syncs: await call("GET", "/syncs"),
  };
}

describe("emulator contract with Oracle's OpenAPI documents", () => {
  it("should serve only routes the documents list with that method, besides the documented exceptions", () => {
    const missing: string[] = [];
    for (const route of routeTable() as RouteDefinition[]) {
      const key = `${route.method} ${route.path}`;
      if (route.base === "root") {
        expect(EXCEPTIONS[key], key).toBeDefined();
        continue;
      }
      if (route.importPath !== undefined && OTHER_IMPORT_PATHS.includes(route.importPath)) continue;
      if (!isDocumented(route.method, `/api/bulk/2.0${route.path}`)) missing.push(key);
    }
    expect(missing).toEqual([]);
  });

  it("should put only documented properties in definitions, syncs, logs, rejects and paged envelopes", async () => {
    const seen = await exercise();
    expect([seen.linkage.status, seen.triggered.status, seen.finished.body.status]).toEqual([
      201,
      201,
      "success",
    ]);
    const check = (actual: unknown, allowed: Set<string>, what: string) => {
      expect(allowed.size, what).toBeGreaterThan(0);
      expect(
        keysOf(actual).filter((key) => !allowed.has(key)),
        what,
      ).toEqual([]);
    };
    check(
      seen.linkage.body,
      responseProperties("POST", "/opportunities/contacts/imports", "201"),
      "linkage definition",
    );
    check(
      seen.opportunities.body,
      responseProperties("POST", "/opportunities/imports", "201"),
      "opportunity definition",
    );
    check(
      seen.triggered.body,
      responseProperties("POST", "/opportunities/contacts/imports/{id}/data", "201"),
      "data sync",
    );
    check(seen.sync.body, responseProperties("POST", "/syncs", "201"), "created sync");
    check(seen.finished.body, responseProperties("GET", "/syncs/{id}", "200"), "sync");
    const logs = seen.logs.body.items as unknown[];
    const rejects = seen.rejects.body.items as unknown[];
    expect([logs.length > 0, rejects.length]).toEqual([true, 1]);
    for (const item of logs) check(item, itemProperties("GET", "/syncs/{id}/logs"), "log item");
    for (const item of rejects) check(item, itemProperties("GET", "/syncs/{id}/rejects"), "reject item");
    // The list's item schema is the generic Import, which lacks the linkOpportunities* properties the
    // same definition has in GET /{id}: check listed items against the individual resource's schema.
    for (const item of seen.definitions.body.items as unknown[]) {
      check(
        item,
        responseProperties("GET", "/opportunities/contacts/imports/{id}", "200"),
        "listed definition",
      );
    }
    check(
      (seen.definitions.body.items as unknown[])[0],
      new Set([...itemProperties("GET", "/opportunities/contacts/imports"), ...LINKAGE_ONLY]),
      "listed definition against Import",
    );
    for (const [path, url] of [
      ["/opportunities/fields", "/opportunities/fields"],
      ["/contacts/fields", "/contacts/fields"],
      ["/accounts/fields", "/accounts/fields"],
      ["/customObjects/{parentId}/fields", "/customObjects/1/fields"],
    ] as const) {
      const listed = await seen.call("GET", url);
      const items = listed.body.items as unknown[];
      expect(items.length, url).toBeGreaterThan(3);
      for (const item of items) check(item, itemProperties("GET", path), `field of ${url}`);
    }
    for (const [body, path] of [
      [seen.logs.body, "/syncs/{id}/logs"],
      [seen.rejects.body, "/syncs/{id}/rejects"],
      [seen.definitions.body, "/opportunities/contacts/imports"],
      [seen.syncs.body, "/syncs"],
    ] as const) {
      check(body, responseProperties("GET", path, "200"), `envelope of ${path}`);
    }
    expect(keysOf(seen.rejects.body)).toEqual([
      "items",
      "totalResults",
      "limit",
      "offset",
      "count",
      "hasMore",
    ]);
  });

  it("should use exactly the documented sync statuses and log severities", async () => {
    for (const statuses of Object.values(contract.syncStatusType))
      expect(statuses).toEqual([...SYNC_STATUSES]);
    const severities = new Set(contract.syncResultSeverity);
    const seen = await exercise();
    for (const item of seen.logs.body.items as { severity: string }[])
      expect(severities).toContain(item.severity);
  });
});
