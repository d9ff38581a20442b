/** What {@linkcode parseCsv} found: a header row and the data rows, each with as many fields as the header. */
export type CsvParseResult =
  | { readonly ok: true; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly ok: false; readonly message: string };

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Parses RFC 4180 CSV: fields separated by commas, records by CRLF or LF, quoted fields with `""` for a
 * quote. Strict where Eloqua would have to guess: a quote inside an unquoted field, text after a closing
 * quote, an unterminated quote and a record whose field count differs from the header's are errors.
 * Empty lines are skipped. The same rules as {@linkcode CsvScanner}, which counts without keeping.
 *
 * @example
 * ```ts
 * parseCsv('OpportunityID,EmailAddress\r\n1,"a@b.c"\r\n');
 * // { ok: true, header: ["OpportunityID", "EmailAddress"], rows: [["1", "a@b.c"]] }
 * ```
 */
export function parseCsv(text: string): CsvParseResult {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let header: string[] | null = null;
  const rows: string[][] = [];
  let record: string[] = [];
  let quotedInRecord = false;
  let atRecordStart = true;
  let recordNumber = 1;
  for (;;) {
    if (atRecordStart && i >= n) break;
    atRecordStart = false;
    let value: string;
    let terminator: number; // COMMA, LF or -1 for the end of the text
    if (text.charCodeAt(i) === QUOTE) {
      quotedInRecord = true;
      let start = i + 1;
      let parts = "";
      for (;;) {
        const close = text.indexOf('"', start);
        if (close < 0) return fail(recordNumber, "a quoted field is not terminated");
        if (text.charCodeAt(close + 1) === QUOTE) {
          parts += text.slice(start, close + 1);
          start = close + 2;
          continue;
        }
        value = parts + text.slice(start, close);
        i = close + 1;
        break;
      }
      const next = text.charCodeAt(i);
      if (i >= n) terminator = -1;
      else if (next === COMMA || next === LF) terminator = next;
      else if (next === CR && text.charCodeAt(i + 1) === LF) {
        terminator = LF;
        i++;
      } else return fail(recordNumber, "text follows a closing quote");
      i++;
    } else {
      let j = i;
      let c = -1;
      while (j < n) {
        c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === QUOTE) break;
        j++;
      }
      if (j < n && c === QUOTE) return fail(recordNumber, "a quote appears inside an unquoted field");
      terminator = j >= n ? -1 : c;
      const end = terminator === LF && j > i && text.charCodeAt(j - 1) === CR ? j - 1 : j;
      value = text.slice(i, end);
      i = j + 1;
    }
    record.push(value);
    if (terminator === COMMA) continue;
    if (record.length > 1 || record[0] !== "" || quotedInRecord) {
      if (header === null) header = record;
      else if (record.length !== header.length) {
        return fail(recordNumber, `it has ${record.length} fields where the header has ${header.length}`);
      } else rows.push(record);
    }
    recordNumber++;
    record = [];
    quotedInRecord = false;
    atRecordStart = true;
    if (terminator === -1) break;
  }
  if (header === null) return { ok: false, message: "The CSV body has no header row" };
  return { ok: true, header, rows };
}

function fail(record: number, why: string): CsvParseResult {
  return { ok: false, message: `CSV record ${record} is malformed: ${why}` };
}
