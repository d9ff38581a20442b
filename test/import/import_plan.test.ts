import { describe, expect, it } from "vitest";
import { IMPORT_KINDS } from "../../lib/client/imports.ts";
import type { EloquaField } from "../../lib/client/types.ts";
import { isImportPlanError, planImport } from "../../lib/import/import_plan.ts";

const field = (
  name: string,
  internalName: string,
  statement: string,
  more: Partial<EloquaField> = {},
): EloquaField => ({
  name,
  internalName,
  statement,
  dataType: "string",
  hasNotNullConstraint: false,
  hasReadOnlyConstraint: false,
  hasUniquenessConstraint: false,
  ...more,
});

const OPPORTUNITY_FIELDS: EloquaField[] = [
  field("Opportunity ID", "OpportunityID", "{{Opportunity.Id}}", {
    hasNotNullConstraint: true,
    hasUniquenessConstraint: true,
  }),
  field("Name", "Name", "{{Opportunity.Field(Name)}}", { hasNotNullConstraint: true }),
  field("Stage", "Stage", "{{Opportunity.Field(Stage)}}", { hasNotNullConstraint: true }),
  field("Amount", "Amount", "{{Opportunity.Field(Amount)}}", {
    dataType: "number",
    hasNotNullConstraint: true,
  }),
  field("Close Date", "CloseDate", "{{Opportunity.Field(CloseDate)}}", { dataType: "date" }),
  field("Created At", "CreatedAt", "{{Opportunity.Field(CreatedAt)}}", {
    dataType: "date",
    hasReadOnlyConstraint: true,
  }),
];

const plan = (header: string[], map?: Record<string, string>) =>
  planImport(header, OPPORTUNITY_FIELDS, {
    kind: IMPORT_KINDS.opportunities,
    ...(map === undefined ? {} : { map }),
  });

function thrown(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isImportPlanError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected an ImportPlanError");
}

describe("planImport", () => {
  it("should match headers to fields by name, internal name or statement, ignoring case, spaces and punctuation", () => {
    const result = plan(["opportunity id", "NAME", "stage", "amount", "close_date", "Notes"]);
    expect(result.mapping.map((m) => [m.column, m.field?.internalName, m.how])).toEqual([
      ["opportunity id", "OpportunityID", "name"],
      ["NAME", "Name", "name"],
      ["stage", "Stage", "name"],
      ["amount", "Amount", "name"],
      ["close_date", "CloseDate", "name"],
      ["Notes", undefined, "no field"],
    ]);
    const { schema, definition, columns } = result.options;
    expect(definition.fields).toEqual({
      OpportunityID: "{{Opportunity.Id}}",
      Name: "{{Opportunity.Field(Name)}}",
      Stage: "{{Opportunity.Field(Stage)}}",
      Amount: "{{Opportunity.Field(Amount)}}",
      CloseDate: "{{Opportunity.Field(CloseDate)}}",
    });
    expect(definition.identifierFieldName).toBe("OpportunityID");
    expect(columns).toEqual({
      OpportunityID: "opportunity id",
      Name: "NAME",
      Stage: "stage",
      Amount: "amount",
      CloseDate: "close_date",
    });
    expect(schema.key).toEqual(["OpportunityID"]);
    expect(schema.fields.map((f) => [f.name, f.required, f.format])).toEqual([
      ["OpportunityID", true, undefined],
      ["Name", true, undefined],
      ["Stage", true, undefined],
      ["Amount", true, "number"],
      ["CloseDate", false, "date"],
    ]);
  });

  it("should take explicit mappings over names, and refuse ones naming unknown columns or fields", () => {
    const result = plan(["Deal", "Name", "Stage", "Amount", "Opportunity ID"], {
      Deal: "{{Opportunity.Id}}",
    });
    expect(result.mapping[0]).toMatchObject({ column: "Deal", how: "map" });
    expect(result.mapping[0]!.field?.internalName).toBe("OpportunityID");
    // The field is Deal's: the column that names it too is not imported.
    expect(result.mapping[4]).toMatchObject({ column: "Opportunity ID", field: undefined });
    expect(thrown(() => plan(["A"], { B: "Name" })).code).toBe("MAPPING_UNKNOWN_COLUMN");
    expect(thrown(() => plan(["A", "Name"], { A: "Nope" })).code).toBe("MAPPING_UNKNOWN_FIELD");
  });

  it("should refuse a file that leaves a required field unfilled, naming it and the file's columns", () => {
    const error = thrown(() => plan(["Opportunity ID", "Name", "Amount"]));
    expect(error.code).toBe("MAPPING_MISSING_REQUIRED");
    expect(error.message).toContain('"Stage" ({{Opportunity.Field(Stage)}})');
    expect(error.message).toContain('the file has: "Opportunity ID", "Name", "Amount"');
  });

  it("should not import read-only fields, nor a field twice", () => {
    const result = plan(["Opportunity ID", "Name", "Stage", "Amount", "Created At", "OpportunityID"]);
    expect(result.mapping[4]).toMatchObject({ how: "read-only", field: undefined });
    expect(result.mapping[5]).toMatchObject({ how: "duplicate", field: undefined });
    expect(Object.keys(result.options.definition.fields)).not.toContain("CreatedAt");
  });

  it("should dedupe on every field when the kind has no identifier among the mapped fields", () => {
    const fields = [
      field("Event", "Event", "{{CustomObject[1].Field(Event)}}"),
      field("Email", "Email", "{{CustomObject[1].Field(Email)}}", { dataType: "emailAddress" }),
    ];
    const result = planImport(["Event", "Email"], fields, {
      kind: { name: "custom object 1", path: "/customObjects/1/imports" },
    });
    expect(result.identifier).toBeUndefined();
    expect(result.options.schema.key).toEqual(["Event", "Email"]);
    expect(result.options.definition.identifierFieldName).toBeUndefined();
    expect(result.options.schema.fields[1]).toMatchObject({ format: "email", maxLength: 254 });
    // A string field may be large text: nothing past its 32,000 characters fits.
    expect(result.options.schema.fields[0]!.maxLength).toBe(32_000);
    const named = planImport(["Event", "Email"], fields, {
      kind: { name: "custom object 1", path: "/customObjects/1/imports" },
      identifier: "email",
    });
    expect(named.options.schema.key).toEqual(["Email"]);
    expect(named.options.schema.fields[1]!.required).toBe(true);
  });

  it("should refuse a header that names no field", () => {
    expect(thrown(() => plan(["x", "y"])).code).toBe("MAPPING_EMPTY");
  });
});
