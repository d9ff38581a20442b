import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isCsvHeaderError,
  isEloquaBulkError,
  isInvalidOptionError,
  LINKAGE_SCHEMA,
  type RowWorkerPort,
  serveRows,
  WorkerRowStream,
} from "../../lib/mod.ts";
import { type BatchOutcome, batchOutcome, chainOutcome } from "../_batch_outcome.ts";
import { chunked, streamOf } from "../_chunks.ts";

const encoder = new TextEncoder();

/**
 * A row worker without a thread: `serveRows` in this thread, every message
 * cloned (buffers transferred) and delivered later, as a worker's would be.
 */
function inProcessWorker(): RowWorkerPort & {
  readonly terminated: () => boolean;
  /** Length of each chunk posted (bytes, or characters of a string). */
  readonly posted: number[];
  /** Spare buffers sent with each chunk. */
  readonly spares: number[];
} {
  let toMain: ((message: never) => void) | undefined;
  let terminated = false;
  const posted: number[] = [];
  const spares: number[] = [];
  const handle = serveRows((message, transfer) => {
    const copy = structuredClone(message, { transfer });
    setTimeout(() => {
      if (!terminated) toMain?.(copy as never);
    });
  });
  return {
    postMessage(message, transfer) {
      if (message.type === "chunk") {
        posted.push(message.chunk.length);
        spares.push(message.spares?.length ?? 0);
      }
      const copy = structuredClone(message, { transfer });
      setTimeout(() => {
        if (!terminated) handle(copy);
      });
    },
    listen(onMessage) {
      toMain = onMessage;
    },
    terminate() {
      terminated = true;
    },
    terminated: () => terminated,
    posted,
    spares,
  };
}

function csvOf(rows: readonly (readonly [string, string])[]): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return `OpportunityID,EmailAddress\n${rows.map(([a, b]) => `${quote(a)},${quote(b)}\n`).join("")}`;
}

/** Run `csv` through a `CsvBatchStream`, on this thread or with `worker`. */
function runBatches(
  input: ReadableStream<Uint8Array | string>,
  options: { maxBytes?: number; worker?: RowWorkerPort; chunkBytes?: number } = {},
): Promise<BatchOutcome> {
  return batchOutcome(input, {
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(options.worker === undefined ? {} : { rowWorker: options.worker }),
    ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
  });
}

