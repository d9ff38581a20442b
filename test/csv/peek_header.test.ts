import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectDelimiter, estimateRecords, peekHeader } from "../../lib/csv/peek_header.ts";

/** `bytes` as a stream of chunks cut at `cuts` (sorted offsets). */
function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i + 1 < points.length; i++) controller.enqueue(bytes.slice(points[i], points[i + 1]));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array | string>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream)
    parts.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("detectDelimiter", () => {
  it("should pick the separator seen most outside quotes, and a comma when there is none", () => {
    expect(detectDelimiter("OpportunityID;EmailAddress")).toBe(";");
    expect(detectDelimiter("a\tb\tc")).toBe("\t");
    expect(detectDelimiter("a|b")).toBe("|");
    expect(detectDelimiter('"a;b;c",d,e')).toBe(",");
    expect(detectDelimiter("single")).toBe(",");
  });
});

describe("peekHeader", () => {
  it("should return the header and give the whole input back unchanged, whatever the chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(",", ";", "\t", "|"),
        fc.array(fc.nat(200), { maxLength: 6 }),
        fc.boolean(),
        async (delimiter, cuts, bom) => {
          const header = ["Opportunity ID", 'Say "hi"', "Émail"];
          const line = header
            .map((h) => (h.includes('"') ? `"${h.replace(/"/g, '""')}"` : h))
            .join(delimiter);
          const text = `${bom ? "\uFEFF" : ""}${line}\r\nO1${delimiter}x${delimiter}a@b.co\r\n`;
          const bytes = new TextEncoder().encode(text);
          const peeked = await peekHeader(chunked(bytes, cuts), { delimiter: "auto" });
          expect(peeked.delimiter).toBe(delimiter);
          expect(peeked.header).toEqual(header);
          expect(await collect(peeked.stream)).toEqual(bytes);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("should stop reading an input whose first line never ends, once it passes maxRecordLength", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(65_536).fill(pulled % 2 === 0 ? 0x20 : 0x09));
      },
    });
    const peeked = await peekHeader(endless, { delimiter: "auto", maxRecordLength: 1_000_000 });
    expect(peeked.header).toBeUndefined();
    expect(peeked.problem).toBe("the first line is longer than 1000000 bytes");
    expect(peeked.delimiter).toBe(",");
    expect(pulled).toBeLessThan(40);
    await peeked.stream.cancel();
  });

  it("should say there is no header for an empty input", async () => {
    const peeked = await peekHeader(chunked(new Uint8Array(0), []), { delimiter: "auto" });
    expect(peeked.header).toBeUndefined();
    expect(peeked.problem).toBe("the input is empty");
    expect((await collect(peeked.stream)).length).toBe(0);
  });

  it("should measure the records of the chunks it read, so a wide file's row count is estimated from its size", async () => {
    const encoder = new TextEncoder();
    // 1 header + 999 rows of 100 bytes each (line break included), read as one chunk of 64 KiB then the rest.
    const row = `${"x".repeat(40)},${"y".repeat(58)}\n`;
    const text = `${"h".repeat(40)},${"k".repeat(58)}\n${row.repeat(999)}`;
    const bytes = encoder.encode(text);
    const peeked = await peekHeader(chunked(bytes, [65_536]), { delimiter: "auto" });
    // The first chunk ends inside record 656: the partial record's bytes count, its record does not.
    expect(peeked.recordBytes).toBeCloseTo(65_536 / 655, 6);
    expect(estimateRecords(bytes.length, peeked)).toBe(Math.ceil(100_000 / (65_536 / 655)));
    expect(Math.abs(estimateRecords(bytes.length, peeked) - 1000)).toBeLessThan(2);
    await peeked.stream.cancel();
    // An input read to its end is measured exactly.
    const whole = await peekHeader(chunked(bytes.subarray(0, 1000), []));
    expect(whole.recordBytes).toBe(100);
  });

  it("should leave recordBytes out when it read less than two records, and estimate 40 bytes a record then", async () => {
    const peeked = await peekHeader(
      chunked(new TextEncoder().encode("OpportunityID,EmailAddress\n1,a@b"), []),
    );
    expect(peeked.header).toEqual(["OpportunityID", "EmailAddress"]);
    expect(peeked.recordBytes).toBeUndefined();
    expect(estimateRecords(4_000, peeked)).toBe(100);
  });
});
