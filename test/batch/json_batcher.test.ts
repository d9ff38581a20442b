import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rowsAfterLine, sliceBatch, splitBatch } from "../../lib/batch/json_batch.ts";
import { stagedKeyHash } from "../../lib/import/sync_files.ts";
import {
  batchLines,
  type JsonBatch,
  JsonBatcher,
  type JsonBatcherOptions,
  LINKAGE_SCHEMA,
  lineOfRow,
  type Reject,
  type Row,
  RowBatch,
  RowBatchBuilder,
  rowKey,
} from "../../lib/mod.ts";

const decoder = new TextDecoder();
const FIELDS = ["OpportunityID", "EmailAddress"];

function batch(rows: Row[], options: JsonBatcherOptions = {}, chunkSize = 7) {
  const rejects: Reject[] = [];
  const batcher = new JsonBatcher({ ...options, onReject: (r) => rejects.push(r) });
  const bodies: JsonBatch[] = [];
  for (let i = 0; i < rows.length; i += chunkSize)
    bodies.push(...batcher.push(RowBatch.fromRows(rows.slice(i, i + chunkSize), 2)));
  const last = batcher.flush();
  if (last) bodies.push(last);
  return { bodies, rejects, stats: batcher.stats };
}

const asObjects = (rows: Row[]) =>
  rows.map((r) => ({ OpportunityID: r.values[0], EmailAddress: r.values[1] }));
const parseBody = (b: JsonBatch) => JSON.parse(decoder.decode(b.body)) as unknown[];

