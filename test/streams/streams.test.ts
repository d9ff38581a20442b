import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CsvBatchStream,
  CsvParseStream,
  DedupeStream,
  isCsvHeaderError,
  type JsonBatch,
  JsonBatchStream,
  type Reject,
  type RowBatch,
  ValidateStream,
} from "../../lib/mod.ts";
import { batchOutcome, chainOutcome } from "../_batch_outcome.ts";
import { chunked, streamOf } from "../_chunks.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

function csvOf(rows: [string, string][]): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return `OpportunityID,EmailAddress\r\n${rows.map(([a, b]) => `${quote(a)},${quote(b)}\r\n`).join("")}`;
}

describe("the stages composed with pipeThrough", () => {
  it("should infer the chunk types through the chain", async () => {
    const batches: ReadableStream<RowBatch> = streamOf(["OpportunityID,EmailAddress\n1,a@b.co\n"])
      .pipeThrough(new CsvParseStream())
      .pipeThrough(new ValidateStream())
      .pipeThrough(new DedupeStream());
    const bodies: ReadableStream<JsonBatch> = batches.pipeThrough(new JsonBatchStream());
    const [body] = await collect(bodies);
    expect(JSON.parse(decoder.decode(body!.body))).toEqual([{ OpportunityID: "1", EmailAddress: "a@b.co" }]);
  });
});

describe("CsvBatchStream", () => {
  const email = fc.constantFrom("a@b.co", "A@B.CO", "x@y.z", "bad", " c@d.org ", "", "é@x.org", "q@r.st");
  const id = fc.constantFrom("1", "2", "O,3", 'O"4', " ", "5");

  it("should account for every row read: read = invalid + duplicate + batched, whatever the chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(id, email), { maxLength: 60 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 60, max: 300 }),
        async (rows, size, maxBytes) => {
          const rejects: Reject[] = [];
          const stream = new CsvBatchStream({ maxBytes, onReject: (r) => rejects.push(r) });
          const bodies = await collect(chunked(encoder.encode(csvOf(rows)), size).pipeThrough(stream));
          const counts = stream.counts;
          expect(counts.read).toBe(rows.length);
          expect(counts.invalid + counts.duplicate + counts.batched).toBe(counts.read);
          expect(rejects).toHaveLength(counts.invalid + counts.duplicate);
          const staged = bodies.flatMap((b) => JSON.parse(decoder.decode(b.body)) as unknown[]);
          expect(staged).toHaveLength(counts.batched);
          const lines = [
            ...bodies.flatMap((b) => (b.lines.length > 0 ? expandLines(b) : [])),
            ...rejects.map((r) => r.line),
          ];
          expect(lines.sort((a, b) => a - b)).toEqual(rows.map((_, i) => i + 2));
          for (const body of bodies) expect(body.body.length).toBeLessThanOrEqual(maxBytes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("should give the same bodies, rejects and counts as the four stages piped by hand, though it reuses batches' arrays", async () => {
    // CsvBatchStream releases every batch once written and the parse and dedupe stages fill the next
    // ones into their arrays: a batch reused while still read would show here as a wrong body.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(id, email), { maxLength: 80 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 60, max: 300 }),
        async (rows, size, maxBytes) => {
          const bytes = encoder.encode(csvOf(rows));
          const composed = await batchOutcome(chunked(bytes, size), { maxBytes });
          expect(composed).toEqual(await chainOutcome(chunked(bytes, size), { maxBytes }));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("should error before any row flows when a required column is missing", async () => {
    const stream = new CsvBatchStream({ sourceName: "x.csv" });
    const error = await collect(streamOf(["OpportunityID,mail\n1,a@b.co\n"]).pipeThrough(stream)).catch(
      (e: unknown) => e,
    );
    expect(isCsvHeaderError(error)).toBe(true);
    expect(stream.counts.read).toBe(0);
  });

  it("should pass a source's error on downstream", async () => {
    const failing = new ReadableStream<string>({
      start(controller) {
        controller.enqueue("OpportunityID,EmailAddress\n1,a@b.co\n");
        controller.error(new Error("disk on fire"));
      },
    });
    await expect(collect(failing.pipeThrough(new CsvBatchStream()))).rejects.toThrow("disk on fire");
  });

  it("should stop pulling from the source while the consumer does not read (backpressure)", async () => {
    let pulled = 0;
    const rows = (n: number) =>
      Array.from({ length: 100 }, (_, i) => `${n}-${i},someone@example.com\n`).join("");
    const source = new ReadableStream<string>(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(pulled === 1 ? `OpportunityID,EmailAddress\n` : rows(pulled));
          if (pulled === 10_000) controller.close();
        },
      },
      { highWaterMark: 1 },
    );
    const reader = source.pipeThrough(new CsvBatchStream({ maxBytes: 10_000 })).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // Give the pipes every chance to run ahead.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pulled).toBeLessThan(20);
    await reader.cancel();
  });

  it("should cancel the source when the consumer cancels", async () => {
    let cancelled: unknown;
    const source = new ReadableStream<string>({
      start(controller) {
        controller.enqueue("OpportunityID,EmailAddress\n1,a@b.co\n");
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = source.pipeThrough(new CsvBatchStream()).getReader();
    await reader.cancel("enough");
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(cancelled).toBe("enough");
  });
});

function expandLines(batch: JsonBatch): number[] {
  const out: number[] = [];
  for (let i = 0; i < batch.lines.length; i += 2)
    for (let k = 0; k < batch.lines[i + 1]!; k++) out.push(batch.lines[i]! + k);
  return out;
}
