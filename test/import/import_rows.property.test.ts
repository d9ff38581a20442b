// importRows of records planned by planImport, judged against a model of the documented rules
// (_records_model.ts): for random field sets of a custom object (whose sync checks no field against a
// catalog), random headers (exact, loose, prefixed, explicitly mapped, shadow and unknown columns, in any
// order) and random files (values valid and invalid for each type, duplicates in other letter case,
// quoted commas, quotes and line breaks, blank lines, a BOM, CR/LF/CRLF), cut into chunks anywhere
// (inside UTF-8 characters too), read with or without peekHeader and sent in small bodies and several
// syncs, the rows the emulator holds staged must be the model's, and so must the report's counts and
// each line's reject code.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EloquaBulkClient } from "../../lib/client/client.ts";
import { customObjectImportKind } from "../../lib/client/imports.ts";
import type { EloquaField } from "../../lib/client/types.ts";
import { peekHeader } from "../../lib/csv/peek_header.ts";
import { isImportPlanError, planImport } from "../../lib/import/import_plan.ts";
import { importRows } from "../../lib/import/import_rows.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import type { Reject } from "../../lib/reject.ts";
import { withEmulator } from "./_import_harness.ts";
import { type CsvLayout, loose, type ModelPlanOk, modelPlan, modelRows, writeCsv } from "./_records_model.ts";

const CUSTOM_OBJECT = 7;
const KIND = customObjectImportKind(CUSTOM_OBJECT);
type FieldType = "string" | "number" | "date" | "emailAddress";

// ---------------------------------------------------------------------------------------------------
// Fields and headers.

/** Field names whose loose forms (and their internal names' and statements') are all different. */
const WORDS = [
  "Close Date",
  "Amount",
  "Stage",
  "Region",
  "Event Name",
  "Score",
  "Budget",
  "Start Time",
  "Owner Email",
  "Ticket Count",
  "Venue",
  "Renewal Date",
  "Seats",
  "Manager Email",
  "Priority",
  "Launch Date",
];
/** Columns no field is named like. */
const EXTRAS = ["Notes", "Comment", "Internal Ref", "Misc 1", "Legacy Flag", "", "Row #"];
/** Column labels for `map` entries. */
const LABELS = ["Col A", "Source 2", "Feld", "Spalte 4", "Légende"];
const PREFIXES = ["Opportunity ", "contact_", "ACCOUNT-"];
const ACCENTS: Record<string, string> = { a: "á", e: "é", o: "ö", u: "ü", i: "ï", A: "Á", E: "É", O: "Ö" };

function fieldOf(word: number, dataType: FieldType, flags: number): EloquaField {
  const name = WORDS[word]!;
  return {
    name,
    internalName: `CO_${name.replaceAll(" ", "")}`,
    statement: `{{CustomObject[${CUSTOM_OBJECT}].Field[${100 + word}]}}`,
    dataType,
    hasNotNullConstraint: (flags & 3) === 0,
    hasUniquenessConstraint: (flags & 12) === 0,
    hasReadOnlyConstraint: (flags & 112) === 0,
  };
}

const fieldsArb: fc.Arbitrary<EloquaField[]> = fc
  .uniqueArray(
    fc.record({
      word: fc.nat(WORDS.length - 1),
      type: fc.constantFrom<FieldType>("string", "number", "date", "emailAddress"),
      flags: fc.nat(127),
    }),
    { minLength: 1, maxLength: 8, selector: (f) => f.word },
  )
  .map((specs) => specs.map((s) => fieldOf(s.word, s.type, s.flags)));

/** A small deterministic generator, so that one seed picks a whole spelling. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** `base` spelled loosely: letter case, accents, separators and padding changed, its loose name kept. */
function respell(base: string, seed: number): string {
  const next = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let out = "";
  for (const ch of base) {
    if (ch === " " || ch === "_") {
      out += pick([" ", "", "_", "-", ".", "  ", "/", ", "]);
      continue;
    }
    let c = next() < 0.5 ? ch.toUpperCase() : ch.toLowerCase();
    if (next() < 0.15 && ACCENTS[c] !== undefined) c = ACCENTS[c]!;
    out += c;
    if (next() < 0.08) out += pick(["_", " ", "'", "-", "."]);
  }
  return next() < 0.2 ? ` ${out} ` : out;
}

