// The fields the emulator lists at `GET /opportunities/fields`, `/contacts/fields`, `/accounts/fields` and
// `/customObjects/{id}/fields`, in the shape of Oracle's OpportunityField, ContactField, AccountField and
// CustomObjectField schemas (dataType one of the schemas' DataType enum: number, string, boolean, date,
// emailAddress). Oracle documents the statements of the opportunity id, name, stage and amount (the
// opportunities tutorial), Eloqua's standard contact and account fields (C_…, M_…) and, in its fields
// tutorial, the contact Email Address as `/contacts/fields/100001` created and updated
// `1900-01-01T05:00:00.0000000Z`, which the standard contact and account fields copy. The other
// statements and ids are this emulator's, as a fresh instance might have them: match on them only
// against the emulator.

/** One field, as the fields endpoints answer it. */
export interface CatalogField {
  readonly uri: string;
  readonly name: string;
  readonly internalName: string;
  readonly statement: string;
  readonly dataType: "string" | "number" | "date" | "emailAddress" | "boolean";
  readonly hasNotNullConstraint: boolean;
  readonly hasReadOnlyConstraint: boolean;
  readonly hasUniquenessConstraint: boolean;
  readonly defaultValue?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

type Spec = readonly [
  name: string,
  internalName: string,
  statement: string,
  dataType: CatalogField["dataType"],
  constraints?: string,
];

/** Fields of a fresh instance's opportunities and custom objects. */
const STAMP = "2024-01-15T09:00:00.0000000Z";
/** Eloqua's standard contact (and account) fields, as Oracle's fields tutorial shows them. */
const SYSTEM_STAMP = "1900-01-01T05:00:00.0000000Z";

/**
 * Fields from compact specs, numbered from `firstId`: constraints letters `n` not null, `r` read-only,
 * `u` unique.
 */
function fields(
  base: string,
  firstId: number,
  stamp: string,
  specs: readonly Spec[],
): readonly CatalogField[] {
  return Object.freeze(
    specs.map(([name, internalName, statement, dataType, constraints = ""], i) =>
      Object.freeze({
        uri: `${base}/fields/${firstId + i}`,
        name,
        internalName,
        statement,
        dataType,
        hasNotNullConstraint: constraints.includes("n"),
        hasReadOnlyConstraint: constraints.includes("r"),
        hasUniquenessConstraint: constraints.includes("u"),
        createdAt: stamp,
        createdBy: "System",
        updatedAt: stamp,
        updatedBy: "System",
      }),
    ),
  );
}

const OPPORTUNITY: readonly Spec[] = [
  ["Opportunity ID", "OpportunityID", "{{Opportunity.Id}}", "string", "nu"],
  ["Name", "Name", "{{Opportunity.Field(Name)}}", "string", "n"],
  ["Stage", "Stage", "{{Opportunity.Field(Stage)}}", "string", "n"],
  ["Amount", "Amount", "{{Opportunity.Field(Amount)}}", "number", "n"],
  ["Close Date", "CloseDate", "{{Opportunity.Field(CloseDate)}}", "date"],
  ["Currency", "Currency", "{{Opportunity.Field(Currency)}}", "string"],
  ["Probability", "Probability", "{{Opportunity.Field(Probability)}}", "number"],
  ["Forecast To Close Date", "ForecastToCloseDate", "{{Opportunity.Field(ForecastToCloseDate)}}", "date"],
  ["Account Name", "AccountName", "{{Opportunity.Field(AccountName)}}", "string"],
  ["Owner", "Owner", "{{Opportunity.Field(Owner)}}", "string"],
  ["Type", "Type", "{{Opportunity.Field(Type)}}", "string"],
  ["Created Date", "CreatedDate", "{{Opportunity.Field(CreatedDate)}}", "date", "r"],
];

const CONTACT: readonly Spec[] = [
  ["Email Address", "C_EmailAddress", "{{Contact.Field(C_EmailAddress)}}", "emailAddress", "u"],
  ["First Name", "C_FirstName", "{{Contact.Field(C_FirstName)}}", "string"],
  ["Last Name", "C_LastName", "{{Contact.Field(C_LastName)}}", "string"],
  ["Company", "C_Company", "{{Contact.Field(C_Company)}}", "string"],
  ["Title", "C_Title", "{{Contact.Field(C_Title)}}", "string"],
  ["Business Phone", "C_BusPhone", "{{Contact.Field(C_BusPhone)}}", "string"],
  ["City", "C_City", "{{Contact.Field(C_City)}}", "string"],
  ["Country", "C_Country", "{{Contact.Field(C_Country)}}", "string"],
  ["SFDC Contact ID", "C_SFDCContactID", "{{Contact.Field(C_SFDCContactID)}}", "string"],
  ["Eloqua Contact ID", "ContactIDExt", "{{Contact.Field(ContactIDExt)}}", "string", "r"],
  ["Date Created", "C_DateCreated", "{{Contact.Field(C_DateCreated)}}", "date", "r"],
  // Export definitions use {{Contact.Id}} (Oracle's examples); whether /contacts/fields lists it, and under
  // which internal name, is unsure: listed so a linkage on {{Opportunity.Contact.Id}} can be planned.
  ["Contact ID", "ContactID", "{{Contact.Id}}", "string", "r"],
];

const ACCOUNT: readonly Spec[] = [
  ["Company Name", "M_CompanyName", "{{Account.Field(M_CompanyName)}}", "string", "n"],
  ["SFDC Account ID", "M_SFDCAccountID", "{{Account.Field(M_SFDCAccountID)}}", "string"],
  ["Country", "M_Country", "{{Account.Field(M_Country)}}", "string"],
  ["City", "M_City", "{{Account.Field(M_City)}}", "string"],
  ["Industry", "M_Industry", "{{Account.Field(M_Industry)}}", "string"],
  ["Annual Revenue", "M_Annual_Revenue", "{{Account.Field(M_Annual_Revenue)}}", "string"],
  ["Eloqua Account ID", "M_CompanyID", "{{Account.Id}}", "string", "r"],
  ["Date Created", "M_DateCreated", "{{Account.Field(M_DateCreated)}}", "date", "r"],
];

/** Custom object 1, "Event Registrations": custom object fields are named by id in statements. */
const EVENT_REGISTRATION: readonly Spec[] = [
  ["Registration ID", "Registration_ID1", "{{CustomObject[1].Field[1]}}", "string", "u"],
  ["Email Address", "Email_Address1", "{{CustomObject[1].Field[2]}}", "emailAddress", "n"],
  ["Event Name", "Event_Name1", "{{CustomObject[1].Field[3]}}", "string"],
  ["Event Date", "Event_Date1", "{{CustomObject[1].Field[4]}}", "date"],
  ["Attendees", "Attendees1", "{{CustomObject[1].Field[5]}}", "number"],
];

/** The fields of each record kind by fields path (lower case), e.g. `/opportunities/fields`. */
const CATALOG: ReadonlyMap<string, readonly CatalogField[]> = new Map([
  ["/opportunities", fields("/opportunities", 1, STAMP, OPPORTUNITY)],
  ["/contacts", fields("/contacts", 100001, SYSTEM_STAMP, CONTACT)],
  ["/accounts", fields("/accounts", 100101, SYSTEM_STAMP, ACCOUNT)],
  // Custom object field ids are the numbers in their statements.
  ["/customobjects/1", fields("/customObjects/1", 1, STAMP, EVENT_REGISTRATION)],
]);

/** The fields of the records under `base` (`/opportunities`, `/customObjects/1`, …), or undefined if there are none. */
export function catalogFields(base: string): readonly CatalogField[] | undefined {
  return CATALOG.get(base.toLowerCase());
}

/** One field of the records under `base` by its id (the last segment of its `uri`), or undefined. */
export function catalogField(base: string, id: string): CatalogField | undefined {
  if (!/^\d{1,9}$/.test(id)) return undefined;
  const suffix = `/fields/${Number(id)}`;
  return catalogFields(base)?.find((field) => field.uri.endsWith(suffix));
}
