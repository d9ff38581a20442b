import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashKey, hashRowKey, KEY_HASH } from "../../lib/dedupe/key_hash.ts";
import {
  DedupeIndex,
  linkageCaseSensitivity,
  type Reject,
  type Row,
  RowBatch,
  RowDeduper,
  type RowDeduperOptions,
} from "../../lib/mod.ts";

function dedupe(rows: Row[], options: RowDeduperOptions = {}) {
  const rejects: Reject[] = [];
  const deduper = new RowDeduper({ ...options, onReject: (r) => rejects.push(r) });
  const kept = deduper.dedupe(RowBatch.fromRows(rows, 2)).toRows();
  return { kept, rejects, deduper };
}

const rowsOf = (pairs: [string, string][]) => pairs.map(([a, b], i) => ({ line: i + 2, values: [a, b] }));

/** The oracle: a Set of normalised keys. */
function firstOccurrences(rows: Row[], caseSensitive: [boolean, boolean]) {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = JSON.stringify(row.values.map((v, k) => (caseSensitive[k] ? v : v.toLowerCase())));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

describe("RowDeduper", () => {
  it("should keep the first row of each key and report later ones as duplicates", () => {
    const { kept, rejects } = dedupe(
      rowsOf([
        ["1", "a@b.co"],
        ["1", "A@B.CO"],
        ["2", "a@b.co"],
        ["1", "a@b.co"],
      ]),
    );
    expect(kept.map((r) => r.line)).toEqual([2, 4]);
    expect(rejects.map((r) => [r.line, r.code, r.stage])).toEqual([
      [3, "DUPLICATE", "dedupe"],
      [5, "DUPLICATE", "dedupe"],
    ]);
  });

  it("should follow the definition's case rules", () => {
    const rows = rowsOf([
      ["opp", "a@b.co"],
      ["OPP", "a@b.co"],
      ["opp", "A@b.co"],
    ]);
    const sensitiveId = linkageCaseSensitivity({ linkOpportunitiesCaseSensitiveMatchField: true });
    expect(dedupe(rows, { caseSensitive: sensitiveId }).kept.map((r) => r.line)).toEqual([2, 3]);
    const sensitiveEmail = linkageCaseSensitivity({ linkOpportunitiesCaseSensitiveSourceField: true });
    expect(dedupe(rows, { caseSensitive: sensitiveEmail }).kept.map((r) => r.line)).toEqual([2, 4]);
  });

  it("should fold case of non-ASCII text too", () => {
    const { kept } = dedupe(
      rowsOf([
        ["Ünï", "x@y.z"],
        ["üNÏ", "x@y.z"],
        ["ünï", "X@Y.Z"],
      ]),
    );
    expect(kept.map((r) => r.line)).toEqual([2]);
  });

  it("should not confuse keys whose fields join to the same text", () => {
    const { kept } = dedupe(
      rowsOf([
        ["ab", "c"],
        ["a", "bc"],
        ["a", "b\u0000"],
        ["a", "b"],
      ]),
    );
    expect(kept).toHaveLength(4);
  });

  it("should keep exactly the first occurrences, in order, as a Set of keys would (oracle)", () => {
    const value = fc.string({ unit: fc.constantFrom("a", "A", "b", "é", "É", "@", "1"), maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, value), { maxLength: 60 }),
        fc.tuple(fc.boolean(), fc.boolean()),
        (pairs, [idCase, emailCase]) => {
          const rows = rowsOf(pairs);
          const { kept, rejects } = dedupe(rows, {
            caseSensitive: { OpportunityID: idCase, EmailAddress: emailCase },
          });
          expect(kept).toEqual(firstOccurrences(rows, [idCase, emailCase]));
          expect(kept.length + rejects.length).toBe(rows.length);
        },
      ),
    );
  });

  it("should be idempotent: deduping its own output drops nothing", () => {
    const value = fc.string({ unit: fc.constantFrom("a", "B", "c"), maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { maxLength: 40 }), (pairs) => {
        const once = dedupe(rowsOf(pairs)).kept;
        expect(dedupe(once).kept).toEqual(once);
      }),
    );
  });

  it("should hash row spans and strings alike", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.boolean(), (a, b, sensitive) => {
        const batch = RowBatch.fromRows([{ line: 1, values: [a, b] }], 2);
        hashRowKey(batch, 0, [0, 1], [sensitive, sensitive]);
        const fromBatch = [...KEY_HASH];
        hashKey([a, b], [sensitive, sensitive]);
        expect([...KEY_HASH]).toEqual(fromBatch);
      }),
    );
  });

  it("should refuse bad options with a message naming the option and value", () => {
    expect(() => new RowDeduper({ caseSensitive: { Nope: true } })).toThrow(
      'Cannot construct RowDeduper as caseSensitive must be keyed by key fields (OpportunityID, EmailAddress): current value is "Nope"',
    );
    expect(() => new RowDeduper({ expectedKeys: -1 })).toThrow(
      "Cannot construct DedupeIndex as expectedKeys must be a non-negative integer: current value is -1",
    );
  });
});