describe("JsonBatcher", () => {
  it("should write the seed's request body shape", () => {
    const { bodies } = batch([
      { line: 2, values: ["1", "contact1@abccompany.com"] },
      { line: 3, values: ["2", "contact2@zyxcompany.com"] },
    ]);
    expect(decoder.decode(bodies[0]!.body)).toBe(
      '[{"OpportunityID":"1","EmailAddress":"contact1@abccompany.com"},{"OpportunityID":"2","EmailAddress":"contact2@zyxcompany.com"}]',
    );
    expect(bodies[0]!.lines).toEqual([2, 2]);
  });

  it("should write later bodies into the buffers of released ones, and never into a body still held", () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ line: i + 2, values: [`O${i}`, `u${i}@x.org`] }));
    const batcher = new JsonBatcher({ maxBytes: 200, recycleBodies: true });
    const bodies: JsonBatch[] = [];
    for (let i = 0; i < rows.length; i += 5)
      bodies.push(...batcher.push(RowBatch.fromRows(rows.slice(i, i + 5), 2)));
    const held = bodies.map((b) => decoder.decode(b.body));
    // Nothing released: every body has a buffer of its own.
    expect(new Set(bodies.map((b) => b.body.buffer)).size).toBe(bodies.length);
    const first = bodies[0]!;
    batcher.release(first.body);
    batcher.release(first.body); // twice: ignored
    batcher.release(new Uint8Array(500)); // not made here: ignored
    const more: JsonBatch[] = [];
    for (let i = 0; i < rows.length; i += 5)
      more.push(...batcher.push(RowBatch.fromRows(rows.slice(i, i + 5), 2)));
    const last = batcher.flush();
    if (last) more.push(last);
    // Exactly one later body reuses the released buffer, and the bodies still held are untouched.
    expect(more.filter((b) => b.body.buffer === first.body.buffer)).toHaveLength(1);
    expect(bodies.slice(1).map((b) => decoder.decode(b.body))).toEqual(held.slice(1));
    // What was written, read when each body was cut: every row twice, in order.
    const written = [...held, ...more.map((b) => decoder.decode(b.body))].flatMap(
      (text) => JSON.parse(text) as unknown[],
    );
    expect(written).toEqual([...asObjects(rows), ...asObjects(rows)]);
  });

  it("should hand out exact-size copies and take nothing back without recycleBodies", () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ line: i + 2, values: [`O${i}`, `u${i}@x.org`] }));
    expect(() => new JsonBatcher({ recycleBodies: "yes" as unknown as boolean })).toThrow(
      'Cannot construct JsonBatcher as recycleBodies must be a boolean: current value is "yes"',
    );
    const batcher = new JsonBatcher({ maxBytes: 200 });
    const bodies = batcher.push(RowBatch.fromRows(rows, 2));
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(body.body.buffer.byteLength).toBe(body.body.length);
    const first = decoder.decode(bodies[0]!.body);
    batcher.release(bodies[0]!.body);
    batcher.push(RowBatch.fromRows(rows, 2));
    batcher.flush();
    expect(decoder.decode(bodies[0]!.body)).toBe(first);
  });

  it("should carry a word of each row's key hash and the key it was taken by, kept by sliceBatch", () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ line: i + 2, values: [`O"${i}`, `U${i}@x.org`] }));
    const { bodies } = batch(rows, { maxBytes: 300 });
    const key = rowKey(LINKAGE_SCHEMA, {}, "test");
    let first = 0;
    for (const body of bodies) {
      const expected = rows
        .slice(first, first + body.rows)
        .map((r) => stagedKeyHash({ OpportunityID: r.values[0]!, EmailAddress: r.values[1]! }, FIELDS, key));
      first += body.rows;
      expect(body.key).toEqual(key);
      expect([...body.keyHashes!]).toEqual(expected);
      const [a, b] = splitBatch(body);
      expect([...a.keyHashes!, ...b.keyHashes!]).toEqual(expected);
      expect(b.key).toEqual(key);
    }
  });

  it("should allow a body of exactly maxBytes and cut before one byte more", () => {
    const row = { line: 2, values: ["1", "a@b.co"] };
    const one = `{"OpportunityID":"1","EmailAddress":"a@b.co"}`.length;
    const exact = 2 + 2 * one + 1;
    expect(batch([row, row], { maxBytes: exact }).bodies).toHaveLength(1);
    expect(batch([row, row], { maxBytes: exact }).bodies[0]!.body.length).toBe(exact);
    expect(batch([row, row], { maxBytes: exact - 1 }).bodies).toHaveLength(2);
  });

  it("should reject a row that cannot fit alone, and go on", () => {
    const { bodies, rejects, stats } = batch(
      [
        { line: 2, values: ["1", "a@b.co"] },
        { line: 3, values: ["2", "x".repeat(100)] },
        { line: 4, values: ["3", "c@d.co"] },
      ],
      { maxBytes: 100 },
    );
    expect(bodies.flatMap(batchLines)).toEqual([2, 4]);
    expect(rejects.map((r) => [r.line, r.code, r.stage])).toEqual([[3, "ROW_TOO_LARGE", "batch"]]);
    expect(stats.tooLarge).toBe(1);
  });

  it("should cut bodies at maxRows", () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ line: i + 2, values: [`${i}`, "a@b.co"] }));
    expect(batch(rows, { maxRows: 3 }).bodies.map((b) => b.rows)).toEqual([3, 3, 3, 1]);
  });

  it("should escape quotes, backslashes, control and non-ASCII characters as JSON, counting UTF-8 bytes", () => {
    const rows = [{ line: 2, values: ['a"b\\c\n\u0001', "é😀\u2028\ud800"] }];
    const { bodies } = batch(rows);
    expect(parseBody(bodies[0]!)).toEqual(asObjects(rows));
  });

  it("should refuse bad options with a message naming the option and value", () => {
    expect(() => new JsonBatcher({ maxBytes: 32_000_001 })).toThrow(
      "Cannot construct JsonBatcher as maxBytes must be an integer from 2 to 32000000 (Eloqua refuses larger bodies): current value is 32000001",
    );
    expect(() => new JsonBatcher({ maxRows: 0 })).toThrow(
      "Cannot construct JsonBatcher as maxRows must be a positive integer or Infinity: current value is 0",
    );
  });

  const value = fc.string({
    unit: fc.constantFrom("a", "1", "@", '"', "\\", "\n", "é", "😀", " "),
    maxLength: 12,
  });
  const rows = fc
    .array(fc.tuple(value, value), { maxLength: 50 })
    .map((pairs) => pairs.map(([a, b], i) => ({ line: i * 2 + 2, values: [a, b] })));

  it("should write bodies that flatten back to exactly the input rows, each within maxBytes, each valid JSON", () => {
    fc.assert(
      fc.property(
        rows,
        fc.integer({ min: 60, max: 400 }),
        fc.integer({ min: 1, max: 9 }),
        (input, maxBytes, chunk) => {
          const { bodies, rejects } = batch(input, { maxBytes }, chunk);
          const tooLarge = new Set(rejects.map((r) => r.line));
          const expected = input.filter((r) => !tooLarge.has(r.line));
          for (const b of bodies) {
            expect(b.body.length).toBeLessThanOrEqual(maxBytes);
            expect(b.offsets[b.rows]).toBe(b.body.length);
          }
          expect(bodies.flatMap(parseBody)).toEqual(asObjects(expected));
          expect(bodies.flatMap(batchLines)).toEqual(expected.map((r) => r.line));
          for (const line of tooLarge) {
            const row = input.find((r) => r.line === line)!;
            expect(new TextEncoder().encode(JSON.stringify(asObjects([row]))).length).toBeGreaterThan(
              maxBytes,
            );
          }
        },
      ),
    );
  });

  it("should write values held as byte spans of the input exactly as JSON.stringify does, whatever ASCII they hold", () => {
    // Spans are copied four bytes a step while plain: a quote, backslash, control or DEL byte at any offset must
    // still be escaped.
    const ascii = fc.string({
      unit: fc.oneof(
        fc.constantFrom("a", "Z", "0", "@", ".", '"', "\\", "\u007f", "\u001f", "\n", " ", "~"),
        fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
      ),
      maxLength: 24,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(ascii, ascii), { minLength: 1, maxLength: 30 }), (pairs) => {
        const text = pairs.map(([a, b]) => `${a}${b}`).join("");
        const builder = new RowBatchBuilder(2);
        let at = 0;
        pairs.forEach(([a, b], i) => {
          builder.addSpan(at, at + a.length);
          at += a.length;
          builder.addSpan(at, at + b.length);
          at += b.length;
          builder.endRow(i + 2);
        });
        const batcher = new JsonBatcher();
        const bodies = batcher.push(builder.finish(new TextEncoder().encode(text)));
        const last = batcher.flush();
        if (last) bodies.push(last);
        const expected = pairs.map(([a, b]) => ({ OpportunityID: a, EmailAddress: b }));
        expect(decoder.decode(bodies[0]!.body)).toBe(JSON.stringify(expected));
      }),
    );
  });

  it("should split and slice a body into bodies with the same rows and lines, without parsing it", () => {
    fc.assert(
      fc.property(rows, (input) => {
        fc.pre(input.length >= 2);
        const [whole] = batch(input).bodies;
        const [left, right] = splitBatch(whole!);
        expect([...parseBody(left), ...parseBody(right)]).toEqual(parseBody(whole!));
        expect([...batchLines(left), ...batchLines(right)]).toEqual(batchLines(whole!));
        const middle = sliceBatch(whole!, 1, input.length - 1);
        expect(parseBody(middle)).toEqual(parseBody(whole!).slice(1, -1));
        expect(lineOfRow(whole!, input.length - 1)).toBe(input.at(-1)!.line);
        expect(lineOfRow(whole!, input.length)).toBeUndefined();
      }),
    );
  });

  it("should count the rows of a body past any line as its line list does", () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 200 }), (input, line) => {
        for (const body of batch(input).bodies) {
          expect(rowsAfterLine(body.lines, line)).toBe(batchLines(body).filter((l) => l > line).length);
        }
      }),
    );
  });
});
