import type { CommandName } from "./args.ts";

const USAGE = `eloqua-bulk: stream CSV files into Oracle Eloqua (Bulk API 2.0): opportunity links, opportunities,
contacts, accounts, custom objects

Usage:
  eloqua-bulk import [kind] <file.csv | -> [options]
  eloqua-bulk fields <kind> [options]
  eloqua-bulk status <sync> [options]
  eloqua-bulk rejects <sync> [--out <file.csv>] [options]
  eloqua-bulk definitions list [kind] | delete <uri>… [options]
  eloqua-bulk emulator [options]
  eloqua-bulk ui [options]
  eloqua-bulk --help | --version`;

const IMPORT = `eloqua-bulk import [kind] <file.csv | ->
  Reads the CSV (a file, or stdin for "-"), validates and de-duplicates its rows, and stages them in
  Eloqua in byte-capped JSON bodies, syncing every --files-per-sync files.
  With no credentials and no --base-url, it runs against the built-in emulator (nothing is sent to
  Eloqua), and says so.

  kind: linkages (the default: OpportunityID and a contact's EmailAddress, or --link-to accounts),
  opportunities, contacts, accounts, custom-object <id>. For these records, columns are matched to
  Eloqua's fields by name, internal name or statement, ignoring case, spaces and punctuation
  ("Opportunity ID" fills {{Opportunity.Id}}); each value is checked by its field's type before
  anything is sent, and rows are de-duplicated on the identifier: the last valid row of an identifier
  is imported, as if the rows were applied in order (the file is read twice for it; --keep first, or
  stdin, imports the first).

  --delimiter <c>             the field separator: one character or "tab" (default: the one of , ; tab |
                              seen most in the header line)
  --encoding <label>          the file's text encoding if not UTF-8: windows-1252, iso-8859-15, utf-16le, …
                              (UTF-16 with a byte order mark and gzip files are recognised on their own;
                              a file clearly in another encoding stops at once and names the likely one;
                              --encoding utf-8 reads it as UTF-8 anyway)
  --map "<column>=<field>"    read a field from this column (repeatable; field by name, internal name or
                              statement); for linkages the field is OpportunityID, EmailAddress or the
                              --match-field
  --map-file <file>           the same from a file: a JSON object {"column": "field"} or column,field rows
  --identifier <field>        the field that identifies a record (default: {{Opportunity.Id}}, the
                              contact's e-mail address, the account's company name, else a unique field)
  --keep last|first           records: which row of a repeated identifier is imported (default last
                              for a file; standard input is read once, so first)
  --link-to contacts|accounts linkages: link opportunities to contacts (default) or to all contacts of
                              an account
  --match-field <name>        linkages: the contact or account field the file names them by (default
                              C_EmailAddress for contacts, M_CompanyName for accounts), e.g. ContactIDExt

  --base-url <url>            Eloqua pod base URL (e.g. https://secure.p03.eloqua.com); http:// allowed for
                              loopback hosts only (else refused unless --allow-insecure-http); with
                              credentials and no --base-url, it is discovered from login.eloqua.com/id
  --site <s> --user <u> --password <p>
                              Basic auth (or ELOQUA_SITE, ELOQUA_USER, ELOQUA_PASSWORD; prefer the
                              environment: other users of this machine can see command lines)
  --token <t>                 OAuth bearer token (or ELOQUA_TOKEN); for OAuth with refresh, which
                              outlives an access token, see ELOQUA_CLIENT_ID below
  --import-uri <uri>          use this definition (/opportunities/contacts/imports/21); otherwise one
                              is created
  --opportunity-column <name> source column for OpportunityID (default OpportunityID, case-insensitive)
  --email-column <name>       source column for EmailAddress (default EmailAddress, case-insensitive)
  --max-batch-bytes <n>       hard cap per request body (default 4,000,000; at most 32,000,000)
  --concurrency <n>           data POSTs in flight (default 4)
  --files-per-sync <n>        sync before this many files (default 500, the most Eloqua takes)
  --retries <n>               how many times a failed request is sent again (default 5, 0 to 99): after
                              HTTP 429, 500, 502, 503, no answer or a timeout; with exponential backoff
  --report <file>             write the JSON report
  --rejects <file>            write a CSV of every row not staged: line, OpportunityID, EmailAddress,
                              code, stage, message, other (--include-duplicates to add duplicates);
                              values starting with = + - @ get a leading ' so spreadsheets show them as text
  --checkpoint <file>         keep the state needed to resume in <file> (written atomically as rows are
                              acknowledged); run the same command again to continue where it stopped.
                              Against the built-in emulator, its state is kept in <file>.emulator.json
                              (saved when the run ends, Ctrl-C included), so the rerun continues there too
  --cleanup                   when the import ends, delete the definition it created and the data it
                              left staged (a definition given with --import-uri is kept, only its staged
                              data deleted; with --checkpoint, only once the import completed, since a
                              rerun needs them); the summary says what was deleted
  --dry-run                   parse, validate, dedupe and batch; no network
  --transport <t>             how requests are sent: node-http (default: node:http with keep-alive,
                              much less CPU per MB posted than fetch) or fetch (the runtime's;
                              e.g. for a proxy only fetch honours); or ELOQUA_TRANSPORT
  --single-thread             parse, validate and hash on the main thread too (default: in a worker
                              thread, beside deduping, batching and uploading, which makes the CSV
                              work faster on 2 cores)
  --allow-insecure-http       allow an http:// --base-url that is not a loopback host
  --quiet, -q                 no progress and no summary (errors still go to stderr); the progress
                              says what it waits for: a sync Eloqua is processing, a retry; on a
                              terminal, a line per retried request as it happens
  --debug                     stack traces on errors, and a line per retried request with its error
                              (also when stderr is not a terminal)
  --help, -h                  this help
  --version                   the version`;

