// An upload's fingerprint is a file's: a checkpoint the page's import leaves is tied to the file's
// content as the CLI's --checkpoint is, and the upload is given again whole after the hashing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprintFile } from "../../../lib/node/checkpoint_file.ts";
import { fingerprintStream } from "../../../lib/node/ui/fingerprint_stream.ts";

const dir = mkdtempSync(join(tmpdir(), "eloqua-fingerprint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bytes` as a stream of chunks of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

describe("fingerprintStream", () => {
  const cases = [
    ["empty", 0, 7],
    ["smaller than a MiB", 5_000, 999],
    ["exactly a MiB", 1 << 20, 65_536],
    ["larger than a MiB, chunks across its end", (1 << 20) + 12_345, 100_000],
  ] as const;

  it.each(cases)(
    "should fingerprint an upload %s as fingerprintFile does the file, and give it whole",
    async (_name, size, chunk) => {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31 + (i >> 9)) & 0xff);
      const path = join(dir, `file-${size}`);
      writeFileSync(path, bytes);
      const { fingerprint, stream } = await fingerprintStream(chunked(bytes, chunk), size);
      expect(fingerprint).toBe(fingerprintFile(path));
      expect(await collect(stream)).toEqual(bytes);
    },
  );

  it("should tell apart two uploads of one size that differ in their first MiB", async () => {
    const a = new Uint8Array(2_000).fill(1);
    const b = a.slice();
    b[1_999] = 2;
    const fa = (await fingerprintStream(chunked(a, 500), a.length)).fingerprint;
    const fb = (await fingerprintStream(chunked(b, 500), b.length)).fingerprint;
    expect(fa).not.toBe(fb);
  });
});
