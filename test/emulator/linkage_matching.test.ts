// Linkage syncs match contacts and accounts by the field their statement names, against what earlier
// contact and account imports synced (and the known… options), over real HTTP.
import { describe, expect, it } from "vitest";
import { startBulk } from "./_bulk_harness.ts";

const ACCOUNTS = {
  name: "Accounts",
  fields: {
    Company: "{{Account.Field(M_CompanyName)}}",
    Sfdc: "{{Account.Field(M_SFDCAccountID)}}",
    Country: "{{Account.Field(M_Country)}}",
  },
  identifierFieldName: "Company",
};
const CONTACTS = {
  name: "Contacts",
  fields: {
    Email: "{{Contact.Field(C_EmailAddress)}}",
    Crm: "{{Contact.Field(C_SFDCContactID)}}",
    First: "{{Contact.Field(C_FirstName)}}",
  },
  identifierFieldName: "Email",
};

/** A linkage definition to contacts or accounts, matched on `statement`'s field. */
function linkage(entity: "Contact" | "Account", statement: string, flags: object = {}) {
  return {
    name: `Links to ${entity}`,
    fields: { OpportunityID: "{{Opportunity.Id}}", Source: statement },
    linkOpportunitiesEntityType: entity,
    linkOpportunitiesMatchFieldName: "OpportunityID",
    linkOpportunitiesSourceField: "Source",
    linkOpportunitiesMultipleSourceMatches: true,
    isSyncTriggeredOnImport: false,
    ...flags,
  };
}
const LINKS = "/opportunities/contacts/imports";
const links = (...sources: string[]) => sources.map((Source, i) => ({ OpportunityID: `OPP-${i}`, Source }));
const rejected = (rejects: readonly { fieldValues: Record<string, string>; statusCode: string }[]) =>
  rejects.map((r) => [r.fieldValues.Source, r.statusCode]);