/** How a field appears in the header. */
interface FieldUse {
  how: "absent" | "name" | "internalName" | "statement" | "loose" | "prefixed" | "map";
  seed: number;
  /** For "map": the field is referred to by its name, internal name, statement, or a loose spelling. */
  ref: "name" | "internalName" | "statement" | "loose";
  /** For "map": the column's label, one of LABELS, or (`labelLikeOther`) another field's name respelled. */
  label: number;
  labelLikeOther: boolean;
  /** A second column naming the field loosely: only the first of the two in the header fills it. */
  shadow: number | null;
}

const useArb: fc.Arbitrary<FieldUse> = fc.record({
  how: fc.constantFrom<FieldUse["how"]>(
    "absent",
    "name",
    "internalName",
    "statement",
    "loose",
    "loose",
    "prefixed",
    "map",
  ),
  seed: fc.nat(),
  ref: fc.constantFrom<FieldUse["ref"]>("name", "internalName", "statement", "loose"),
  label: fc.nat(),
  labelLikeOther: fc.boolean(),
  shadow: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
});

interface HeaderCase {
  fields: EloquaField[];
  header: string[];
  map: Record<string, string>;
  identifier: string | undefined;
}

const headerParts = fc.record({
  fields: fieldsArb,
  uses: fc.array(useArb, { minLength: 8, maxLength: 8 }),
  extras: fc.uniqueArray(fc.nat(EXTRAS.length - 1), { maxLength: 3 }),
  ranks: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  identifier: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
});

type HeaderParts = typeof headerParts extends fc.Arbitrary<infer T> ? T : never;

/** The spelling of the trimmed, lower-cased name that the import's header matching compares by. */
const fold = (name: string) => name.trim().toLowerCase();

/**
 * A header for `fields` as `uses` say, in the order `ranks` say. With `runnable`, two columns never
 * differ only in case or padding (they have their own test below), and columns are added, mapped by statement,
 * for required fields left without one, so that the plan succeeds.
 */
function buildHeader(p: HeaderParts, runnable: boolean): HeaderCase {
  const { uses } = p;
  // A plan needs a writable field.
  const fields =
    runnable && p.fields.every((f) => f.hasReadOnlyConstraint === true)
      ? p.fields.map((f, i) => (i === 0 ? { ...f, hasReadOnlyConstraint: false } : f))
      : p.fields;
  type Column = { text: string; order: number; mapsTo?: string };
  const columns: Column[] = [];
  const later: Column[] = [];
  fields.forEach((field, i) => {
    const use = uses[i]!;
    const order = p.ranks[i]!;
    switch (use.how) {
      case "absent":
        break;
      case "name":
      case "internalName":
      case "statement":
        columns.push({ text: field[use.how], order });
        break;
      case "loose":
        columns.push({
          text: respell(use.seed % 2 === 0 ? field.name : field.internalName, use.seed),
          order,
        });
        break;
      case "prefixed":
        columns.push({
          text: `${PREFIXES[use.seed % PREFIXES.length]}${respell(field.name, use.seed)}`,
          order,
        });
        break;
      case "map": {
        const other = fields[use.label % fields.length]!;
        const text = use.labelLikeOther ? respell(other.name, use.seed) : LABELS[use.label % LABELS.length]!;
        const ref = use.ref === "loose" ? respell(field.name, use.seed + 1) : field[use.ref];
        columns.push({ text, order, mapsTo: ref });
        break;
      }
    }
    if (use.shadow !== null) later.push({ text: respell(field.name, use.shadow), order: p.ranks[10 + i]! });
  });
  for (const [k, e] of p.extras.entries()) later.push({ text: EXTRAS[e]!, order: p.ranks[20 + k]! });
  let kept: Column[] = [...columns, ...later];
  if (runnable) {
    const seen = new Set<string>();
    kept = kept.filter((c) => !seen.has(fold(c.text)) && seen.add(fold(c.text)) !== undefined);
  }
  kept.sort((a, b) => a.order - b.order);
  const header = kept.map((c) => c.text);
  const map: Record<string, string> = {};
  for (const c of kept) if (c.mapsTo !== undefined) map[c.text] = c.mapsTo;
  if (runnable) {
    // Fill what the plan would refuse: required fields without a column, or no column at all.
    let plan = modelPlan(header, fields, map);
    for (let n = 1; plan.error !== undefined; n++) {
      const need =
        plan.error === "MAPPING_EMPTY"
          ? fields.find((f) => f.hasReadOnlyConstraint !== true)
          : plan.missing[0];
      if (need === undefined) throw new Error("generator: every field is read-only");
      header.push(`Filler ${n}`);
      map[`Filler ${n}`] = need.statement;
      plan = modelPlan(header, fields, map);
    }
  }
  let identifier: string | undefined;
  const planned = modelPlan(header, fields, map);
  if (p.identifier !== null && planned.error === undefined) {
    identifier = planned.fields[p.identifier % planned.fields.length]!.field.name;
  }
  return { fields, header, map, identifier };
}

