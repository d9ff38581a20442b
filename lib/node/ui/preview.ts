import type { EloquaField } from "../../client/types.ts";
import { CsvParser } from "../../csv/csv_parser.ts";
import { decodeInput } from "../../csv/input_decoding.ts";
import { peekHeader } from "../../csv/peek_header.ts";
import { importLinkages } from "../../import/import_linkages.ts";
import { importRows } from "../../import/import_rows.ts";
import type { Reject } from "../../reject.ts";
import {
  type ColumnUse,
  type FieldChoice,
  type ImportChoice,
  problemOf,
  type SetupProblem,
  setupImport,
} from "./import_setup.ts";

/** Data rows shown in the preview. */
export const PREVIEW_ROWS = 20;

/** One previewed row: its line, its cells, and what validation says of it (empty: it would be sent). */
export interface PreviewRow {
  readonly line: number;
  readonly cells: readonly string[];
  readonly rejects: readonly { code: string; message: string }[];
}

/** What the page shows before an import starts. */
export interface Preview {
  readonly delimiter: string;
  readonly encoding: string;
  readonly gzip: boolean;
  readonly header: readonly string[];
  readonly choices: readonly FieldChoice[];
  readonly mapping: readonly ColumnUse[];
  readonly rows: readonly PreviewRow[];
  readonly problem: SetupProblem | undefined;
}

/**
 * Reads the start of a file (the page sends its first bytes, never all of it), detects its encoding and
 * delimiter, plans the mapping as the import will, and validates the first rows with a dry run of the
 * same import: what the page shows is what the import will do with those rows.
 */
export async function previewSample(
  sample: Uint8Array,
  name: string,
  choice: ImportChoice,
  fieldsOf: () => Promise<readonly EloquaField[]>,
): Promise<Preview> {
  const empty = { header: [], choices: [], mapping: [], rows: [] };
  let decoded: Awaited<ReturnType<typeof decodeInput>>;
  let text: string;
  try {
    decoded = await decodeInput(streamOf(sample));
    text = await wholeLines(decoded.stream);
  } catch (error) {
    return { delimiter: ",", encoding: "?", gzip: false, ...empty, problem: problemOf(error) };
  }
  const about = { encoding: decoded.encoding, gzip: decoded.gzip };
  if (text.includes("\u0000")) {
    return {
      delimiter: ",",
      ...about,
      ...empty,
      problem: {
        code: "NOT_TEXT",
        message:
          "This file is not CSV text: it holds binary data. Choose a .csv file (UTF-8, UTF-16 or gzip-compressed).",
      },
    };
  }
  const peeked = await peekHeader(streamOf(text), { delimiter: "auto" });
  if (peeked.header === undefined) {
    const why = peeked.problem ?? "the file is empty";
    return {
      delimiter: peeked.delimiter,
      ...about,
      ...empty,
      problem: {
        code: "CSV_NO_HEADER",
        message: `No header could be read (${why}): the first line must name the columns.`,
      },
    };
  }
  const header = peeked.header;
  let fields: readonly EloquaField[] = [];
  try {
    if (choice.kind.name !== "linkages") fields = await fieldsOf();
  } catch (error) {
    return { delimiter: peeked.delimiter, ...about, ...empty, header, problem: problemOf(error) };
  }
  const setup = setupImport(header, fields, choice);
  const base = {
    delimiter: peeked.delimiter,
    ...about,
    header,
    choices: setup.choices,
    mapping: setup.mapping,
  };
  if (setup.problem !== undefined)
    return { ...base, rows: rowsOf(text, peeked.delimiter, []), problem: setup.problem };
  const rejects: Reject[] = [];
  const options = {
    dryRun: true,
    sourceName: name,
    rejectDuplicates: true,
    maxRows: PREVIEW_ROWS,
    onReject: (reject: Reject) => void rejects.push(reject),
    ...(peeked.delimiter === "," ? {} : { delimiter: peeked.delimiter }),
  };
  try {
    // Records keep a repeated identifier's last valid row, as the import does: the earlier rows are the duplicates.
    if (setup.plan !== undefined)
      await importRows(streamOf(text), {
        ...options,
        ...setup.plan.options,
        keep: "last",
        reread: () => streamOf(text),
      });
    else
      await importLinkages(streamOf(text), {
        ...options,
        ...(Object.keys(setup.columns).length === 0 ? {} : { columns: setup.columns }),
        ...(setup.linkage === undefined ? {} : { definition: setup.linkage }),
      });
  } catch (error) {
    return { ...base, rows: rowsOf(text, peeked.delimiter, rejects), problem: problemOf(error) };
  }
  return { ...base, rows: rowsOf(text, peeked.delimiter, rejects), problem: undefined };
}

/** The first data rows of `text` with their line numbers and the rejects of each line. */
function rowsOf(text: string, delimiter: string, rejects: readonly Reject[]): PreviewRow[] {
  const rows: PreviewRow[] = [];
  const parser = new CsvParser({ delimiter });
  let header = true;
  const take = (line: number, cells: string[]) => {
    if (header) {
      header = false;
      return;
    }
    if (rows.length >= PREVIEW_ROWS) return;
    const mine = rejects.filter((r) => r.line === line).map((r) => ({ code: r.code, message: r.message }));
    rows.push({ line, cells, rejects: mine });
  };
  const handler = {
    record: (line: number) => {
      const cells = parser.fields();
      // Blank lines are no rows, as the import skips them.
      if (!(cells.length === 1 && cells[0] === "")) take(line, cells);
    },
    malformed: (_code: string, _message: string, line: number) => take(line, []),
  };
  parser.push(text, handler);
  parser.end(handler);
  return rows;
}

/** The decoded sample up to its last line break: a row cut by the end of the sample is no row. */
async function wholeLines(stream: ReadableStream<Uint8Array | string>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array | string>) {
      text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    }
  } catch (error) {
    // A gzip sample is cut mid-stream: what was decompressed before the cut is the preview.
    if (text === "") throw error;
  }
  const end = text.lastIndexOf("\n");
  return end < 0 ? text : text.slice(0, end + 1);
}

function streamOf(chunk: Uint8Array | string): ReadableStream<Uint8Array | string> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(chunk);
      controller.close();
    },
  });
}