const FIELDS = `eloqua-bulk fields <opportunities | contacts | accounts | custom-object <id>>
  Lists the fields an import of that kind can map: name, internal name, type, constraints and statement.
  Takes the target flags of import (--base-url, --site, --user, --password, --token); without them, the
  built-in emulator's standard fields.`;

const PAST = `eloqua-bulk status <sync>
  A past sync's status, times and logs (the sync's uri, as the import's report gives it: /syncs/12).
  Exit code 1 when the sync ended in error.
eloqua-bulk rejects <sync> [--out <file.csv>]
  The records a past sync rejected, as CSV (stdout, or --out): recordIndex, code, message,
  invalidFields, then the values by field. Eloqua keeps a sync's logs and rejects for days.
eloqua-bulk definitions list [kind]
  The import definitions in Eloqua (each import creates one unless given --import-uri or a checkpoint;
  Eloqua deletes them after their autoDeleteDuration): uri, name, created, auto-delete.
eloqua-bulk definitions delete <uri>…
  Deletes import definitions and the data staged under them.
  These take the target flags of import (--base-url, --site, --user, --password, --token, --transport)
  and need credentials: the built-in emulator starts empty for each command.`;

const EMULATOR = `eloqua-bulk emulator [--port <n>] [--host <h>] [--site <s> --user <u> --password <p>] [--token <t>]
  Runs the built-in Eloqua emulator (the Bulk API 2.0 endpoints and login.eloqua.com/id) until
  SIGINT or SIGTERM. Its first line of output is "Eloqua emulator listening on http://<host>:<port>",
  then the credentials it accepts. Point the import at it with --base-url.

  --port <n>                  TCP port (default 0: a free port, printed)
  --host <h>                  interface to bind (default 127.0.0.1)
  --site, --user, --password  Basic auth credentials it accepts (default EmulatorSite, emulator.user,
                              emulator-password)
  --token <t>                 bearer token it accepts (default emulator-token)
  --state <file>              start from the state in <file> if it exists (definitions, staged rows,
                              syncs, their logs and rejects, imported records, tokens, counters), and
                              write the state there on SIGINT or SIGTERM, so the next run goes on
  --strict                    only opportunities, contacts and accounts imported into it exist: a
                              linkage to any other is rejected (ELQ-00084, ELQ-00085, ELQ-00034);
                              default: every record exists
  --fault-rate <r>            answer 503 to this share (0 to 1) of the Bulk API requests a client may
                              send again (GET, DELETE, data POSTs), drawn from a seeded PRNG
  --faults <file.json>        fault rules, the library's FaultRule objects, tried before --fault-rate:
                              [{"route": "data.post", "action": {"status": 429, "retryAfterSeconds": 1},
                              "schedule": [2]}, {"route": "sync.create", "action": "syncError", "times": 1}]
  --seed <n>                  seed of the PRNG behind fault rates (default 1: the same run fails alike)
  --latency <ms>              wait this long before answering each request not failed by a fault
  --sync-ms <ms>              how long a sync takes to finish (a fifth of it pending, then active;
                              default 25)
  --token-lifetime <s>        lifetime of the access tokens its OAuth token endpoint issues (default 28,800)
  --max-body-bytes <n>        largest data POST body it takes (default 32,000,000; one byte more: 404)
  --files-per-sync <n>        data POSTs a definition takes between syncs (default 500)
  --mode store|count          keep every staged row (store, the default) or only count them (count:
                              memory stays flat for huge runs; no rejects)`;

