/** Receives body bytes as they arrive. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
}

/** Reading the request body failed: the client went away, so there is nobody to answer. */
export class BodyReadError extends Error {
  override readonly name = "BodyReadError";
}

/**
 * Reads a body to its very end, counting bytes, and passes chunks to `sink` while the running total stays
 * within `limit`. Reading on past the limit matters: answering before the client finished sending makes
 * it see a reset instead of the status.
 */
export async function readBody(
  body: ReadableStream<Uint8Array> | null,
  limit = Number.POSITIVE_INFINITY,
  sink?: ByteSink,
): Promise<number> {
  if (body === null) return 0;
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return total;
      total += value.byteLength;
      if (sink !== undefined && total <= limit) sink.write(value);
    }
  } catch (error) {
    throw new BodyReadError("The request body could not be read to its end", { cause: error });
  } finally {
    reader.releaseLock();
  }
}

/** Keeps the chunks of a body to decode it once complete. */
export class ByteCollector implements ByteSink {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  write(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#length += chunk.byteLength;
  }

  /** The whole body as one array (no copy when it arrived in one chunk). */
  bytes(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const all = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return all;
  }
}
