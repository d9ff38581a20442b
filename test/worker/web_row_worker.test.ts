import { afterEach, describe, expect, it } from "vitest";
import {
  type CsvBatchStreamOptions,
  isCsvHeaderError,
  isEloquaBulkError,
  isInvalidOptionError,
  isRowWorkerUnavailableError,
  spawnWebRowWorker,
} from "../../lib/mod.ts";
import { batchOutcome } from "../_batch_outcome.ts";
import { chunked } from "../_chunks.ts";

const encoder = new TextEncoder();

/** Web Workers exist on Deno, Bun and in browsers; not on Node nor in workerd. */
const HAS_WORKER = typeof (globalThis as { Worker?: unknown }).Worker === "function";

/**
 * 3,000 rows: every 50th repeats an earlier key (every other one in another letter case), every 97th has
 * an invalid e-mail, every 61st a quoted ID with a comma and a doubled quote, every 37th a non-ASCII ID,
 * and one record is malformed (an unclosed quote would swallow the rest, so: a field too many).
 */
function linkageCsv(): string {
  const lines = ["OpportunityID,EmailAddress"];
  for (let i = 0; i < 3000; i++) {
    if (i % 50 === 49) {
      const j = i - 17;
      lines.push(`O${j},${i % 100 === 99 ? `U${j}@X.ORG` : `u${j}@x.org`}`);
    } else if (i % 97 === 96) lines.push(`O${i},not-an-email-${i}`);
    else if (i % 61 === 60) lines.push(`"O${i}, ""q""",u${i}@x.org`);
    else if (i % 37 === 36) lines.push(`Ö${i}-😀,u${i}@x.org`);
    else if (i === 1500) lines.push(`O${i},u${i}@x.org,extra`);
    else lines.push(`O${i},u${i}@x.org`);
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The outcome of `bytes` read in chunks of 4 KiB, bodies of at most 20,000 bytes. */
function run(bytes: Uint8Array, options: CsvBatchStreamOptions = {}) {
  return batchOutcome(chunked(bytes, 4096), { maxBytes: 20_000, ...options });
}

describe.skipIf(!HAS_WORKER)("spawnWebRowWorker (with Web Workers: Deno, Bun, browsers)", () => {
  it("should give the same bodies, rejects and counts in a Web Worker as on this thread", async () => {
    const bytes = encoder.encode(linkageCsv());
    const alone = await run(bytes);
    // Small chunks for the worker: many messages, several in flight.
    const split = await run(bytes, { rowWorker: spawnWebRowWorker(), chunkBytes: 8192 });
    expect(alone.counts.read).toBe(3000);
    expect(alone.counts.duplicate).toBeGreaterThan(0);
    expect(new Set(alone.rejects.map((r) => r.code))).toEqual(
      new Set(["CSV_FIELD_COUNT", "INVALID_EMAIL", "DUPLICATE"]),
    );
    const all = alone.bodies.join("");
    expect(all.includes('"OpportunityID":"Ö36-😀"')).toBe(true);
    expect(all.includes('"OpportunityID":"O60, \\"q\\""')).toBe(true);
    expect(split).toEqual(alone);
    expect(split.rejects.map((r) => [r.code, r.line])).toEqual(alone.rejects.map((r) => [r.code, r.line]));
  });

  it("should take the entry module's URL as an option", async () => {
    const url = new URL("../../lib/worker/web_row_worker_entry.ts", import.meta.url);
    const bytes = encoder.encode("OpportunityID,EmailAddress\n1,a@b.co\n2,bad\n1,A@B.CO\n");
    const out = await run(bytes, { rowWorker: spawnWebRowWorker({ url }) });
    expect(out.counts).toEqual({
      read: 3,
      invalid: 1,
      duplicate: 1,
      batched: 1,
      skipped: 0,
      invalidByCode: { INVALID_EMAIL: 1 },
    });
  });

  it("should pass a header error from the worker on as a CsvHeaderError", async () => {
    const bytes = encoder.encode("OpportunityID,mail\n1,a@b.co\n");
    const error = await run(bytes, { rowWorker: spawnWebRowWorker() }).catch((e: unknown) => e);
    expect(isCsvHeaderError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("CSV_MISSING_COLUMN");
  });

  it("should fail the stream with ROW_WORKER_FAILED when the worker's module cannot load", async () => {
    const url = new URL("./no_such_entry.ts", import.meta.url);
    const bytes = encoder.encode("OpportunityID,EmailAddress\n1,a@b.co\n");
    const error = await run(bytes, { rowWorker: spawnWebRowWorker({ url }) }).catch((e: unknown) => e);
    expect(isEloquaBulkError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("ROW_WORKER_FAILED");
  });
});

describe("spawnWebRowWorker (everywhere)", () => {
  const globals = globalThis as { Worker?: unknown };
  const had = Object.hasOwn(globals, "Worker");
  const original = globals.Worker;
  afterEach(() => {
    if (had) globals.Worker = original;
    else delete globals.Worker;
  });

  it("should throw a RowWorkerUnavailableError that points Node to spawnRowWorkerThread where there is no Worker", () => {
    globals.Worker = undefined;
    let error: unknown;
    try {
      spawnWebRowWorker();
    } catch (e) {
      error = e;
    }
    expect(isRowWorkerUnavailableError(error)).toBe(true);
    expect(isEloquaBulkError(error)).toBe(true);
    expect((error as Error).name).toBe("RowWorkerUnavailableError");
    expect((error as { code: string }).code).toBe("ROW_WORKER_UNAVAILABLE");
    expect((error as Error).message).toContain("spawnRowWorkerThread() from eloqua-bulk-stream/node");
  });

  it("should reject a url that is neither a string nor a URL", () => {
    // A stand-in Worker, so that the check runs where there is none; it is never constructed.
    globals.Worker = () => {
      throw new Error("not to be constructed");
    };
    let error: unknown;
    try {
      spawnWebRowWorker({ url: 42 as unknown as string });
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionError(error)).toBe(true);
    expect((error as { option: string }).option).toBe("url");
  });
});
