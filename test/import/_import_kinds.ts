// The import kinds the interruption, resume and hostile-input tests run, as one dimension: linkages (the
// preset, `eloqua-bulk import file.csv`), and opportunities, contacts and accounts (imports of records:
// `eloqua-bulk import opportunities file.csv`, or planImport on the emulator's GET /opportunities/fields
// then importRows; likewise `import contacts` and `import accounts`).
// Each gives a generated file and what Eloqua must hold once it is imported, in the same terms, so that a
// test judges every kind by the emulator's record in one way.
import type { EloquaBulkClient } from "../../lib/client/client.ts";
import type { ImportKind } from "../../lib/client/imports.ts";
import { IMPORT_KINDS } from "../../lib/client/imports.ts";
import type { EloquaField } from "../../lib/client/types.ts";
import { peekHeader } from "../../lib/csv/peek_header.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import type { ImportOptions } from "../../lib/import/import_options.ts";
import { planImport } from "../../lib/import/import_plan.ts";
import { importRows } from "../../lib/import/import_rows.ts";
import type { ImportReport } from "../../lib/import/report.ts";
import { expectedStaged, linkRows, toCsv } from "./_import_harness.ts";
import {
  duplicateOpportunityLines,
  heldOpportunities,
  OPPORTUNITY_FIELDS,
  opportunityCsv,
  opportunityKey,
  opportunityRows,
} from "./_opportunity_rows.ts";
import {
  ACCOUNT_FILE,
  CONTACT_FILE,
  duplicateRecordLines,
  heldRecords,
  type RecordFileKind,
  recordCsv,
  recordKey,
  recordRows,
} from "./_record_rows.ts";

export type KindName = "linkages" | "opportunities" | "contacts" | "accounts";

/** A generated file of one kind, and what importing it must leave in Eloqua. */
export interface KindFile {
  readonly csv: string;
  /** Data rows (the header not counted); row `i` is on line `i + 2`. */
  readonly rows: number;
  /** The keys ({@linkcode ImportKindCase.heldKey}) of the rows Eloqua must hold in the end, each once. */
  readonly expected: ReadonlySet<string>;
  /** The line each expected key is read from. */
  readonly lineOf: ReadonlyMap<string, number>;
  /** Lines of the rows the client must reject (parse or validate), in order. */
  readonly invalidLines: readonly number[];
  /** Lines of the valid rows whose key an earlier valid row had, in order. */
  readonly duplicateLines: readonly number[];
  /** The values a client-side reject of `line` must carry, by field, as the file has them (untrimmed). */
  valuesAt(line: number): Readonly<Record<string, string>> | undefined;
}

/** One kind: its files, how Eloqua's rows are keyed, and how the library and the CLI import it. */
export interface ImportKindCase {
  readonly name: KindName;
  /** The words after `import` on the CLI's command line, before the file: none for linkages, the default kind. */
  readonly cli: readonly string[];
  /** The field columns of the rejects file, between `line` and `code`. */
  readonly rejectFields: readonly string[];
  /** Data rows of a file about as large, in JSON bodies, as `linkageRows` linkage rows make. */
  rowsLike(linkageRows: number): number;
  file(rows: number, seed: number): KindFile;
  /** The key of a row Eloqua holds (an emulator record's `row`). */
  heldKey(row: Readonly<Record<string, string | undefined>>): string;
  /**
   * Imports the input `open` gives as the library's user would: importLinkages; or, for records, the
   * fields the target lists for the kind, the plan of the file's header, then importRows keeping each
   * id's last row (which reads the input a second time, as the CLI does for a file).
   */
  run(
    open: () => ReadableStream<Uint8Array | string>,
    options: ImportOptions & { client: EloquaBulkClient },
  ): Promise<ImportReport>;
}

const linkKey = (id: string, email: string): string => `${id}\u0000${email}`;

export const LINKAGES: ImportKindCase = {
  name: "linkages",
  cli: [],
  rejectFields: ["OpportunityID", "EmailAddress"],
  rowsLike: (linkageRows) => linkageRows,
  file(count, seed) {
    const rows = linkRows(count, seed);
    const lineOf = new Map<string, number>();
    rows.forEach((row, i) => {
      const k = linkKey(row.id, row.email);
      if (!lineOf.has(k)) lineOf.set(k, i + 2);
    });
    const seen = new Set<string>();
    const duplicateLines: number[] = [];
    rows.forEach((row, i) => {
      if (!row.valid) return;
      const k = linkKey(row.id.toLowerCase(), row.email.toLowerCase());
      if (seen.has(k)) duplicateLines.push(i + 2);
      else seen.add(k);
    });
    return {
      csv: toCsv(rows),
      rows: rows.length,
      expected: new Set(expectedStaged(rows)),
      lineOf,
      invalidLines: rows.flatMap((row, i) => (row.valid ? [] : [i + 2])),
      duplicateLines,
      valuesAt: (line) => {
        const row = rows[line - 2];
        return row === undefined ? undefined : { OpportunityID: row.id, EmailAddress: row.email };
      },
    };
  },
  heldKey: (row) => linkKey(row.OpportunityID ?? "", row.EmailAddress ?? ""),
  run: (open, options) => importLinkages(open(), options),
};