describe("DedupeIndex", () => {
  it("should hold every distinct key once through many growths, at ≤ 32 bytes per key", () => {
    const index = new DedupeIndex();
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      hashKey([`opp-${i}`, `user${i}@example.com`], [false, false]);
      expect(index.add(KEY_HASH[0]!, KEY_HASH[1]!, KEY_HASH[2]!, KEY_HASH[3]!)).toBe(true);
    }
    for (let i = 0; i < n; i += 7) {
      hashKey([`OPP-${i}`, `USER${i}@EXAMPLE.COM`], [false, false]);
      expect(index.add(KEY_HASH[0]!, KEY_HASH[1]!, KEY_HASH[2]!, KEY_HASH[3]!)).toBe(false);
    }
    expect(index.size).toBe(n);
    expect(index.bytes / index.size).toBeLessThanOrEqual(32);
  });

  it("should tell keys apart by their last three words (96 bits)", () => {
    const index = new DedupeIndex();
    expect(index.add(1, 7, 8, 9)).toBe(true);
    expect(index.add(1, 7, 8, 9)).toBe(false);
    // The first word is not kept: for the index this is the same key.
    expect(index.add(0x7fff_ffff, 7, 8, 9)).toBe(false);
    for (const [a, b, c, d] of [
      [1, 7 + 16, 8, 9], // same home slot, another key
      [1, 6, 8, 9],
      [1, 7, 9, 9],
      [1, 7, 8, 10],
    ]) {
      expect(index.add(a!, b!, c!, d!)).toBe(true);
    }
    expect(index.size).toBe(5);
  });

  it("should find every key added in groups, across growths and a group that straddles one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 3 })), {
          maxLength: 400,
        }),
        fc.integer({ min: 1, max: 70 }),
        (rows, group) => {
          const index = new DedupeIndex();
          const keys = new Int32Array(rows.length * 4);
          rows.forEach(([k, w], r) => {
            // Few distinct homes, so probes run long and wrap around the table's end.
            keys.set([r, k & 3, k, w], r * 4);
          });
          const fresh = new Uint8Array(group);
          const seen = new Set<string>();
          for (let from = 0; from < rows.length; from += group) {
            const count = Math.min(group, rows.length - from);
            index.addMany(keys, from, count, fresh);
            for (let j = 0; j < count; j++) {
              const [k, w] = rows[from + j]!;
              const id = `${k},${w}`;
              expect(fresh[j]).toBe(seen.has(id) ? 0 : 1);
              seen.add(id);
            }
          }
          expect(index.size).toBe(seen.size);
        },
      ),
    );
  });

  it("should size its tables from expectedKeys up front", () => {
    const index = new DedupeIndex({ expectedKeys: 1_000_000 });
    const bytes = index.bytes;
    expect(bytes).toBeGreaterThanOrEqual((1_000_000 / 0.75) * 12);
    expect(bytes / 1_000_000).toBeLessThanOrEqual(32);
    for (let i = 1; i <= 1_000_000; i++) index.add(0, i * 2654435761, i, 1);
    expect(index.size).toBe(1_000_000);
    expect(index.bytes).toBe(bytes);
  });
});