// ---------------------------------------------------------------------------------------------------
// Values.

const digits = (maxLength: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength });

/** Valid values most of the time, so that rows with several typed fields are staged often enough. */
function mostlyValid(
  valid: fc.Arbitrary<string>,
  invalid: fc.Arbitrary<string>,
  built: fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: invalid },
    { weight: 2, arbitrary: built },
  );
}

/** Text of any kind; also what columns that fill no field hold. */
const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("K-1", "k-1", "K-2", "Straße", "ÄRGER", "ärger") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "Deal 1",
      "with, comma",
      'say "hi"',
      "two\nlines",
      "cr\r\nlf",
      "tab\there",
      "back\\slash",
      "😀 emoji",
      "€ 5",
      "a\u007fdel",
      "",
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom("a", "A", " ", ",", '"', "\n", "\r", "é", "💥", "\t"),
      maxLength: 8,
    }),
  },
);

const numberArb: fc.Arbitrary<string> = mostlyValid(
  fc.constantFrom(
    "1250",
    "-1250.50",
    "+0.5",
    ".5",
    "5.",
    "0001250.5000",
    "123456789012345",
    "0.1234",
    "0",
    "-0",
    "000000000000000000001.10000000",
  ),
  fc.constantFrom(
    "1,000",
    "1e5",
    "1E5",
    "1234567890123456",
    "0.12345",
    "$100",
    "100 EUR",
    "abc",
    ".",
    "-",
    "+",
    "1 000",
    "١٢٣",
    "NaN",
    "Infinity",
    "0x1F",
    "1.2.3",
    "--1",
    "1_000",
    "½",
  ),
  fc
    .record({
      sign: fc.constantFrom("", "", "-", "+"),
      zeros: fc.nat(3),
      whole: digits(17),
      point: fc.boolean(),
      fraction: digits(6),
      trailing: fc.nat(3),
    })
    .map(
      (n) =>
        `${n.sign}${"0".repeat(n.zeros)}${n.whole}${n.point ? `.${n.fraction}${"0".repeat(n.trailing)}` : ""}`,
    ),
);

const two = (n: number) => String(n).padStart(2, "0");

const dateArb: fc.Arbitrary<string> = mostlyValid(
  fc.constantFrom(
    "2024-02-29",
    "2000-02-29",
    "2023-12-31",
    "2024-01-31 23:59:59",
    "01/31/2024",
    "12/31/9999",
    "10/15/2014 3:15:14 AM",
    "10/15/2014 12:00:00 pm",
    "0001-01-01",
  ),
  fc.constantFrom(
    "2023-02-29",
    "1900-02-29",
    "2024-04-31",
    "2024-13-01",
    "2024-00-10",
    "0000-01-01",
    "2024-1-5",
    "1/5/2024",
    "13/10/2014",
    "2024-01-31T10:00:00",
    "2024-01-31 10:00:00Z",
    "2024-01-31 24:00:00",
    "2024-01-31 10:60:00",
    "01/31/2024 13:00:00 PM",
    "01/31/2024 0:10:00 AM",
    "01/31/2024 10:00:00",
    "2024/01/31",
    "31.01.2024",
    "2024-01-31 10:00:00.123",
    "Jan 31 2024",
  ),
  fc
    .record({
      format: fc.nat(3),
      year: fc.oneof(fc.constantFrom(0, 1, 1900, 2000, 2023, 2024, 2100, 9999), fc.nat(9999)),
      month: fc.nat(13),
      day: fc.nat(32),
      hour: fc.nat(24),
      minute: fc.nat(60),
      second: fc.nat(60),
      shortHour: fc.boolean(),
      meridiem: fc.constantFrom("AM", "pm", "Pm", "XM"),
    })
    .map((d) => {
      const y = String(d.year).padStart(4, "0");
      const time = `${two(d.minute)}:${two(d.second)}`;
      switch (d.format) {
        case 0:
          return `${y}-${two(d.month)}-${two(d.day)}`;
        case 1:
          return `${y}-${two(d.month)}-${two(d.day)} ${two(d.hour)}:${time}`;
        case 2:
          return `${two(d.month)}/${two(d.day)}/${y}`;
        default: {
          const hour = d.shortHour ? String(d.hour % 13) : two(d.hour % 13);
          return `${two(d.month)}/${two(d.day)}/${y} ${hour}:${time} ${d.meridiem}`;
        }
      }
    }),
);

