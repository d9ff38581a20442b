// Record imports are type-checked at sync time against the emulator's field catalog, over real HTTP.
import { describe, expect, it } from "vitest";
import {
  createEmulator,
  INVALID_EMAIL,
  MALFORMED,
  ManualClock,
  MISSING_FIELDS,
} from "../../lib/emulator/mod.ts";
import { startBulk } from "./_bulk_harness.ts";

const OPPORTUNITIES = {
  name: "Opportunities",
  fields: {
    Id: "{{Opportunity.Id}}",
    Name: "{{Opportunity.Field(Name)}}",
    Stage: "{{Opportunity.Field(Stage)}}",
    Amount: "{{Opportunity.Field(Amount)}}",
    Close: "{{Opportunity.Field(CloseDate)}}",
    Probability: "{{Opportunity.Field(Probability)}}",
  },
  identifierFieldName: "Id",
};
const opportunity = (id: string, values: Record<string, string> = {}) => ({
  Id: id,
  Name: `Deal ${id}`,
  Stage: "Proposal",
  Amount: "1250.50",
  Close: "2027-01-31",
  Probability: "40",
  ...values,
});
const codes = (
  rejects: readonly { fieldValues: Record<string, string>; statusCode: string; invalidFields: string[] }[],
  key: string,
) => rejects.map((r) => [r.fieldValues[key], r.statusCode, ...r.invalidFields]);

describe("emulator type checks of record imports", () => {
  it("should reject opportunity rows whose number or date does not parse (ELQ-00032) or whose not-null field is empty (ELQ-00061)", async () => {
    const { emulator, importRows } = await startBulk();
    const result = await importRows("/opportunities/imports", OPPORTUNITIES, [
      opportunity("A"),
      opportunity("B", { Amount: "1,250" }),
      opportunity("C", { Close: "2027-02-30" }),
      opportunity("D", { Probability: "40%" }),
      opportunity("E", { Stage: "  " }),
      opportunity("F", { Close: "", Probability: "" }),
      opportunity("G", { Amount: "-0.5", Close: "01/31/2027 1:05:00 PM" }),
      opportunity("", { Amount: "ten" }),
    ]);
    expect(result.status).toBe("warning");
    expect(codes(result.rejects, "Id")).toEqual([
      ["B", "ELQ-00032", "Amount"],
      ["C", "ELQ-00032", "Close"],
      ["D", "ELQ-00032", "Probability"],
      ["E", "ELQ-00061", "Stage"],
      ["", "ELQ-00061", "Id"],
    ]);
    expect(result.rejects[0]).toMatchObject({ message: MALFORMED.message, recordIndex: 2 });
    expect(result.rejects[3]!.message).toBe(MISSING_FIELDS.message);
    expect(result.logs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ statusCode: "ELQ-00032", count: 3 }),
        expect.objectContaining({ statusCode: "ELQ-00061", count: 2 }),
      ]),
    );
    const states = emulator.records().map((r) => [r.row.Id, r.state]);
    expect(states.filter(([, state]) => state === "synced").map(([id]) => id)).toEqual(["A", "F", "G"]);
  });

  it("should reject contact rows with an invalid e-mail address (ELQ-00002) and keep the rest", async () => {
    const { importRows } = await startBulk();
    const result = await importRows(
      "/contacts/imports",
      {
        name: "Contacts",
        fields: { Email: "{{Contact.Field(C_EmailAddress)}}", First: "{{Contact.Field(C_FirstName)}}" },
        identifierFieldName: "Email",
      },
      [
        { Email: "ann@acme.example", First: "Ann" },
        { Email: "not-an-address", First: "" },
        { Email: " bob@acme.example ", First: "Bob" },
        { Email: "", First: "Nobody" },
      ],
    );
    expect(codes(result.rejects, "Email")).toEqual([["not-an-address", "ELQ-00002", "Email"]]);
    expect(result.rejects[0]!.message).toBe(INVALID_EMAIL.message);
  });

  it("should check account rows against the account fields", async () => {
    const { importRows } = await startBulk();
    const result = await importRows(
      "/accounts/imports",
      {
        name: "Accounts",
        fields: { Company: "{{Account.Field(M_CompanyName)}}", Country: "{{Account.Field(M_Country)}}" },
        identifierFieldName: "Company",
      },
      [
        { Company: "Acme Corp", Country: "US" },
        { Company: "", Country: "DE" },
      ],
    );
    expect(codes(result.rejects, "Country")).toEqual([["DE", "ELQ-00061", "Company"]]);
  });

  it("should check custom object 1 rows by its fields, and leave custom objects without a catalog unchecked", async () => {
    const { importRows } = await startBulk();
    const fields = {
      Registration: "{{CustomObject[1].Field[1]}}",
      Email: "{{CustomObject[1].Field[2]}}",
      When: "{{CustomObject[1].Field[4]}}",
      Attendees: "{{CustomObject[1].Field[5]}}",
    };
    const rows = [
      { Registration: "R1", Email: "ann@acme.example", When: "2027-03-01", Attendees: "2" },
      { Registration: "R2", Email: "", When: "2027-03-01", Attendees: "2" },
      { Registration: "R3", Email: "ann@", When: "2027-03-01", Attendees: "2" },
      { Registration: "R4", Email: "ann@acme.example", When: "March 1st", Attendees: "2" },
      { Registration: "R5", Email: "ann@acme.example", When: "2027-03-01", Attendees: "two" },
    ];
    const definition = { name: "Registrations", fields, identifierFieldName: "Registration" };
    const checked = await importRows("/customObjects/1/imports", definition, rows);
    expect(codes(checked.rejects, "Registration")).toEqual([
      ["R2", "ELQ-00061", "Email"],
      ["R3", "ELQ-00002", "Email"],
      ["R4", "ELQ-00032", "When"],
      ["R5", "ELQ-00032", "Attendees"],
    ]);
    const unchecked = await importRows("/customObjects/7/imports", definition, rows);
    expect([unchecked.status, unchecked.rejects]).toEqual(["success", []]);
  });

  it("should not check string fields or columns whose statement is not in the catalog", async () => {
    const { importRows } = await startBulk();
    const result = await importRows(
      "/opportunities/imports",
      {
        name: "Loose",
        fields: {
          Id: "{{Opportunity.Id}}",
          Owner: "{{Opportunity.Field(Owner)}}",
          X: "{{Opportunity.Field(X)}}",
        },
        identifierFieldName: "Id",
      },
      [{ Id: "A", Owner: "12 ≠ a number", X: "" }],
    );
    expect([result.status, result.rejects]).toEqual(["success", []]);
  });

  it("should not check rows in count mode, which keeps none", async () => {
    const clock = new ManualClock();
    const emulator = createEmulator({ mode: "count", now: clock.now });
    const headers = { authorization: "Bearer emulator-token", "content-type": "application/json" };
    const call = async (method: string, path: string, body?: unknown) => {
      const request = new Request(`http://emulator/api/bulk/2.0${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const response = await emulator.handle(request);
      if (!(response instanceof Response)) throw new Error("dropped");
      const text = await response.text();
      return text === "" ? {} : JSON.parse(text);
    };
    const { uri } = await call("POST", "/opportunities/imports", OPPORTUNITIES);
    await call("POST", `${uri}/data`, [opportunity("B", { Amount: "ten" }), opportunity("")]);
    const sync = await call("POST", "/syncs", { syncedInstanceUri: uri });
    clock.advance(25);
    expect((await call("GET", sync.uri)).status).toBe("success");
    expect(emulator.stats.rejectedRows).toBe(0);
  });
});
