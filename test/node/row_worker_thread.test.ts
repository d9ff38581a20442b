import { describe, expect, it } from "vitest";
import { generateLinkageCsv } from "../../bench/generate.ts";
import { batchLines } from "../../lib/batch/json_batch.ts";
import { CsvBatchStream, isCsvHeaderError, type JsonBatch, type Reject } from "../../lib/mod.ts";
import { spawnRowWorkerThread } from "../../lib/node/mod.ts";
import { chunked } from "../_chunks.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function run(bytes: Uint8Array, threaded: boolean) {
  const rejects: Reject[] = [];
  const stream = new CsvBatchStream({
    maxBytes: 50_000,
    onReject: (r) => rejects.push(r),
    ...(threaded ? { rowWorker: spawnRowWorkerThread() } : {}),
  });
  const batches: JsonBatch[] = [];
  for await (const batch of chunked(bytes, 4096).pipeThrough(stream)) batches.push(batch);
  rejects.sort((a, b) => a.line - b.line || a.stage.localeCompare(b.stage));
  return {
    bodies: batches.map((b) => decoder.decode(b.body)),
    lines: batches.map(batchLines),
    rejects,
    counts: stream.counts,
  };
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

  it("should pass a header error from the thread on as a CsvHeaderError", async () => {
    const error = await run(encoder.encode("OpportunityID,mail\n1,a@b.co\n"), true).catch((e: unknown) => e);
    expect(isCsvHeaderError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("CSV_MISSING_COLUMN");
  });
});