const emailArb: fc.Arbitrary<string> = mostlyValid(
  fc.constantFrom(
    "ann@example.com",
    "ANN@Example.COM",
    "a.b+c@sub.example.org",
    "x@localhost",
    "o'neil@x.io",
    "_@a-b.c",
    "user{1}@x.y",
  ),
  fc.constantFrom(
    "not-an-email",
    "a@b..c",
    "a@-b.com",
    "a@b-.com",
    "@x.com",
    "a@",
    "ä@x.com",
    "a b@x.com",
    "a@b_c.com",
    "a@@b.c",
    "a@b.c.",
    "a@.b",
    '"q"@x.com',
    "a@b\u00e9.com",
  ),
  fc
    .record({
      local: fc.integer({ min: 1, max: 200 }),
      labels: fc.array(fc.integer({ min: 0, max: 66 }), { minLength: 1, maxLength: 4 }),
      hyphen: fc.constantFrom("", "", "start", "end", "middle"),
    })
    .map(({ local, labels, hyphen }) => {
      const domain = labels.map((n, i) => {
        const label = "d".repeat(n);
        if (i !== 0 || n < 2) return label;
        if (hyphen === "start") return `-${label.slice(1)}`;
        if (hyphen === "end") return `${label.slice(1)}-`;
        if (hyphen === "middle") return `${label[0]}-${label.slice(2)}`;
        return label;
      });
      return `${"l".repeat(local)}@${domain.join(".")}`;
    }),
);

const padArb = fc.constantFrom("", "", "", "", " ", "  ", "\t", "\u00a0", "\u3000", "\n ", " \r\n");

/** A value for a column of `type` (junk when it fills no field), sometimes padded, sometimes empty. */
function valueArb(type: FieldType | undefined): fc.Arbitrary<string> {
  const typed =
    type === "number" ? numberArb : type === "date" ? dateArb : type === "emailAddress" ? emailArb : textArb;
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(padArb, typed, padArb).map(([a, v, b]) => `${a}${v}${b}`) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "\t") },
  );
}

// ---------------------------------------------------------------------------------------------------
// A whole case: header, rows, text layout, chunking and import options.

interface ImportCase extends HeaderCase {
  rows: string[][];
  layout: CsvLayout;
  chunking: { how: "cuts"; at: number[] } | { how: "every"; size: number } | { how: "insideCharacters" };
  peek: boolean;
  /** Where maxBatchBytes lies: ≥ 1 from the largest staged row up, < 1 below it (some rows too large). */
  batchRoom: number;
  concurrency: number;
  maxFilesPerSync: number;
  /** Which row of a repeated identifier is imported (`importRows`'s `keep`, with a second read). */
  keep: "first" | "last";
}

/** The type each column's values are drawn as: its field's, or the type of the field it names loosely. */
function columnTypes(c: HeaderCase): (FieldType | undefined)[] {
  const plan = modelPlan(c.header, c.fields, c.map);
  return c.header.map((column, i) => {
    const filled = plan.error === undefined ? plan.fills[i] : undefined;
    const named =
      filled ?? c.fields.find((f) => [f.name, f.internalName].some((n) => loose(n) === loose(column)));
    return named?.dataType as FieldType | undefined;
  });
}

const rowPlanArb = (types: (FieldType | undefined)[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ fresh: fc.tuple(...types.map(valueArb)) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        copyOf: fc.nat(),
        change: fc.constantFrom("same", "upper", "lower", "padded"),
      }),
    },
  );

