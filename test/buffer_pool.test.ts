import { describe, expect, it } from "vitest";
import { BufferPool, withReuse } from "../lib/buffer_pool.ts";
import { CsvParseStream, isInvalidOptionError, RowBatchBuilder } from "../lib/mod.ts";

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

describe("memory reuse behind the API", () => {
  const csv = `OpportunityID,EmailAddress\n${Array.from({ length: 50 }, (_, i) => `O${i},u${i}@x.org\n`).join("")}`;

  async function parseWith(stream: CsvParseStream): Promise<number> {
    let rows = 0;
    const input = new ReadableStream<string>({
      start(controller) {
        controller.enqueue(csv);
        controller.close();
      },
    });
    for await (const batch of input.pipeThrough(stream)) {
      rows += batch.length;
      batch.release();
    }
    return rows;
  }

  it("should ignore a bufferPool passed as a plain option: a stage built by hand just allocates", async () => {
    const pool = new BufferPool();
    const stream = new CsvParseStream({ bufferPool: pool } as never);
    expect(await parseWith(stream)).toBe(50);
    expect(pool.size).toBe(0);
  });

  it("should reuse memory only when the composed stream hands a pool over through its own key", async () => {
    const pool = new BufferPool();
    expect(await parseWith(new CsvParseStream(withReuse({}, { pool })))).toBe(50);
    // The released batch's three arrays (lines, starts, ends) came back to the pool.
    expect(pool.size).toBe(3);
  });

  it("should keep the pool, the key hash scratch array and the reuse options out of the package's exports", async () => {
    const exports = await import("../lib/mod.ts");
    for (const name of ["BufferPool", "KEY_HASH", "hashRowKey", "REUSE", "withReuse"]) {
      expect(Object.keys(exports)).not.toContain(name);
    }
  });
});
