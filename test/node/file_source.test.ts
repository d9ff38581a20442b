import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isEloquaBulkError, isInvalidOptionError } from "../../lib/errors.ts";
import { fileSource, isFileUnreadableError } from "../../lib/node/file_source.ts";

const dir = mkdtempSync(join(tmpdir(), "file-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function error(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("fileSource", () => {
  it("should stream a file's bytes in chunks of at most 64 KiB, with its size and name", async () => {
    const data = bytes(200_000);
    const source = await fileSource(file("data.csv", data));
    expect(source.size).toBe(200_000);
    expect(source.name).toBe("data.csv");
    const chunks = await collect(source.stream);
    expect(chunks.every((c) => c.byteLength <= 65_536)).toBe(true);
    expect(chunks.map((c) => c.byteLength)).toEqual([65_536, 65_536, 65_536, 3_392]);
    expect(Buffer.compare(concat(chunks), data)).toBe(0);
    expect(source.bytesRead).toBe(200_000);
  });

  it("should honour chunkSize, also on an exact multiple", async () => {
    const data = bytes(4096);
    const source = await fileSource(file("exact.csv", data), { chunkSize: 1024 });
    const chunks = await collect(source.stream);
    expect(chunks.map((c) => c.byteLength)).toEqual([1024, 1024, 1024, 1024]);
    expect(concat(chunks)).toEqual(data);
  });

  it("should end at once on an empty file", async () => {
    const source = await fileSource(file("empty.csv", new Uint8Array(0)));
    expect(source.size).toBe(0);
    expect(await collect(source.stream)).toEqual([]);
  });

  it("should read ahead at most one 1 MiB block of what the consumer took (backpressure)", async () => {
    const source = await fileSource(file("big.csv", bytes(5_000_000)), { chunkSize: 1000 });
    const reader = source.stream.getReader();
    const first = await reader.read();
    expect(first.value?.length).toBe(1000);
    // Give pending reads some turns of the event loop to land (an upper bound: more turns only read more).
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(source.bytesRead).toBeLessThanOrEqual(1 << 20);
    await reader.cancel();
  });

  it("should fail with FILE_UNREADABLE naming the path for a missing file", async () => {
    const path = join(dir, "missing.csv");
    const e = await error(fileSource(path));
    expect(isFileUnreadableError(e)).toBe(true);
    expect(isEloquaBulkError(e) && e.code).toBe("FILE_UNREADABLE");
    expect((e as Error).message).toBe(`Cannot read ${path}: no such file; check the path`);
  });

  it("should fail with FILE_UNREADABLE for a directory", async () => {
    const e = await error(fileSource(dir));
    expect(isFileUnreadableError(e)).toBe(true);
    expect((e as Error).message).toBe(`Cannot read ${dir}: it is a directory; pass a CSV file`);
  });

  it('should read stdin for "-", re-cut to chunkSize, with no size', async () => {
    async function* input(): AsyncGenerator<Uint8Array> {
      yield bytes(2500);
      yield new Uint8Array(0);
      yield bytes(10);
    }
    const source = await fileSource("-", { chunkSize: 1000, stdin: input() });
    expect(source.size).toBeUndefined();
    expect(source.name).toBe("stdin");
    const chunks = await collect(source.stream);
    expect(chunks.map((c) => c.byteLength)).toEqual([1000, 1000, 500, 10]);
    expect(concat(chunks)).toEqual(concat([bytes(2500), bytes(10)]));
    expect(source.bytesRead).toBe(2510);
  });

  it("should refuse a bad chunkSize with a message naming it", async () => {
    const e = await error(fileSource(join(dir, "x"), { chunkSize: 0 }));
    expect(isInvalidOptionError(e)).toBe(true);
    expect((e as Error).message).toBe(
      "Cannot construct fileSource as chunkSize must be a positive integer: current value is 0",
    );
  });
});
