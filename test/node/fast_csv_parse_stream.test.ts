import { describe, expect, it } from "vitest";
import { generateLinkageCsv } from "../../bench/generate.ts";
import { CsvParseStream } from "../../lib/csv/csv_parse_stream.ts";
import { isEloquaBulkError, isInvalidOptionError } from "../../lib/errors.ts";
import { isCsvHeaderError } from "../../lib/mod.ts";
import { FastCsvParseStream } from "../../lib/node/fast_csv_parse_stream.ts";
import type { Reject } from "../../lib/reject.ts";
import type { Row } from "../../lib/row.ts";

const encoder = new TextEncoder();

/** A stream of `chunks` that counts how often it was pulled. */
function source<T>(chunks: readonly T[]): { stream: ReadableStream<T>; pulls: () => number } {
  let i = 0;
  let pulls = 0;
  const stream = new ReadableStream<T>(
    {
      pull(controller) {
        pulls++;
        if (i < chunks.length) controller.enqueue(chunks[i++]!);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls };
}

/** `bytes` cut into pieces of sizes cycling through `sizes` (cuts fall inside multi-byte characters too). */
function cut(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

interface Parsed {
  rows: Row[];
  batches: number;
  stats: { read: number; rejected: number };
  rejects: Reject[];
}

type ParseStream = FastCsvParseStream | CsvParseStream;

async function run(
  make: (onReject: (r: Reject) => void) => ParseStream,
  chunks: readonly (Uint8Array | string)[],
): Promise<Parsed> {
  const rejects: Reject[] = [];
  const stream = make((r) => rejects.push(r));
  const rows: Row[] = [];
  let batches = 0;
  for await (const batch of source(chunks).stream.pipeThrough(stream)) {
    batches++;
    rows.push(...batch.toRows());
  }
  return { rows, batches, stats: { ...stream.stats }, rejects };
}

const fast =
  (options = {}) =>
  (onReject: (r: Reject) => void) =>
    new FastCsvParseStream({ ...options, onReject });
const ours =
  (options = {}) =>
  (onReject: (r: Reject) => void) =>
    new CsvParseStream({ ...options, onReject });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the stream to fail");
}

describe("FastCsvParseStream", () => {
  const inputs = [
    { name: "LF, seed 1", seed: 1, crlf: false },
    { name: "CRLF, seed 2", seed: 2, crlf: true },
    {
      name: "LF, seed 3, many quotes and non-ASCII",
      seed: 3,
      crlf: false,
      quoteRate: 0.1,
      nonAsciiRate: 0.05,
    },
  ];
  for (const input of inputs) {
    it(`should give the same rows, lines and counts as CsvParseStream on generated input (${input.name})`, async () => {
      const { text, stats } = generateLinkageCsv({ rows: 3000, ...input });
      // The input holds what makes parsing interesting, or the comparison proves little.
      expect(stats.quoted).toBeGreaterThan(3);
      expect(stats.nonAscii).toBeGreaterThan(0);
      expect(text).toContain('""');
      const bytes = encoder.encode(text);
      for (const sizes of [
        [65536],
        [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987],
        [4093, 17, 1],
      ]) {
        const chunks = cut(bytes, sizes);
        const expected = await run(ours(), chunks);
        const actual = await run(fast(), chunks);
        expect(actual.rows).toEqual(expected.rows);
        expect(actual.stats).toEqual(expected.stats);
        expect(actual.stats).toEqual({ read: stats.rows, rejected: 0, byCode: {} });
        expect(actual.batches).toBeLessThanOrEqual(chunks.length);
      }
    });
  }

  it("should give the same values but not the same lines after a quoted line break (documented)", async () => {
    const chunks = ['OpportunityID,EmailAddress\n"1\nInc",a@x.io\n2,b@x.io\n'];
    const actual = await run(fast(), chunks);
    const expected = await run(ours(), chunks);
    expect(actual.rows.map((r) => r.values)).toEqual(expected.rows.map((r) => r.values));
    expect(expected.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(actual.rows.map((r) => r.line)).toEqual([2, 3]);
  });

  it("should give the same rows for text chunks as for bytes", async () => {
    const { text } = generateLinkageCsv({ rows: 500, seed: 4, nonAsciiRate: 0.2 });
    const strings = [text.slice(0, 1000), text.slice(1000, 1001), text.slice(1001)];
    const fromText = await run(fast(), strings);
    const fromBytes = await run(fast(), [encoder.encode(text)]);
    expect(fromText.rows).toEqual(fromBytes.rows);
    expect(fromText.rows).toEqual((await run(ours(), strings)).rows);
  });

  it("should pass on at most one batch per input chunk, never an empty one, rows in order", async () => {
    const chunks = ["OpportunityID,EmailAddress\n1,a@x.io\n", "2,b@x", ".io\n3,c@x.io\n", "4,d@x.io"];
    const stream = source(chunks).stream.pipeThrough(new FastCsvParseStream());
    const sizes: number[] = [];
    const lines: number[] = [];
    for await (const batch of stream) {
      sizes.push(batch.length);
      lines.push(...batch.toRows().map((r) => r.line));
    }
    // fast-csv holds a chunk's last record back until it sees what follows: one batch may come late.
    expect(sizes.length).toBeLessThanOrEqual(chunks.length);
    expect(sizes.every((n) => n > 0)).toBe(true);
    expect(lines).toEqual([2, 3, 4, 5]);
  });

  it("should reject a ragged row with CSV_FIELD_COUNT, its line and values, as CsvParseStream does", async () => {
    const chunks = ["OpportunityID,EmailAddress\n1,a@x.io\n2,b@x.io,extra\n\n3\n4,d@x.io\n"];
    const actual = await run(fast(), chunks);
    const expected = await run(ours(), chunks);
    expect(actual.rejects).toEqual(expected.rejects);
    expect(actual.rejects.map((r) => [r.code, r.line, r.stage])).toEqual([
      ["CSV_FIELD_COUNT", 3, "parse"],
      ["CSV_FIELD_COUNT", 5, "parse"],
    ]);
    expect(actual.rejects[0]!.values).toEqual({
      OpportunityID: "2",
      EmailAddress: "b@x.io",
      "column 3": "extra",
    });
    expect(actual.rows).toEqual(expected.rows);
    expect(actual.stats).toEqual({ read: 4, rejected: 2, byCode: { CSV_FIELD_COUNT: 2 } });
  });

  it("should reject a quote left open at the end with CSV_UNTERMINATED_QUOTE, as CsvParseStream does", async () => {
    const chunks = ['OpportunityID,EmailAddress\n1,a@x.io\n2,"b@x.io\n'];
    const actual = await run(fast(), chunks);
    const expected = await run(ours(), chunks);
    expect(actual.rejects.map((r) => [r.code, r.line, r.message])).toEqual(
      expected.rejects.map((r) => [r.code, r.line, r.message]),
    );
    expect(actual.stats).toEqual(expected.stats);
    expect(actual.rows).toEqual(expected.rows);
  });

  it("should reject a record that is not valid UTF-8 with CSV_INVALID_UTF8", async () => {
    const head = encoder.encode("OpportunityID,EmailAddress\n1,a@x.io\n2,");
    const bytes = new Uint8Array([...head, 0xff, ...encoder.encode("b@x.io\n3,c@x.io\n")]);
    const actual = await run(fast(), [bytes]);
    const expected = await run(ours(), [bytes]);
    expect(actual.rejects.map((r) => [r.code, r.line])).toEqual([["CSV_INVALID_UTF8", 3]]);
    expect(actual.rejects.map((r) => [r.code, r.line])).toEqual(
      expected.rejects.map((r) => [r.code, r.line]),
    );
    expect(actual.rows).toEqual(expected.rows);
  });

  it("should map columns by name, in any order and case, with the columns option", async () => {
    const chunks = ["Email,extra,opportunityid\na@x.io,z,1\n"];
    const options = { columns: { EmailAddress: "email" } };
    const actual = await run(fast(options), chunks);
    expect(actual.rows).toEqual([{ line: 2, values: ["1", "a@x.io"] }]);
    expect(actual.rows).toEqual((await run(ours(options), chunks)).rows);
  });

  it("should error with CSV_MISSING_COLUMN before any row flows when a required column is missing", async () => {
    const error = await failure(run(fast(), ["OpportunityID,Mail\n1,a@x.io\n"]));
    expect(isCsvHeaderError(error)).toBe(true);
    expect(error).toMatchObject({ code: "CSV_MISSING_COLUMN", field: "EmailAddress", line: 1 });
    const theirs = await failure(run(ours(), ["OpportunityID,Mail\n1,a@x.io\n"]));
    expect((error as Error).message).toBe((theirs as Error).message);
  });

  it("should error with CSV_NO_HEADER on empty input", async () => {
    for (const chunks of [[], [""], ["\n\n"]]) {
      const error = await failure(run(fast(), chunks));
      expect(isCsvHeaderError(error)).toBe(true);
      expect(error).toMatchObject({ code: "CSV_NO_HEADER" });
    }
  });

  it("should error with CSV_PARSE_ERROR where fast-csv cannot read the input", async () => {
    const error = await failure(
      run(fast({ sourceName: "links.csv" }), ['OpportunityID,EmailAddress\n"1"x,a@x.io\n']),
    );
    expect(isEloquaBulkError(error)).toBe(true);
    expect(error).toMatchObject({ code: "CSV_PARSE_ERROR" });
    expect((error as Error).message).toMatch(/^links\.csv: fast-csv cannot read the input \(Parse Error/);
  });

  it("should refuse a bad delimiter at construction, naming the option and the value", () => {
    let error: unknown;
    try {
      new FastCsvParseStream({ delimiter: ";;" });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Cannot construct FastCsvParseStream as delimiter must be one ASCII character other than a quote or a line break: current value is ";;"',
    );
  });

  it("should read a semicolon-separated file with the delimiter option", async () => {
    const parsed = await run(fast({ delimiter: ";" }), ["OpportunityID;EmailAddress\n1;a@x.io\n"]);
    expect(parsed.rows).toEqual([{ line: 2, values: ["1", "a@x.io"] }]);
  });

  it("should not pull more input while nobody reads its output (backpressure)", async () => {
    const { text } = generateLinkageCsv({ rows: 2000, seed: 5 });
    const chunks = cut(encoder.encode(text), [1000]);
    const input = source(chunks);
    const reader = input.stream.pipeThrough(new FastCsvParseStream()).getReader();
    await reader.read();
    // Let every pending promise and immediate run: the pipe stops once the queues are full.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(input.pulls()).toBeLessThan(6);
    expect(chunks.length).toBeGreaterThan(50);
    await reader.cancel();
  });
});
