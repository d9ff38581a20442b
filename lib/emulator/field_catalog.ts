// The fields the emulator lists at `GET /opportunities/fields`, `/contacts/fields`, `/accounts/fields` and
// `/customObjects/{id}/fields`, in the shape of Oracle's OpportunityField, ContactField, AccountField and
// CustomObjectField schemas. Oracle documents the statements of the opportunity id, name, stage and amount
// (the opportunities tutorial) and Eloqua's standard contact and account fields (C_…, M_…); the other
// statements and every id here are this emulator's, as a fresh instance might have them.

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

const STAMP = "2024-01-15T09:00:00.0000000Z";

/** Fields from compact specs: constraints letters `n` not null, `r` read-only, `u` unique. */
function fields(base: string, specs: readonly Spec[]): readonly CatalogField[] {
  return Object.freeze(
    specs.map(([name, internalName, statement, dataType, constraints = ""], i) =>
      Object.freeze({
        uri: `${base}/fields/${i + 1}`,
        name,
        internalName,
        statement,
        dataType,
        hasNotNullConstraint: constraints.includes("n"),
        hasReadOnlyConstraint: constraints.includes("r"),
        hasUniquenessConstraint: constraints.includes("u"),
        createdAt: STAMP,
        createdBy: "System",
        updatedAt: STAMP,
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
  ["/opportunities", fields("/opportunities", OPPORTUNITY)],
  ["/contacts", fields("/contacts", CONTACT)],
  ["/accounts", fields("/accounts", ACCOUNT)],
  ["/customobjects/1", fields("/customObjects/1", EVENT_REGISTRATION)],
]);

/** The fields of the records under `base` (`/opportunities`, `/customObjects/1`, …), or undefined if there are none. */
export function catalogFields(base: string): readonly CatalogField[] | undefined {
  return CATALOG.get(base.toLowerCase());
}
