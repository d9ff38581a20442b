import { describe, expect, it } from "vitest";
import { generateLinkageCsv } from "../../bench/generate.ts";
import { CsvBatchStream, isCsvHeaderError } from "../../lib/mod.ts";
import { spawnRowWorkerThread } from "../../lib/node/mod.ts";
import { batchOutcome } from "../_batch_outcome.ts";
import { chunked } from "../_chunks.ts";

const encoder = new TextEncoder();

/** The outcome of `bytes` read in chunks of 4 KiB, bodies of at most 50,000 bytes, on this thread or two. */
function run(bytes: Uint8Array, threaded: boolean) {
  return batchOutcome(chunked(bytes, 4096), {
    maxBytes: 50_000,
    ...(threaded ? { rowWorker: spawnRowWorkerThread() } : {}),
  });
}

describe("spawnRowWorkerThread", () => {
  it("should give the same bodies, rejects and counts in a worker thread as on this thread (generated CSV, CRLF)", async () => {
    const { text, stats } = generateLinkageCsv({
      rows: 20_000,
      seed: 7,
      crlf: true,
      quoteRate: 0.05,
      nonAsciiRate: 0.05,
    });
    const bytes = encoder.encode(text);
    const threaded = await run(bytes, true);
    expect(threaded.counts.read).toBe(stats.rows);
    expect(threaded).toEqual(await run(bytes, false));
  });

  it("should count rejects by code in the thread when nobody reads them (no reject objects made)", async () => {
    const { text } = generateLinkageCsv({ rows: 5_000, seed: 3, invalidRate: 0.05 });
    const bytes = encoder.encode(text);
    const stream = new CsvBatchStream({ maxBytes: 50_000, rowWorker: spawnRowWorkerThread() });
    for await (const _ of chunked(bytes, 4096).pipeThrough(stream));
    const withRejects = await run(bytes, false);
    expect(stream.counts.invalidByCode.INVALID_EMAIL).toBeGreaterThan(0);
    expect(stream.counts).toEqual(withRejects.counts);
  });

  it("should pass a header error from the thread on as a CsvHeaderError", async () => {
    const error = await run(encoder.encode("OpportunityID,mail\n1,a@b.co\n"), true).catch((e: unknown) => e);
    expect(isCsvHeaderError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("CSV_MISSING_COLUMN");
  });
});
