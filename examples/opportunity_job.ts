// The whole opportunity job, as Oracle's opportunities tutorial does it: import the opportunities
// themselves, then link them to contacts, then to all contacts of accounts. Records are planned from
// each file's header and the fields Eloqua lists for the kind (GET /opportunities/fields, …): columns
// match fields by name, values are checked by type (Amount a number, Close Date a date) before
// anything is sent. Runs against one built-in emulator on 127.0.0.1, which starts with no opportunity,
// contact or account and learns them from the imports, so a link to an unknown opportunity is
// rejected by the sync (ELQ-00084) and the rest are staged.
// Run: npx tsx examples/opportunity_job.ts
import {
  EloquaBulkClient,
  IMPORT_KINDS,
  type ImportKind,
  type ImportReport,
  importLinkages,
  importRows,
  peekHeader,
  planImport,
  type Reject,
} from "../lib/mod.ts";
import { fileSource, startEmulatorServer } from "../lib/node/mod.ts";

const data = (name: string) => new URL(`data/${name}`, import.meta.url).pathname;
const emulator = await startEmulatorServer({ knownOpportunities: [], knownContacts: [], knownAccounts: [] });
try {
  const { credentials } = emulator.emulator;
  const client = new EloquaBulkClient({
    baseUrl: emulator.url,
    auth: { type: "basic", site: credentials.site, user: credentials.user, password: credentials.password },
  });

  /** One import of records: the header and Eloqua's fields make the plan, the plan the import. */
  async function importRecords(kind: ImportKind, file: string): Promise<void> {
    const fields = [];
    for await (const field of client.listFields(kind)) fields.push(field);
    const source = await fileSource(data(file));
    const { header, stream } = await peekHeader(source.stream);
    const plan = planImport(header ?? [], fields, { kind });
    const mapped = plan.mapping.filter((m) => m.field !== undefined);
    console.log(`${file}: ${mapped.map((m) => `${m.column} → ${m.field!.statement}`).join(", ")}`);
    const rejects: Reject[] = [];
    const report = await importRows(stream, {
      client,
      sourceName: source.name,
      ...plan.options,
      onReject: (reject) => rejects.push(reject),
    });
    show(file, report, rejects);
  }

  await importRecords(IMPORT_KINDS.opportunities, "opportunities.csv");
  await importRecords(IMPORT_KINDS.contacts, "contacts.csv");
  await importRecords(IMPORT_KINDS.accounts, "accounts.csv");

  // Links to contacts, matched on the e-mail address (the preset's default).
  const links = await fileSource(data("opportunity_contacts.csv"));
  const linkRejects: Reject[] = [];
  const linked = await importLinkages(links.stream, {
    client,
    sourceName: links.name,
    onReject: (reject) => linkRejects.push(reject),
  });
  show("opportunity_contacts.csv", linked, linkRejects);

  // Links to every contact of an account, matched on the account's company name.
  const accountLinks = await fileSource(data("opportunity_accounts.csv"));
  const accountRejects: Reject[] = [];
  const accounts = await importLinkages(accountLinks.stream, {
    client,
    sourceName: accountLinks.name,
    columns: { M_CompanyName: "Company Name" },
    definition: {
      entityType: "Account",
      fields: {
        OpportunityID: "{{Opportunity.Id}}",
        M_CompanyName: "{{Opportunity.Account.Field(M_CompanyName)}}",
      },
      sourceField: "M_CompanyName",
    },
    onReject: (reject) => accountRejects.push(reject),
  });
  show("opportunity_accounts.csv", accounts, accountRejects);
} finally {
  await emulator.close();
}

function show(file: string, report: ImportReport, rejects: readonly Reject[]): void {
  console.log(
    `${file}: ${JSON.stringify(report.rows)} ${report.ok ? "ok" : `not ok: ${report.error?.message}`}`,
  );
  for (const reject of rejects) console.log(`  ${reject.code}: ${reject.message}`);
}
