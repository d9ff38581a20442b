import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonBatcher } from "../../lib/batch/json_batcher.ts";
import { SyncFileTable } from "../../lib/import/sync_files.ts";
import {
  type EloquaBulkClient,
  isInvalidOptionError,
  LINKAGE_SCHEMA,
  RowBatch,
  RowDeduper,
  type RowKey,
  rowKey,
  UploadSink,
} from "../../lib/mod.ts";

const FIELDS = ["OpportunityID", "EmailAddress"];

/** Bodies of `rows` (line = index + 2), with the dedupe stage's key hashes on the rows or without. */
function bodies(rows: readonly (readonly [string, string])[], withKeys: boolean, caseSensitive = {}) {
  const batch = RowBatch.fromRows(
    rows.map((values, i) => ({ line: i + 2, values: [...values] })),
    2,
  );
  if (withKeys) new RowDeduper({ caseSensitive }).dedupe(batch);
  const batcher = new JsonBatcher({ maxBytes: 200 });
  return [...batcher.push(batch), ...[batcher.flush()].filter((b) => b !== undefined)];
}

describe("SyncFileTable", () => {
  it("should trace each row of a body Eloqua holds twice to its line once, and call the second reject a repeat", () => {
    const key = rowKey(LINKAGE_SCHEMA, {}, "test");
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
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (rows, withKeys, offset) => {
          const table = new SyncFileTable(FIELDS, withKeys ? key : undefined);
          for (const body of bodies(rows, withKeys)) table.add(body);
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
    const key = rowKey(LINKAGE_SCHEMA, {}, "test");
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
        (rows, shuffleHint) => {
          const table = new SyncFileTable(FIELDS, key);
          const staged = bodies(rows, true);
          for (const body of staged) {
            expect(body.keyHashes).toHaveLength(body.rows);
            expect(body.rowHashes).toBeUndefined();
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

  it("should trace rejects by a hash of the row's JSON for bodies without key hashes, or without a key to read them", () => {
    const rows = [
      ["O1", "a@x.org"],
      ["O2", "b@x.org"],
      ["O3", "c@x.org"],
    ] as const;
    const plain = bodies(rows, false);
    expect(plain[0]!.rowHashes).toHaveLength(3);
    expect(plain[0]!.keyHashes).toBeUndefined();
    const keyless = new SyncFileTable(FIELDS);
    for (const body of [...plain, ...bodies(rows, true)]) keyless.add(body);
    expect(keyless.lineOf(99, { OpportunityID: "O2", EmailAddress: "b@x.org" })).toBe(3);
    expect(keyless.lineOf(99, { OpportunityID: "O2", EmailAddress: "b@x.org" })).toBe(3); // the second file's row
    expect(keyless.lineOf(99, { OpportunityID: "O2", EmailAddress: "B@X.ORG" })).toBeUndefined();
  });

  it("should refuse a key that is not one over the fields, naming the option", () => {
    const client = {} as EloquaBulkClient;
    const options = {
      client,
      definition: async () => "/opportunities/contacts/imports/1",
      fields: FIELDS,
      concurrency: 1,
      maxFilesPerSync: 500,
      maxBytesPerSync: 250_000_000,
      syncTimeoutMs: 1000,
      sourceName: "in.csv",
    };
    for (const key of [
      { fields: [0, 2], caseSensitive: [false, false] },
      { fields: [0, 0], caseSensitive: [false, false] },
      { fields: [0, 1], caseSensitive: [false] },
      { fields: [], caseSensitive: [] },
      "OpportunityID",
    ]) {
      const error = (() => {
        try {
          new UploadSink({ ...options, key: key as unknown as RowKey });
        } catch (e) {
          return e;
        }
      })();
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as Error).message).toContain("key must be a RowKey over the 2 fields");
    }
    expect(() => new UploadSink({ ...options, key: rowKey(LINKAGE_SCHEMA, {}, "test") })).not.toThrow();
  });

  it("should hash a body's rows by their JSON when it mixes rows with and without key hashes", () => {
    const withKeys = RowBatch.fromRows([{ line: 2, values: ["O1", "a@x.org"] }], 2);
    new RowDeduper().dedupe(withKeys);
    const without = RowBatch.fromRows([{ line: 3, values: ["O2", "b@x.org"] }], 2);
    const batcher = new JsonBatcher();
    batcher.push(withKeys);
    batcher.push(without);
    const body = batcher.flush()!;
    expect(body.keyHashes).toBeUndefined();
    expect(body.rowHashes).toHaveLength(2);
    const table = new SyncFileTable(FIELDS, rowKey(LINKAGE_SCHEMA, {}, "test"));
    table.add(body);
    expect(table.lineOf(1, { OpportunityID: "O1", EmailAddress: "a@x.org" })).toBe(2);
    expect(table.lineOf(1, { OpportunityID: "O2", EmailAddress: "b@x.org" })).toBe(3);
  });
});
