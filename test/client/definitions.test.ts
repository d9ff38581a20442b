import { describe, expect, it } from "vitest";
import { linkageDefinition, parseIsoDuration } from "../../lib/client/mod.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";

describe("linkageDefinition", () => {
  it("should build the linkage body with the documented defaults", () => {
    expect(linkageDefinition()).toEqual({
      name: "eloqua-bulk-stream opportunity contact linkage",
      fields: {
        OpportunityID: "{{Opportunity.Id}}",
        EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
      },
      linkOpportunitiesEntityType: "Contact",
      linkOpportunitiesMatchFieldName: "OpportunityID",
      linkOpportunitiesSourceField: "EmailAddress",
      linkOpportunitiesMultipleSourceMatches: true,
      linkOpportunitiesCaseSensitiveMatchField: false,
      linkOpportunitiesCaseSensitiveSourceField: false,
      isSyncTriggeredOnImport: false,
    });
  });

  it("should always send isSyncTriggeredOnImport explicitly", () => {
    expect(Object.hasOwn(linkageDefinition({}), "isSyncTriggeredOnImport")).toBe(true);
    expect(linkageDefinition({ isSyncTriggeredOnImport: true }).isSyncTriggeredOnImport).toBe(true);
  });

  it("should add the durations and name when given", () => {
    const body = linkageDefinition({ name: "Q3", autoDeleteDuration: "P1D", dataRetentionDuration: "PT1H" });
    expect(body).toMatchObject({ name: "Q3", autoDeleteDuration: "P1D", dataRetentionDuration: "PT1H" });
  });

  it("should reject an autoDeleteDuration under one hour, naming option and value", () => {
    expect(() => linkageDefinition({ autoDeleteDuration: "PT30M" })).toThrow(
      'Cannot construct linkageDefinition as autoDeleteDuration must be an ISO-8601 duration of at least PT1H (e.g. "P1D"): current value is "PT30M"',
    );
  });

  it("should reject bad durations and field choices", () => {
    const bad = [
      { autoDeleteDuration: "1 day" },
      { dataRetentionDuration: "P15D" },
      { dataRetentionDuration: "PT59M" },
      { entityType: "Account" },
      { entityType: "Lead" },
      { matchFieldName: "Missing" },
      { sourceField: "Nope" },
      { fields: {} },
      { fields: { A: "not a statement" } },
      { name: "" },
      { multipleSourceMatches: "yes" },
      { identifierFieldName: "x".repeat(101) },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        linkageDefinition(options as never);
      } catch (error) {
        caught = error;
      }
      expect(isInvalidOptionError(caught), JSON.stringify(options)).toBe(true);
    }
  });

  it("should accept account linkage with explicit fields", () => {
    const body = linkageDefinition({
      entityType: "Account",
      fields: {
        OpportunityID: "{{Opportunity.Id}}",
        CompanyName: "{{Opportunity.Account.Field(M_CompanyName)}}",
      },
      sourceField: "CompanyName",
    });
    expect(body.linkOpportunitiesEntityType).toBe("Account");
    expect(body.linkOpportunitiesSourceField).toBe("CompanyName");
  });
});

describe("parseIsoDuration", () => {
  it("should measure the durations Eloqua uses", () => {
    expect(parseIsoDuration("PT1H")).toBe(3_600_000);
    expect(parseIsoDuration("P1D")).toBe(86_400_000);
    expect(parseIsoDuration("P14D")).toBe(14 * 86_400_000);
    expect(parseIsoDuration("P1DT1H30M")).toBe(86_400_000 + 5_400_000);
    expect(parseIsoDuration("PT0.5S")).toBe(500);
  });

  it("should reject what is not an ISO-8601 duration", () => {
    for (const text of ["", "P", "PT", "1H", "P1H", "pt1h", "P1DT", "PT1H ", "P-1D"]) {
      expect(parseIsoDuration(text), text).toBeUndefined();
    }
  });
});