/** A runnable header and a second column of one of its imported ones, spelled in other case or padded. */
const twinHeaderArb: fc.Arbitrary<HeaderCase> = fc
  .record({
    parts: headerParts,
    of: fc.nat(),
    at: fc.nat(),
    spelling: fc.constantFrom("upper", "lower", "padded"),
  })
  .map(({ parts, of, at, spelling }) => {
    const c = buildHeader(parts, true);
    const plan = modelPlan(c.header, c.fields, c.map);
    if (plan.error !== undefined) throw new Error(`generator: ${plan.error}`);
    const original = c.header[plan.fields[of % plan.fields.length]!.column]!;
    const twin =
      spelling === "upper"
        ? original.toUpperCase()
        : spelling === "lower"
          ? original.toLowerCase()
          : ` ${original} `;
    const header = [...c.header];
    header.splice(at % (header.length + 1), 0, twin);
    return { ...c, header };
  })
  .filter((c) => new Set(c.header).size === c.header.length);

const importCaseOf = (headers: fc.Arbitrary<HeaderCase>): fc.Arbitrary<ImportCase> =>
  headers.chain((h) => {
    const types = columnTypes(h);
    return fc
      .record({
        rows: fc.array(rowPlanArb(types), { maxLength: 40, size: "max" }).map((plans) => {
          const rows: string[][] = [];
          for (const plan of plans) {
            if ("fresh" in plan) {
              rows.push([...plan.fresh]);
              continue;
            }
            if (rows.length === 0) continue;
            const earlier = rows[plan.copyOf % rows.length]!;
            const change = (v: string) =>
              plan.change === "upper"
                ? v.toUpperCase()
                : plan.change === "lower"
                  ? v.toLowerCase()
                  : plan.change === "padded"
                    ? ` ${v} `
                    : v;
            rows.push(earlier.map(change));
          }
          return rows;
        }),
        layout: fc.record({
          eol: fc.constantFrom<CsvLayout["eol"]>("\n", "\r\n", "\r"),
          bom: fc.boolean(),
          trailingEol: fc.boolean(),
          blankAfter: fc.array(
            fc.nat(9).map((n) => n === 0),
            { minLength: 32, maxLength: 32 },
          ),
          quoteBits: fc.array(fc.oneof(fc.constant(0), fc.nat()), { minLength: 32, maxLength: 32 }),
        }),
        chunking: fc.oneof(
          fc.record({ how: fc.constant("cuts" as const), at: fc.array(fc.nat(), { maxLength: 12 }) }),
          fc.record({ how: fc.constant("every" as const), size: fc.integer({ min: 1, max: 9 }) }),
          fc.constant({ how: "insideCharacters" as const }),
        ),
        peek: fc.boolean(),
        batchRoom: fc.oneof(
          { weight: 4, arbitrary: fc.double({ min: 1, max: 3, noNaN: true }) },
          { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) },
        ),
        concurrency: fc.integer({ min: 1, max: 3 }),
        maxFilesPerSync: fc.integer({ min: 1, max: 3 }),
        keep: fc.constantFrom<ImportCase["keep"]>("first", "last"),
      })
      .map((rest) => ({ ...h, ...rest }));
  });

const importCaseArb = importCaseOf(headerParts.map((p) => buildHeader(p, true)));

// ---------------------------------------------------------------------------------------------------
// Running a case and judging it.

const utf8 = new TextEncoder();