describe("emulator linkage matching", () => {
  it("should link to accounts an account import synced, and reject unknown ones with ELQ-00034", async () => {
    const { importRows } = await startBulk({ knownAccounts: [] });
    const accounts = await importRows("/accounts/imports", ACCOUNTS, [
      { Company: "Acme Corp", Sfdc: "001A", Country: "US" },
      { Company: "Globex", Sfdc: "001B", Country: "DE" },
    ]);
    expect(accounts.status).toBe("success");
    const linked = await importRows(
      LINKS,
      linkage("Account", "{{Opportunity.Account.Field(M_CompanyName)}}"),
      links("Acme Corp", "GLOBEX", "Initech"),
    );
    expect(linked.status).toBe("warning");
    expect(linked.rejects).toEqual([
      {
        fieldValues: { OpportunityID: "OPP-2", Source: "Initech" },
        statusCode: "ELQ-00034",
        message: "Total unmatched records.",
        recordIndex: 3,
        invalidFields: ["Source"],
      },
    ]);
    expect(linked.logs).toContainEqual(expect.objectContaining({ statusCode: "ELQ-00034", count: 1 }));
  });

  it("should match accounts on the field the linkage's statement names, not on any field", async () => {
    const { importRows } = await startBulk({ knownAccounts: [] });
    await importRows("/accounts/imports", ACCOUNTS, [{ Company: "Acme Corp", Sfdc: "001A", Country: "US" }]);
    const bySfdc = await importRows(
      LINKS,
      linkage("Account", "{{Opportunity.Account.Field(M_SFDCAccountID)}}"),
      links("001a", "Acme Corp", "US"),
    );
    expect(rejected(bySfdc.rejects)).toEqual([
      ["Acme Corp", "ELQ-00034"],
      ["US", "ELQ-00034"],
    ]);
    const byCountry = await importRows(
      LINKS,
      linkage("Account", "{{Opportunity.Account.Field(M_Country)}}"),
      links("US", "001A"),
    );
    expect(rejected(byCountry.rejects)).toEqual([["001A", "ELQ-00034"]]);
  });

  it("should match contacts on a CRM id field a contact import gave them, and still on e-mail", async () => {
    const { importRows } = await startBulk({ knownContacts: [] });
    await importRows("/contacts/imports", CONTACTS, [
      { Email: "ann@acme.example", Crm: "003-ANN", First: "Ann" },
      { Email: "bob@acme.example", Crm: "", First: "Bob" },
    ]);
    const byCrm = await importRows(
      LINKS,
      linkage("Contact", "{{Opportunity.Contact.Field(C_SFDCContactID)}}"),
      links("003-ann", "ann@acme.example", "", "Bob"),
    );
    expect(rejected(byCrm.rejects)).toEqual([
      ["ann@acme.example", "ELQ-00085"],
      ["", "ELQ-00085"],
      ["Bob", "ELQ-00085"],
    ]);
    const byEmail = await importRows(
      LINKS,
      linkage("Contact", "{{Opportunity.Contact.Field(C_EmailAddress)}}"),
      links("BOB@acme.example", "003-ANN"),
    );
    expect(rejected(byEmail.rejects)).toEqual([["003-ANN", "ELQ-00085"]]);
  });

  it("should match {{Opportunity.Contact.Id}} on contact ids the option names or an import staged", async () => {
    const { importRows } = await startBulk({ knownContacts: ["1001"] });
    await importRows(
      "/contacts/imports",
      { name: "By id", fields: { Id: "{{Contact.Id}}", First: "{{Contact.Field(C_FirstName)}}" } },
      [{ Id: "1002", First: "Cy" }],
    );
    const byId = await importRows(
      LINKS,
      linkage("Contact", "{{Opportunity.Contact.Id}}"),
      links("1001", "1002", "1003"),
    );
    expect(rejected(byId.rejects)).toEqual([["1003", "ELQ-00085"]]);
  });

  it("should compare the source field with case only when linkOpportunitiesCaseSensitiveSourceField is true", async () => {
    const { importRows } = await startBulk({ knownAccounts: [] });
    await importRows("/accounts/imports", ACCOUNTS, [{ Company: "Acme Corp", Sfdc: "001A", Country: "US" }]);
    const statement = "{{Opportunity.Account.Field(M_CompanyName)}}";
    const loose = await importRows(LINKS, linkage("Account", statement), links("ACME CORP", "Acme Corp"));
    expect(loose.rejects).toEqual([]);
    const strict = await importRows(
      LINKS,
      linkage("Account", statement, { linkOpportunitiesCaseSensitiveSourceField: true }),
      links("ACME CORP", "Acme Corp"),
    );
    expect(rejected(strict.rejects)).toEqual([["ACME CORP", "ELQ-00034"]]);
  });

  it("should not make known the rows an import rejected", async () => {
    const { importRows } = await startBulk({ knownAccounts: [] });
    const accounts = await importRows("/accounts/imports", ACCOUNTS, [
      { Company: "", Sfdc: "001X", Country: "US" },
      { Company: "Acme Corp", Sfdc: "001A", Country: "US" },
    ]);
    expect(accounts.rejects.map((r) => [r.fieldValues.Sfdc, r.statusCode, r.invalidFields])).toEqual([
      ["001X", "ELQ-00061", ["Company"]],
    ]);
    const bySfdc = await importRows(
      LINKS,
      linkage("Account", "{{Opportunity.Account.Field(M_SFDCAccountID)}}"),
      links("001X", "001A"),
    );
    expect(rejected(bySfdc.rejects)).toEqual([["001X", "ELQ-00034"]]);
  });

  it("should take every account and contact as existing when the options are left out", async () => {
    const { importRows } = await startBulk();
    const toAccounts = await importRows(
      LINKS,
      linkage("Account", "{{Opportunity.Account.Field(M_SFDCAccountID)}}"),
      links("anything"),
    );
    const toContacts = await importRows(LINKS, linkage("Contact", "{{Opportunity.Contact.Id}}"), links("42"));
    expect([toAccounts.status, toContacts.status]).toEqual(["success", "success"]);
  });

  it("should forget what imports made known on reset, and keep the option's values", async () => {
    const { emulator, importRows } = await startBulk({ knownAccounts: ["Seeded Inc"] });
    await importRows("/accounts/imports", ACCOUNTS, [{ Company: "Acme Corp", Sfdc: "001A", Country: "US" }]);
    emulator.reset();
    const linked = await importRows(
      LINKS,
      linkage("Account", "{{Opportunity.Account.Field(M_CompanyName)}}"),
      links("Acme Corp", "seeded inc"),
    );
    expect(rejected(linked.rejects)).toEqual([["Acme Corp", "ELQ-00034"]]);
  });
});