/** Opportunity rows are ~2.3 times the JSON of linkage rows: this many make as many bodies. */
const OPPORTUNITY_ROWS_PER_LINKAGE_ROW = 0.43;

export const OPPORTUNITIES: ImportKindCase = {
  name: "opportunities",
  cli: ["opportunities"],
  rejectFields: OPPORTUNITY_FIELDS,
  rowsLike: (linkageRows) => Math.round(linkageRows * OPPORTUNITY_ROWS_PER_LINKAGE_ROW),
  file(count, seed) {
    const rows = opportunityRows(count, seed);
    const held = heldOpportunities(rows);
    return {
      csv: opportunityCsv(rows),
      rows: rows.length,
      expected: new Set(held.map((i) => opportunityKey(rows[i]!.record))),
      lineOf: new Map(held.map((i) => [opportunityKey(rows[i]!.record), i + 2])),
      invalidLines: rows.flatMap((row, i) => (row.valid ? [] : [i + 2])),
      duplicateLines: duplicateOpportunityLines(rows),
      valuesAt: (line) => {
        const row = rows[line - 2];
        return row === undefined
          ? undefined
          : Object.fromEntries(OPPORTUNITY_FIELDS.map((field, i) => [field, row.cells[i]!]));
      },
    };
  },
  heldKey: opportunityKey,
  run: (open, options) => importRecords(IMPORT_KINDS.opportunities, open, options),
};

/**
 * Imports records of `kind` as the CLI does. The fields are listed without the run's signal, as the CLI
 * lists them before the import starts: a stop in the meantime is seen by importRows, which then reports it.
 */
async function importRecords(
  kind: ImportKind,
  open: () => ReadableStream<Uint8Array | string>,
  options: ImportOptions & { client: EloquaBulkClient },
): Promise<ImportReport> {
  const fields: EloquaField[] = [];
  for await (const field of options.client.listFields(kind)) fields.push(field);
  const { header, stream } = await peekHeader(open());
  const plan = planImport(header ?? [], fields, { kind });
  return await importRows(stream, { ...options, ...plan.options, keep: "last", reread: open });
}

/** A kind of records made by ./_record_rows.ts. */
function recordKind(
  name: "contacts" | "accounts",
  kind: ImportKind,
  made: RecordFileKind,
  rowsPerLinkageRow: number,
): ImportKindCase {
  return {
    name,
    cli: [name],
    rejectFields: made.fields,
    rowsLike: (linkageRows) => Math.round(linkageRows * rowsPerLinkageRow),
    file(count, seed) {
      const rows = recordRows(made, count, seed);
      const held = heldRecords(made, rows);
      return {
        csv: recordCsv(made, rows),
        rows: rows.length,
        expected: new Set(held.map((i) => recordKey(made, rows[i]!.record))),
        lineOf: new Map(held.map((i) => [recordKey(made, rows[i]!.record), i + 2])),
        invalidLines: rows.flatMap((row, i) => (row.valid ? [] : [i + 2])),
        duplicateLines: duplicateRecordLines(made, rows),
        valuesAt: (line) => {
          const row = rows[line - 2];
          return row === undefined
            ? undefined
            : Object.fromEntries(made.fields.map((field, i) => [field, row.cells[i]!]));
        },
      };
    },
    heldKey: (row) => recordKey(made, row),
    run: (open, options) => importRecords(kind, open, options),
  };
}

/** Contact rows, as many as make about as many bodies as linkage rows (measured: 0.39 of them). */
export const CONTACTS = recordKind("contacts", IMPORT_KINDS.contacts, CONTACT_FILE, 0.39);
/** Account rows, as many as make about as many bodies as linkage rows (measured: 0.43 of them). */
export const ACCOUNTS = recordKind("accounts", IMPORT_KINDS.accounts, ACCOUNT_FILE, 0.43);

export const KINDS: readonly ImportKindCase[] = [LINKAGES, OPPORTUNITIES, CONTACTS, ACCOUNTS];
export const KIND_BY_NAME: Readonly<Record<KindName, ImportKindCase>> = {
  linkages: LINKAGES,
  opportunities: OPPORTUNITIES,
  contacts: CONTACTS,
  accounts: ACCOUNTS,
};