describe("WorkerRowStream", () => {
  const email = fc.constantFrom(
    "a@b.co",
    "A@B.CO",
    "x@y.z",
    "bad",
    " c@d.org ",
    "",
    "é@x.org",
    "q@r.st",
    "ü@ß.de",
  );
  const id = fc.constantFrom("1", "2", "O,3", 'O"4', " ", "5", "Ü6", "😀");

  it("should give the same bodies, rejects and counts as CsvBatchStream on one thread, whatever the chunking and ending", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(id, email), { maxLength: 60 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 80, max: 400 }),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        async (rows, size, maxBytes, chunkBytes, lastLineBreak) => {
          // Without its line break, the last record is read at the end, after its chunk went back.
          const csv = csvOf(rows);
          const bytes = encoder.encode(lastLineBreak ? csv : csv.slice(0, -1));
          const alone = await runBatches(chunked(bytes, size), { maxBytes });
          const worker = inProcessWorker();
          const split = await runBatches(chunked(bytes, size), { maxBytes, worker, chunkBytes });
          expect(split).toEqual(alone);
          expect(worker.terminated()).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("should send the arrays of batches written back to the worker, and still give the reference bodies", async () => {
    const worker = inProcessWorker();
    const rows = Array.from({ length: 400 }, (_, i) => [`O${i % 350}`, `u${i}@x.org`] as const);
    const bytes = encoder.encode(csvOf(rows));
    const out = await runBatches(chunked(bytes, 64), { worker, chunkBytes: 256, maxBytes: 2000 });
    expect(out).toEqual(await chainOutcome(chunked(bytes, 64), { maxBytes: 2000 }));
    // Four arrays a batch (lines, starts, ends, keys) come back once the batcher wrote its rows.
    expect(worker.spares.reduce((a, b) => a + b, 0)).toBeGreaterThan(worker.posted.length);
    expect(worker.spares.every((n) => n % 4 === 0)).toBe(true);
  });

  it("should gather small reads into chunks of chunkBytes for the worker", async () => {
    const worker = inProcessWorker();
    const rows = Array.from({ length: 100 }, (_, i) => [`O${i}`, `u${i}@x.org`] as const);
    const bytes = encoder.encode(csvOf(rows));
    const out = await runBatches(chunked(bytes, 10), { worker, chunkBytes: 1000 });
    expect(out.counts.batched).toBe(100);
    expect(worker.posted).toEqual([
      ...Array(Math.floor(bytes.length / 1000)).fill(1000),
      bytes.length % 1000,
    ]);
  });

  it("should send the worker a copy of each chunk, so the caller's buffers stay whole", async () => {
    const bytes = encoder.encode(csvOf([["1", "a@b.co"]]));
    const sent: Uint8Array[] = [];
    await runBatches(chunked(bytes, 7, sent), { worker: inProcessWorker(), chunkBytes: 7 });
    // A transferred buffer would be detached (length 0) here.
    expect(sent.map((chunk) => chunk.length)).toEqual(sent.map((_, i) => Math.min(7, bytes.length - i * 7)));
    expect(new Uint8Array(sent.flatMap((chunk) => [...chunk]))).toEqual(bytes);
  });

  it("should error with the same CsvHeaderError as on one thread when a column is missing, and stop the worker", async () => {
    const worker = inProcessWorker();
    const csv = "OpportunityID,mail\n1,a@b.co\n";
    const error = await runBatches(streamOf([csv]), { worker }).catch((e: unknown) => e);
    const alone = await runBatches(streamOf([csv])).catch((e: unknown) => e);
    expect(isCsvHeaderError(error)).toBe(true);
    expect(isCsvHeaderError(alone)).toBe(true);
    for (const property of ["message", "code", "source", "line", "field"] as const) {
      expect((error as Record<string, unknown>)[property]).toBe((alone as Record<string, unknown>)[property]);
    }
    expect(worker.terminated()).toBe(true);
  });

  it("should error the stream with ROW_WORKER_FAILED when the worker crashes", async () => {
    const crashing: RowWorkerPort = {
      postMessage() {},
      listen(_onMessage, onError) {
        setTimeout(() => onError(new Error("out of memory")));
      },
      terminate() {},
    };
    const error = await runBatches(streamOf(["OpportunityID,EmailAddress\n"]), { worker: crashing }).catch(
      (e: unknown) => e,
    );
    expect(isEloquaBulkError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("ROW_WORKER_FAILED");
    expect((error as Error).message).toBe("The worker reading the CSV stopped: out of memory");
  });

  it("should keep at most maxInFlight chunks unanswered", async () => {
    const inner = inProcessWorker();
    let owed = 0;
    let most = 0;
    const counting: RowWorkerPort = {
      postMessage(message, transfer) {
        if (message.type !== "init") most = Math.max(most, ++owed);
        inner.postMessage(message, transfer);
      },
      listen(onMessage, onError) {
        inner.listen((message) => {
          owed--;
          onMessage(message);
        }, onError);
      },
      terminate: () => inner.terminate(),
    };
    const rows = Array.from({ length: 200 }, (_, i) => [`O${i}`, `u${i}@x.org`] as const);
    const stream = new WorkerRowStream({ worker: counting, maxInFlight: 3, chunkBytes: 64 });
    for await (const _ of chunked(encoder.encode(csvOf(rows)), 16).pipeThrough(stream)) {
      // Drain.
    }
    expect(stream.stats.read).toBe(200);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
  });

  it("should stop the worker, not throw, when the consumer cancels with answers still to come", async () => {
    const worker = inProcessWorker();
    const rows = Array.from({ length: 300 }, (_, i) => [`O${i}`, `u${i}@x.org`] as const);
    const stream = new WorkerRowStream({ worker, chunkBytes: 100 });
    const reader = chunked(encoder.encode(csvOf(rows)), 100)
      .pipeThrough(stream)
      .getReader();
    await reader.read();
    await reader.cancel("enough");
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(worker.terminated()).toBe(true);
  });

  it("should drop a last record without its line break when truncated, as CsvParseStream does", async () => {
    const stream = new WorkerRowStream({ worker: inProcessWorker() });
    const input = streamOf(["OpportunityID,EmailAddress\n1,a@b.co\n2,c@d"]);
    const reader = input.pipeThrough(stream).getReader();
    stream.truncate();
    const rows: unknown[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rows.push(...value.toRows());
    }
    expect(rows).toEqual([{ line: 2, values: ["1", "a@b.co"] }]);
    expect(stream.stats.read).toBe(1);
  });

  it("should refuse options a worker cannot take, naming them", () => {
    const schema = {
      ...LINKAGE_SCHEMA,
      fields: [LINKAGE_SCHEMA.fields[0]!, { ...LINKAGE_SCHEMA.fields[1]!, validate: () => undefined }],
    };
    let error: unknown;
    try {
      new WorkerRowStream({ worker: inProcessWorker(), schema });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/schema\.fields\[1\]\.validate must be absent/);
    expect(() => new WorkerRowStream({ worker: {} as RowWorkerPort })).toThrow(
      "Cannot construct WorkerRowStream as worker must be a RowWorkerPort (postMessage, listen, terminate), e.g. spawnRowWorkerThread()",
    );
    expect(() => new WorkerRowStream({ worker: inProcessWorker(), maxInFlight: 0 })).toThrow(
      "Cannot construct WorkerRowStream as maxInFlight must be a positive integer: current value is 0",
    );
  });
});
