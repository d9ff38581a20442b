// The fields endpoints, over real HTTP: Oracle's field shape, the documented statements, paging and q.
import { describe, expect, it } from "vitest";
import { startBulk } from "./_bulk_harness.ts";

const BASES = ["/opportunities", "/contacts", "/accounts", "/customObjects/1"];
const DATA_TYPES = ["number", "string", "boolean", "date", "emailAddress"];
const PROPERTIES = [
  "name",
  "internalName",
  "statement",
  "dataType",
  "hasNotNullConstraint",
  "hasReadOnlyConstraint",
  "hasUniquenessConstraint",
  "uri",
  "createdAt",
  "createdBy",
  "updatedAt",
  "updatedBy",
];

interface Field {
  name: string;
  internalName: string;
  statement: string;
  dataType: string;
  hasNotNullConstraint: boolean;
  hasReadOnlyConstraint: boolean;
  hasUniquenessConstraint: boolean;
  uri: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

describe("emulator fields endpoints", () => {
  it("should list each kind's fields in Oracle's shape, each one also at its uri", async () => {
    const { call } = await startBulk();
    for (const base of BASES) {
      const listed = await call("GET", `${base}/fields`);
      expect(listed.status, base).toBe(200);
      const items = listed.body.items as Field[];
      expect(listed.body).toEqual({
        items,
        totalResults: items.length,
        limit: 1000,
        offset: 0,
        count: items.length,
        hasMore: false,
      });
      expect(new Set(items.map((f) => f.uri)).size).toBe(items.length);
      expect(new Set(items.map((f) => f.statement.toLowerCase())).size).toBe(items.length);
      for (const field of items) {
        expect(Object.keys(field).sort(), field.uri).toEqual([...PROPERTIES].sort());
        expect(DATA_TYPES).toContain(field.dataType);
        expect(field.uri).toMatch(new RegExp(`^${base.replace(/[/]/g, "\\/")}\\/fields\\/\\d+$`));
        expect(field.statement).toMatch(/^\{\{[^{}]+\}\}$/);
        expect(field.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
        expect(await call("GET", field.uri)).toEqual({ status: 200, body: field });
      }
    }
  });

  it("should answer items shaped exactly as Oracle's examples", async () => {
    const { call } = await startBulk();
    const find = async (base: string, statement: string) =>
      ((await call("GET", `${base}/fields`)).body.items as Field[]).find((f) => f.statement === statement);
    expect(await find("/contacts", "{{Contact.Field(C_EmailAddress)}}")).toEqual({
      uri: "/contacts/fields/100001",
      name: "Email Address",
      internalName: "C_EmailAddress",
      statement: "{{Contact.Field(C_EmailAddress)}}",
      dataType: "emailAddress",
      hasNotNullConstraint: false,
      hasReadOnlyConstraint: false,
      hasUniquenessConstraint: true,
      createdAt: "1900-01-01T05:00:00.0000000Z",
      createdBy: "System",
      updatedAt: "1900-01-01T05:00:00.0000000Z",
      updatedBy: "System",
    });
    expect(await find("/opportunities", "{{Opportunity.Field(Amount)}}")).toMatchObject({
      name: "Amount",
      internalName: "Amount",
      dataType: "number",
      hasNotNullConstraint: true,
    });
    expect(await find("/accounts", "{{Account.Field(M_CompanyName)}}")).toMatchObject({
      name: "Company Name",
      dataType: "string",
      hasNotNullConstraint: true,
    });
    expect(await find("/customObjects/1", "{{CustomObject[1].Field[2]}}")).toMatchObject({
      uri: "/customObjects/1/fields/2",
      dataType: "emailAddress",
    });
  });

  it("should list the statements Oracle documents, with their types and constraints", async () => {
    const { call } = await startBulk();
    const all = async (base: string) =>
      new Map(
        ((await call("GET", `${base}/fields`)).body.items as Field[]).map((f) => [
          f.statement,
          `${f.dataType}${f.hasNotNullConstraint ? " not null" : ""}${f.hasUniquenessConstraint ? " unique" : ""}${f.hasReadOnlyConstraint ? " read-only" : ""}`,
        ]),
      );
    const opportunities = await all("/opportunities");
    expect(opportunities.get("{{Opportunity.Id}}")).toBe("string not null unique");
    expect(opportunities.get("{{Opportunity.Field(Name)}}")).toBe("string not null");
    expect(opportunities.get("{{Opportunity.Field(Stage)}}")).toBe("string not null");
    expect(opportunities.get("{{Opportunity.Field(Amount)}}")).toBe("number not null");
    expect(opportunities.get("{{Opportunity.Field(CloseDate)}}")).toBe("date");
    const contacts = await all("/contacts");
    expect(contacts.get("{{Contact.Field(C_EmailAddress)}}")).toBe("emailAddress unique");
    expect(contacts.get("{{Contact.Id}}")).toBe("string read-only");
    expect(contacts.get("{{Contact.Field(C_SFDCContactID)}}")).toBe("string");
    const accounts = await all("/accounts");
    expect(accounts.get("{{Account.Field(M_CompanyName)}}")).toBe("string not null");
    expect(accounts.get("{{Account.Field(M_SFDCAccountID)}}")).toBe("string");
    expect(accounts.get("{{Account.Id}}")).toBe("string read-only");
  });

  it("should page with limit and offset, leave out totalResults on request, and refuse a bad limit", async () => {
    const { call } = await startBulk();
    const total = (await call("GET", "/opportunities/fields")).body.totalResults as number;
    const last = await call("GET", `/opportunities/fields?limit=2&offset=${total - 1}`);
    expect(last.body).toMatchObject({
      limit: 2,
      offset: total - 1,
      count: 1,
      hasMore: false,
      totalResults: total,
    });
    const first = await call("GET", "/opportunities/fields?limit=2&totalResults=false");
    expect(first.body).toMatchObject({ count: 2, hasMore: true });
    expect(first.body).not.toHaveProperty("totalResults");
    expect((await call("GET", "/contacts/fields?limit=0")).status).toBe(400);
    expect((await call("GET", "/contacts/fields?offset=-1")).status).toBe(400);
  });

  it("should filter with q: one criterion on a property, * as a wildcard, without case, optionally quoted", async () => {
    const { call } = await startBulk();
    const names = async (query: string) => {
      const answer = await call("GET", `/opportunities/fields?q=${encodeURIComponent(query)}`);
      expect(answer.status, query).toBe(200);
      return (answer.body.items as Field[]).map((f) => f.name);
    };
    expect(await names("name='Amount'")).toEqual(["Amount"]);
    expect(await names('"name=*date*"')).toEqual(["Close Date", "Forecast To Close Date", "Created Date"]);
    expect(await names("statement={{Opportunity.Field(Stage)}}")).toEqual(["Stage"]);
    expect(await names("dataType=number")).toEqual(["Amount", "Probability"]);
    expect(await names("hasNotNullConstraint=true")).toEqual(["Opportunity ID", "Name", "Stage", "Amount"]);
    expect((await names("dataType!=string")).length).toBe(5);
    expect(await names("name=Nothing*")).toEqual([]);
    const paged = await call("GET", `/opportunities/fields?q=${encodeURIComponent("name=*a*")}&limit=1`);
    expect(paged.body).toMatchObject({ count: 1, hasMore: true });
    const bad = await call("GET", `/opportunities/fields?q=${encodeURIComponent("color=red")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.failures[0]).toMatchObject({ field: "q", value: "color=red" });
    expect((await call("GET", "/opportunities/fields?q=Amount")).status).toBe(400);
  });

  it("should answer 404 for a custom object it does not have and for an unknown field id", async () => {
    const { call } = await startBulk();
    expect((await call("GET", "/customObjects/99/fields")).status).toBe(404);
    expect((await call("GET", "/customObjects/99/fields/1")).status).toBe(404);
    expect((await call("GET", "/contacts/fields/1")).status).toBe(404);
    expect((await call("GET", "/opportunities/fields/999")).status).toBe(404);
    expect((await call("GET", "/opportunities/fields/abc")).status).toBe(404);
    expect((await call("POST", "/opportunities/fields", {})).status).toBe(405);
  });
});
