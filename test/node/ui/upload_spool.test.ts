// The copy of an upload the page keeps to read it twice: the same bytes back, never read before the
// upload ended (a read waits for it), no reading ahead of the reader (memory stays one chunk), and deleted when asked.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spoolUpload } from "../../../lib/node/ui/upload_spool.ts";

const folder = mkdtempSync(join(tmpdir(), "eloqua-ui-spool-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

/** An endless upload of 64 KiB chunks, counting how many were pulled. */
function endless(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(65_536).fill(pulled % 251));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

describe("spoolUpload", () => {
  it("should give the upload on, then the same bytes again from the copy, and delete it", async () => {
    const upload = Buffer.from(new Uint8Array(3_000_001).map((_, i) => (i * 7919) % 256));
    const path = join(folder, "whole");
    const spool = spoolUpload(new Blob([upload]).stream(), path);
    // Compared as buffers: a deep equality of millions of elements is slow.
    expect((await bytesOf(spool.stream)).equals(upload)).toBe(true);
    expect((await bytesOf(spool.reopen())).equals(upload)).toBe(true);
    await spool.remove();
    expect(existsSync(path)).toBe(false);
  });

  it("should wait for the upload's end before reading the copy, and fail if the copy is deleted first", async () => {
    const upload = Buffer.from("Opportunity ID\nOPP-1\n");
    let finish!: () => void;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(upload.subarray(0, 5));
        finish = () => {
          controller.enqueue(upload.subarray(5));
          controller.close();
        };
      },
    });
    const spool = spoolUpload(source, join(folder, "early"));
    // Pulled at once, as importRows pulls its source before the first read ends.
    const again = bytesOf(spool.reopen());
    const reader = spool.stream.getReader();
    await reader.read();
    finish();
    while (!(await reader.read()).done) {}
    expect((await again).equals(upload)).toBe(true);
    await spool.remove();

    const { stream } = endless();
    const stopped = spoolUpload(stream, join(folder, "stopped"));
    // Its failure is caught at once: it comes while remove() is awaited, before the expectation below.
    const early = stopped
      .reopen()
      .getReader()
      .read()
      .then(
        () => null,
        (error: unknown) => error,
      );
    const upstream = stopped.stream.getReader();
    await upstream.read();
    await stopped.remove();
    expect(await early).toMatchObject({ code: "UPLOAD_SPOOL_INCOMPLETE" });
    await upstream.cancel();
  });

  it("should read the upload no faster than its reader: a chunk or two ahead, not the whole upload", async () => {
    const { stream, pulled } = endless();
    const spool = spoolUpload(stream, join(folder, "paced"));
    const reader = spool.stream.getReader();
    for (let i = 0; i < 5; i++) await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pulled()).toBeLessThanOrEqual(10);
    await reader.cancel();
    await spool.remove();
  });
});
