import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyLineTable } from "../../lib/dedupe/key_line_table.ts";

/** A key as three words, from a small pool so that keys repeat, with words that differ in one bit only. */
const key = fc
  .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 }))
  .map(([n, flip]): [number, number, number] => {
    const base: [number, number, number] = [(n * 0x9e3779b1) | 0, (n * 0x85ebca6b) | 0, n | 0];
    if (flip > 0) base[flip] = base[flip]! ^ (1 << 31);
    return base;
  });

describe("KeyLineTable", () => {
  it("should answer every key's last line as a Map would, through growth", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.integer({ min: 1, max: 0xffff_ffff })), { maxLength: 3000 }),
        fc.array(key, { maxLength: 200 }),
        (writes, probes) => {
          const table = new KeyLineTable();
          const model = new Map<string, number>();
          for (const [[h0, h1, h2], line] of writes) {
            table.set(h0, h1, h2, line);
            model.set(`${h0 >>> 0},${h1 >>> 0},${h2 >>> 0}`, line);
          }
          expect(table.size).toBe(model.size);
          for (const [h0, h1, h2] of [...writes.map(([k]) => k), ...probes]) {
            expect(table.get(h0, h1, h2)).toBe(model.get(`${h0 >>> 0},${h1 >>> 0},${h2 >>> 0}`) ?? 0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("should refuse a line a slot cannot hold, and a bad size", () => {
    const table = new KeyLineTable();
    expect(() => table.set(1, 2, 3, 0)).toThrow(RangeError);
    expect(() => table.set(1, 2, 3, 2 ** 32)).toThrow(RangeError);
    expect(() => new KeyLineTable(-1)).toThrow(/expectedKeys/);
    expect(new KeyLineTable(10_000).bytes).toBe(16_384 * 16);
  });
});
