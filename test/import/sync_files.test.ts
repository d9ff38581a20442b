import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonBatcher } from "../../lib/batch/json_batcher.ts";
import { SyncFileTable } from "../../lib/import/sync_files.ts";
import {
  isEloquaBulkError,
  type JsonBatch,
  LINKAGE_SCHEMA,
  RowBatch,
  RowDeduper,
  rowKey,
} from "../../lib/mod.ts";

const FIELDS = ["OpportunityID", "EmailAddress"];

/** Who took a body's key hashes: the dedupe stage (passed on), or the batcher itself. */
type Hashed = "dedupe" | "batcher";

/** Bodies of `rows` (line = index + 2). */
function bodies(
  rows: readonly (readonly [string, string])[],
  hashed: Hashed,
  caseSensitive = {},
): JsonBatch[] {
  const batch = RowBatch.fromRows(
    rows.map((values, i) => ({ line: i + 2, values: [...values] })),
    2,
  );
  if (hashed === "dedupe") new RowDeduper({ caseSensitive }).dedupe(batch);
  const batcher = new JsonBatcher({ maxBytes: 200, caseSensitive });
  return [...batcher.push(batch), ...[batcher.flush()].filter((b) => b !== undefined)];
}

describe("SyncFileTable", () => {
  it("should trace each row of a body Eloqua holds twice to its line once, and call the second reject a repeat", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.stringMatching(/^[A-Z0-9]{1,6}$/), fc.stringMatching(/^[a-z]{1,5}@x\.org$/)),
          {
            minLength: 1,
            maxLength: 30,
            selector: ([id, email]) => `${id.toLowerCase()} ${email}`,
          },
        ),
        fc.constantFrom<Hashed>("dedupe", "batcher"),
        fc.integer({ min: 0, max: 1000 }),
        (rows, hashed, offset) => {
          const table = new SyncFileTable(FIELDS);
          for (const body of bodies(rows, hashed)) table.add(body);
          // Eloqua held every row twice: the rejects of both copies, the record indexes of the second off.
          const seen = new Map<number, number>();
          let repeats = 0;
          for (const copy of [0, 1]) {
            rows.forEach(([id, email], i) => {
              const traced = table.trace(copy === 0 ? i + 1 : rows.length + i + 1 + offset, {
                OpportunityID: id,
                EmailAddress: email,
              });
              expect(traced.line).toBe(i + 2);
              if (traced.repeat) repeats++;
              else seen.set(traced.line!, (seen.get(traced.line!) ?? 0) + 1);
            });
          }
          expect(repeats).toBe(rows.length);
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
          expect(seen.size).toBe(rows.length);
        },
      ),
    );
  });

  it("should trace every reject to its row by key hash, whatever letter case Eloqua echoes, when the key ignores case", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.stringMatching(/^[A-Z0-9]{1,6}$/), fc.stringMatching(/^[a-z]{1,5}@x\.org$/)),
          {
            minLength: 1,
            maxLength: 40,
            selector: ([id, email]) => `${id.toLowerCase()} ${email}`,
          },
        ),
        fc.boolean(),
        fc.constantFrom<Hashed>("dedupe", "batcher"),
        (rows, shuffleHint, hashed) => {
          const table = new SyncFileTable(FIELDS);
          const staged = bodies(rows, hashed);
          for (const body of staged) {
            expect(body.keyHashes).toHaveLength(body.rows);
            expect(body.key).toEqual(rowKey(LINKAGE_SCHEMA, {}, "test"));
            table.add(body);
          }
          // Each row rejected once, with values in another case; the record index right or wrong.
          rows.forEach(([id, email], i) => {
            const values = { OpportunityID: id.toLowerCase(), EmailAddress: email.toUpperCase() };
            const recordIndex = shuffleHint ? rows.length - i : i + 1;
            const line = table.lineOf(recordIndex, values);
            const found = rows.findIndex(
              ([a, b]) => a.toLowerCase() === values.OpportunityID.toLowerCase() && b === email,
            );
            expect(line).toBe(found + 2);
          });
        },
      ),
    );
  });

  it("should refuse a body whose key is not one over its fields: the batcher and the uploader share one schema", () => {
    const wide = {
      name: "three fields",
      fields: [{ name: "A" }, { name: "B" }, { name: "C" }],
      key: ["C"],
    };
    const batcher = new JsonBatcher({ schema: wide });
    batcher.push(RowBatch.fromRows([{ line: 2, values: ["a", "b", "c"] }], 3));
    const table = new SyncFileTable(FIELDS);
    const error = (() => {
      try {
        table.add(batcher.flush()!);
      } catch (e) {
        return e;
      }
    })();
    expect(isEloquaBulkError(error) && error.code).toBe("BODY_FIELDS_MISMATCH");
  });

  it("should take each row's key hash by the batcher's rule when rows come hashed by the dedupe stage, by another rule, or not at all", () => {
    const sensitive = { EmailAddress: true };
    const byDedupe = RowBatch.fromRows([{ line: 2, values: ["O1", "a@x.org"] }], 2);
    new RowDeduper({ caseSensitive: sensitive }).dedupe(byDedupe);
    const byOtherRule = RowBatch.fromRows([{ line: 3, values: ["O2", "b@x.org"] }], 2);
    new RowDeduper().dedupe(byOtherRule);
    const unhashed = RowBatch.fromRows([{ line: 4, values: ["O3", "c@x.org"] }], 2);
    const batcher = new JsonBatcher({ caseSensitive: sensitive });
    for (const batch of [byDedupe, byOtherRule, unhashed]) batcher.push(batch);
    const body = batcher.flush()!;
    expect(body.key).toEqual(rowKey(LINKAGE_SCHEMA, sensitive, "test"));
    const table = new SyncFileTable(FIELDS);
    table.add(body);
    // The e-mail's case matters under the batcher's rule, the ID's does not: for every row alike.
    expect(table.lineOf(9, { OpportunityID: "o1", EmailAddress: "a@x.org" })).toBe(2);
    expect(table.lineOf(9, { OpportunityID: "o2", EmailAddress: "b@x.org" })).toBe(3);
    expect(table.lineOf(9, { OpportunityID: "o3", EmailAddress: "C@x.org" })).toBeUndefined();
    expect(table.lineOf(9, { OpportunityID: "o3", EmailAddress: "c@x.org" })).toBe(4);
  });
});