const UI = `eloqua-bulk ui [--port <n>] [--no-open] [target options]
  Serves a web page on 127.0.0.1 to import a file without the terminal: choose the kind, drop a CSV,
  check the mapping and the first rows, start, watch, stop and resume, download the report and the
  rejects. Prints the page's address (with a random token every request needs) and opens it in the
  browser when it can. Until SIGINT or SIGTERM.
  The target is the built-in emulator, or Eloqua with the target flags of import (--base-url, --site,
  --user, --password, --token or ELOQUA_…): the credentials stay in this process, never in the page.

  --port <n>                  TCP port (default 0: a free port, printed)
  --no-open                   print the address only; do not open a browser`;

const FOOTER = `Environment:
  ELOQUA_SITE, ELOQUA_USER, ELOQUA_PASSWORD   Basic auth for import, when no auth flag is given
  ELOQUA_TOKEN                                OAuth bearer token for import, when no auth flag is given
  ELOQUA_CLIENT_ID, ELOQUA_CLIENT_SECRET, ELOQUA_REFRESH_TOKEN
                                              OAuth with refresh, when no auth flag is given: a new
                                              access token whenever Eloqua refuses one (a long import
                                              outlives it); ELOQUA_TOKEN, if set too, is used first
  ELOQUA_REFRESH_TOKEN_FILE                   a file holding the refresh token (instead of, or besides,
                                              ELOQUA_REFRESH_TOKEN): Eloqua replaces it at each refresh,
                                              and the new one is written there (mode 600)
  ELOQUA_TOKEN_URL                            the OAuth token endpoint (default
                                              https://login.eloqua.com/auth/oauth2/token)
  ELOQUA_TRANSPORT                            node-http or fetch, when --transport is not given

Exit codes:
  0  the import completed (every row staged, rejected on the client or a duplicate; every sync ended)
  1  the import could not complete (network, authentication, Eloqua refused, interrupted)
  2  usage error (bad flag or value, unreadable file, missing column or unfilled required field); nothing
     was sent
  3  the import ran, but every row (or at least 90% of them) was rejected on the client: the summary lists
     the reasons; check the file, its mapping and its encoding`;

/** The help text: everything, or one command's. */
export function helpText(topic?: CommandName): string {
  if (topic === "import") return `${IMPORT}\n\n${FOOTER}\n`;
  if (topic === "emulator") return `${EMULATOR}\n`;
  if (topic === "fields") return `${FIELDS}\n`;
  if (topic === "ui") return `${UI}\n`;
  if (topic === "status" || topic === "rejects" || topic === "definitions") return `${PAST}\n`;
  return `${USAGE}\n\n${IMPORT}\n\n${FIELDS}\n\n${PAST}\n\n${EMULATOR}\n\n${UI}\n\n${FOOTER}\n`;
}
