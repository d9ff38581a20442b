import { createHash } from "node:crypto";

/** Bytes hashed from the start, as `fingerprintFile` hashes a file's: a checkpoint ties to either alike. */
const HEAD_BYTES = 1 << 20;

/**
 * The fingerprint of an upload of `size` bytes (`size:<bytes>;head:<sha-256 of the first MiB>`, the
 * format of `fingerprintFile`), read from its first MiB, and the whole upload again: the chunks read to
 * hash are held (at most a MiB and a chunk) and given first.
 */
export async function fingerprintStream(
  source: ReadableStream<Uint8Array>,
  size: number,
): Promise<{ fingerprint: string; stream: ReadableStream<Uint8Array> }> {
  const reader = source.getReader();
  const held: Uint8Array[] = [];
  const hash = createHash("sha256");
  let hashed = 0;
  let done = false;
  while (hashed < HEAD_BYTES) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    held.push(next.value);
    const take = Math.min(next.value.byteLength, HEAD_BYTES - hashed);
    hash.update(next.value.subarray(0, take));
    hashed += take;
  }
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const first = held.shift();
      if (first !== undefined) return controller.enqueue(first);
      if (done) return controller.close();
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { fingerprint: `size:${size};head:${hash.digest("hex")}`, stream };
}