/** The input cut as the case says; "insideCharacters" cuts before every continuation byte of UTF-8. */
function cut(bytes: Uint8Array, chunking: ImportCase["chunking"]): Uint8Array[] {
  let points: number[];
  if (chunking.how === "every") {
    points = [];
    for (let at = chunking.size; at < bytes.length; at += chunking.size) points.push(at);
  } else if (chunking.how === "cuts") {
    points = [...new Set(chunking.at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  } else {
    points = [];
    bytes.forEach((b, i) => {
      if (b >= 0x80 && b < 0xc0) points.push(i);
    });
  }
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    if (at > from) chunks.push(bytes.slice(from, at));
    from = Math.max(from, at);
  }
  return chunks;
}

function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

const jsonBytes = (row: Record<string, string>) => utf8.encode(JSON.stringify(row)).length;
const lineCodes = (list: readonly { line: number; code: string }[]) =>
  list.map((r) => `${r.line} ${r.code}`).sort();

/** The case's text, the model's plan and outcome, and the maxBatchBytes the case's room makes. */
function expectations(c: ImportCase) {
  const { text, lines } = writeCsv(c.header, c.rows, c.layout);
  const plan = modelPlan(c.header, c.fields, c.map, c.identifier);
  if (plan.error !== undefined) throw new Error(`generator: the model plan fails with ${plan.error}`);
  const records = c.rows.map((values, i) => ({ line: lines[i]!, values }));
  const unbounded = modelRows(plan, records, Number.MAX_SAFE_INTEGER, c.keep);
  const largest = Math.max(2, ...unbounded.staged.map((s) => jsonBytes(s.row) + 2));
  const maxBatchBytes = Math.max(2, Math.floor(largest * c.batchRoom));
  return { text, plan, maxBatchBytes, want: modelRows(plan, records, maxBatchBytes, c.keep) };
}

/** planImport's plan is the model's: the same columns fill the same fields, in the same schema order. */
function expectPlan(got: ReturnType<typeof planImport>, want: ModelPlanOk, header: readonly string[]): void {
  expect(got.mapping.map((m) => m.field?.internalName)).toEqual(want.fills.map((f) => f?.internalName));
  expect(got.options.schema.fields.map((f) => [f.name, f.required === true])).toEqual(
    want.fields.map((f) => [f.key, f.required]),
  );
  expect(got.identifier).toBe(want.identifier);
  expect(got.options.columns).toEqual(Object.fromEntries(want.fields.map((f) => [f.key, header[f.column]])));
}

async function runCase(server: EmulatorServer, client: EloquaBulkClient, c: ImportCase): Promise<void> {
  const { text, plan: model, maxBatchBytes, want } = expectations(c);
  const open = () => streamOf(cut(utf8.encode(text), c.chunking));
  let source: ReadableStream<Uint8Array | string> = open();
  let header: readonly string[] = c.header;
  if (c.peek) {
    const peeked = await peekHeader(source);
    expect(peeked.header).toEqual(c.header);
    header = peeked.header!;
    source = peeked.stream;
  }
  const plan = planImport(header, c.fields, {
    kind: KIND,
    map: c.map,
    ...(c.identifier === undefined ? {} : { identifier: c.identifier }),
  });
  expectPlan(plan, model, c.header);

  const rejects: Reject[] = [];
  const report = await importRows(source, {
    client,
    ...plan.options,
    maxBatchBytes,
    concurrency: c.concurrency,
    maxFilesPerSync: c.maxFilesPerSync,
    onReject: (r) => rejects.push(r),
    ...(c.keep === "last" ? { keep: "last" as const, reread: open } : {}),
  });
  expect(report.error).toBeUndefined();
  expect(report.rows).toEqual({
    read: want.read,
    invalid: want.invalid,
    duplicate: want.duplicate,
    staged: want.staged.length,
    notSent: 0,
    rejectedByEloqua: 0,
  });
  expect(report.ok).toBe(true);
  const { read, invalid, duplicate, staged, notSent } = report.rows;
  expect(read).toBe(invalid + duplicate + staged + notSent);

  // Each row not staged: on its line, with the model's code, and its values (as read when invalid,
  // trimmed for later stages).
  expect(lineCodes(rejects)).toEqual(lineCodes(want.rejects));
  for (const r of rejects) {
    expect({ line: r.line, values: r.values }).toEqual({
      line: r.line,
      values: want.rejects.find((w) => w.line === r.line)!.values,
    });
  }

  // What the emulator holds for this definition is the judge: the model's rows, keys in schema order.
  if (want.staged.length === 0) expect(report.definitionUri).toBeNull();
  const held = server.emulator.records().filter((r) => r.definitionUri === report.definitionUri);
  const got = held.map((r) => JSON.stringify(r.row));
  const expected = want.staged.map((s) => JSON.stringify(s.row));
  if (c.concurrency === 1) {
    // One body at a time: the emulator holds them in file order, so each staged row is its line's.
    expect(got.map((row, i) => `${want.staged[i]?.line}: ${row}`)).toEqual(
      want.staged.map((s) => `${s.line}: ${JSON.stringify(s.row)}`),
    );
  } else expect([...got].sort()).toEqual([...expected].sort());
  expect(held.filter((r) => r.state !== "synced")).toEqual([]);

  // Several small bodies and syncs, none over the cap, every sync a success.
  const posts = server.emulator
    .history()
    .filter((call) => call.route === "data.post" && call.path.includes(`${report.definitionUri}/data`));
  expect(posts.length).toBe(report.requests.dataPosts);
  expect(posts.filter((call) => call.bodyBytes > maxBatchBytes)).toEqual([]);
  expect(report.syncs.filter((s) => s.status !== "success")).toEqual([]);
  expect(report.syncs.reduce((n, s) => n + s.rows, 0)).toBe(want.staged.length);
}

describe("importRows of records planned by planImport", () => {
  it("should stage exactly the model's rows, with its counts and each line's reject code, however the input is chunked", {
    timeout: 120_000,
  }, async () => {
    await withEmulator({ historyLimit: 1_000_000 }, async (server, client) => {
      await fc.assert(
        fc.asyncProperty(importCaseArb, (c) => runCase(server, client, c)),
        { numRuns: 250 },
      );
    });
  });
});

describe("planImport", () => {
  it("should throw MAPPING_MISSING_REQUIRED exactly when a not-null, writable field has no column", () => {
    fc.assert(
      fc.property(headerParts, (p) => {
        const c = buildHeader(p, false);
        const want = modelPlan(c.header, c.fields, c.map);
        let thrown: unknown;
        let plan: ReturnType<typeof planImport> | undefined;
        try {
          plan = planImport(c.header, c.fields, { kind: KIND, map: c.map });
        } catch (error) {
          thrown = error;
        }
        if (want.error === undefined) {
          expect(thrown).toBeUndefined();
          expectPlan(plan!, want, c.header);
          return;
        }
        expect(isImportPlanError(thrown) ? thrown.code : thrown).toBe(want.error);
        // The message names every missing field.
        for (const f of want.missing) expect((thrown as Error).message).toContain(`"${f.name}"`);
      }),
      { numRuns: 1_000 },
    );
  });
});

/** A case of `fields`, `header`, `map` and `rows` laid out plainly, read in one chunk. */
function plainCase(c: Pick<ImportCase, "fields" | "header" | "map" | "rows">): ImportCase {
  return {
    ...c,
    identifier: undefined,
    layout: { eol: "\n", bom: false, trailingEol: true, blankAfter: [], quoteBits: [] },
    chunking: { how: "cuts", at: [] },
    peek: false,
    batchRoom: 1,
    concurrency: 1,
    maxFilesPerSync: 1,
    keep: "first",
  };
}

const field = (name: string, dataType: FieldType): EloquaField => ({
  name,
  internalName: `CO_${name}`,
  statement: `{{CustomObject[${CUSTOM_OBJECT}].Field[${name}]}}`,
  dataType,
});

// Columns that differ only in letter case or padding ("Amount" and "AMOUNT"): planImport plans the first
// to fill the field and the other not imported (or, with an explicit map, each its own field); importRows
// must run that plan as planned, not refuse the header as ambiguous. (The property found this with the
// header ["FILLER 1", "Filler 1"] and a map for the second; the import then failed CSV_DUPLICATE_COLUMN.)
describe("importRows with two columns that differ only in letter case or padding", () => {
  it("should import the first of Amount,AMOUNT as planImport planned, the other not at all", async () => {
    await withEmulator({}, (server, client) =>
      runCase(
        server,
        client,
        plainCase({
          fields: [field("Amount", "number")],
          header: ["Amount", "AMOUNT"],
          map: {},
          rows: [["5", "6"]],
        }),
      ),
    );
  });

  it("should import Budget,budget mapped to two fields by map as planImport planned", async () => {
    await withEmulator({}, (server, client) =>
      runCase(
        server,
        client,
        plainCase({
          fields: [field("Budget", "string"), field("Amount", "number")],
          header: ["Budget", "budget"],
          map: { budget: "Amount" },
          rows: [["B-1", "100"]],
        }),
      ),
    );
  });

  it("should import any such header as the model says", { timeout: 120_000 }, async () => {
    await withEmulator({ historyLimit: 1_000_000 }, (server, client) =>
      fc.assert(
        fc.asyncProperty(importCaseOf(twinHeaderArb), (c) => runCase(server, client, c)),
        { numRuns: 50 },
      ),
    );
  });
});
