/** `bytes` as a stream of chunks of `size` bytes (copies), as a file or an upload arrives; `sent` receives each chunk. */
export function chunked(bytes: Uint8Array, size: number, sent?: Uint8Array[]): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const chunk = bytes.slice(offset, offset + size);
      sent?.push(chunk);
      controller.enqueue(chunk);
      offset += size;
    },
  });
}

/** A stream of the given chunks. */
export function streamOf<T>(chunks: readonly T[]): ReadableStream<T> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}
