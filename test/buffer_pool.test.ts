import { describe, expect, it } from "vitest";
import {
  BufferPool,
  CsvParseStream,
  DedupeStream,
  isInvalidOptionError,
  JsonBatchStream,
  RowBatchBuilder,
} from "../lib/mod.ts";

describe("BufferPool", () => {
  it("should give the smallest kept buffer that fits, and make a roomier one when none does", () => {
    const pool = new BufferPool();
    const big = new ArrayBuffer(400);
    const small = new ArrayBuffer(120);
    pool.give(big);
    pool.give(small);
    expect(pool.take(100)).toBe(small);
    expect(pool.take(100)).toBe(big);
    const fresh = pool.take(100);
    expect(fresh).not.toBe(big);
    expect(fresh.byteLength).toBe(125);
    expect(pool.size).toBe(0);
  });

  it("should keep at most max buffers, and ignore empty or detached ones", () => {
    const pool = new BufferPool(2);
    const detached = new ArrayBuffer(64);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    pool.give(new ArrayBuffer(0));
    expect(pool.size).toBe(0);
    for (let i = 0; i < 3; i++) pool.give(new ArrayBuffer(8));
    expect(pool.size).toBe(2);
    expect(pool.drain()).toHaveLength(2);
    expect(pool.size).toBe(0);
  });

  it("should refuse a max that is not a non-negative integer", () => {
    for (const max of [-1, 1.5, Number.NaN]) {
      let thrown: unknown;
      try {
        new BufferPool(max);
      } catch (error) {
        thrown = error;
      }
      expect(isInvalidOptionError(thrown) && thrown.option).toBe("max");
    }
  });
});

describe("RowBatchBuilder with a BufferPool", () => {
  function build(builder: RowBatchBuilder, first: number, rows: number) {
    for (let r = 0; r < rows; r++) {
      builder.addString(`o${first + r}`);
      builder.addString(`e${first + r}`);
      builder.endRow(first + r);
    }
    return builder.finish();
  }

  it("should fill the next batch into the arrays of a released one, with exact lengths and the right rows", () => {
    const pool = new BufferPool();
    const builder = new RowBatchBuilder(2, pool);
    const a = build(builder, 1, 40);
    const buffers = [a.lines.buffer, a.starts.buffer, a.ends.buffer];
    a.release();
    expect(pool.size).toBe(3);
    const b = build(builder, 100, 30);
    expect([b.lines.buffer, b.starts.buffer, b.ends.buffer].every((x) => buffers.includes(x))).toBe(true);
    expect(b.lines).toHaveLength(30);
    expect(b.starts).toHaveLength(60);
    expect(b.toRows()).toEqual(
      Array.from({ length: 30 }, (_, i) => ({ line: 100 + i, values: [`o${100 + i}`, `e${100 + i}`] })),
    );
  });

  it("should not reuse a batch's arrays until it is released, nor give them twice", () => {
    const pool = new BufferPool();
    const builder = new RowBatchBuilder(2, pool);
    const a = build(builder, 1, 10);
    const b = build(builder, 11, 10);
    expect(b.lines.buffer).not.toBe(a.lines.buffer);
    expect(a.toRows()[0]).toEqual({ line: 1, values: ["o1", "e1"] });
    a.release();
    a.release();
    expect(pool.size).toBe(3);
  });
});

describe("the stages' bufferPool and releaseRows options", () => {
  function optionError(make: () => unknown): unknown {
    try {
      make();
    } catch (error) {
      return isInvalidOptionError(error) ? error.option : error;
    }
    return undefined;
  }

  it("should refuse a bufferPool that is not one, and a releaseRows that is not a boolean", () => {
    expect(optionError(() => new CsvParseStream({ bufferPool: {} as never }))).toBe("bufferPool");
    expect(optionError(() => new DedupeStream({ bufferPool: [] as never }))).toBe("bufferPool");
    expect(optionError(() => new JsonBatchStream({ releaseRows: "yes" as never }))).toBe("releaseRows");
    expect(optionError(() => new CsvParseStream({ bufferPool: new BufferPool() }))).toBeUndefined();
  });
});
