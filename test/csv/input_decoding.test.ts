import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeInput, sniffNotUtf8 } from "../../lib/csv/input_decoding.ts";
import { isInvalidOptionError } from "../../lib/errors.ts";

const CSV = "OpportunityID,EmailAddress\nO-é,a@b.co\n";

function streamOf(bytes: Uint8Array, chunk = 7): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += chunk) controller.enqueue(bytes.slice(at, at + chunk));
      controller.close();
    },
  });
}

async function text(stream: ReadableStream<Uint8Array | string>): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream)
    out += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const utf16 = (value: string, littleEndian: boolean): Uint8Array => {
  const out = new Uint8Array(2 + value.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < value.length; i++) view.setUint16(2 + i * 2, value.charCodeAt(i), littleEndian);
  return out;
};

describe("decodeInput", () => {
  it("should pass UTF-8 through as the same bytes", async () => {
    const bytes = new TextEncoder().encode(CSV);
    const decoded = await decodeInput(streamOf(bytes));
    expect(decoded).toMatchObject({ gzip: false, encoding: "utf-8" });
    const parts: (Uint8Array | string)[] = [];
    for await (const chunk of decoded.stream) parts.push(chunk);
    expect(parts.every((p) => p instanceof Uint8Array)).toBe(true);
    expect(await text(new Blob(parts as BlobPart[]).stream())).toBe(CSV);
  });

  it("should read UTF-16 by its byte order mark, either byte order", async () => {
    for (const littleEndian of [true, false]) {
      const decoded = await decodeInput(streamOf(utf16(CSV, littleEndian)));
      expect(decoded.encoding).toBe(littleEndian ? "utf-16le" : "utf-16be");
      expect(await text(decoded.stream)).toBe(CSV);
    }
  });

  it("should decompress gzip by its magic bytes, and then sniff again", async () => {
    const gzip = new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
    const gzipped = await bytesOf(streamOf(utf16(CSV, true)).pipeThrough(gzip));
    const decoded = await decodeInput(streamOf(gzipped, 5));
    expect(decoded).toMatchObject({ gzip: true, encoding: "utf-16le" });
    expect(await text(decoded.stream)).toBe(CSV);
  });

  it("should decode the encoding it is given, and refuse a label TextDecoder does not know", async () => {
    const latin1 = Uint8Array.from("O-\xe9,\xe0@b.co\n", (c) => c.charCodeAt(0));
    const decoded = await decodeInput(streamOf(latin1), { encoding: "latin1" });
    expect(decoded.encoding).toBe("windows-1252");
    expect(await text(decoded.stream)).toBe("O-é,à@b.co\n");
    await expect(decodeInput(streamOf(latin1), { encoding: "klingon" })).rejects.toSatisfy(
      isInvalidOptionError,
    );
  });
});

describe("sniffNotUtf8", () => {
  const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
  const utf16NoBom = (value: string, littleEndian: boolean) => utf16(value, littleEndian).subarray(2);

  it("should name windows-1252 for accented letters and curly quotes of a Windows file, with the first such line", () => {
    const bytes = latin1(
      "OpportunityID,EmailAddress\r\nO-1,ann@example.com\r\nO-\xe9,\x93ren\xe9\x94@example.com\r\n",
    );
    expect(sniffNotUtf8(bytes)).toEqual({ likely: "windows-1252", line: 3, invalid: 4 });
  });

  it("should name UTF-16 without a byte order mark by where its NUL bytes fall", () => {
    expect(sniffNotUtf8(utf16NoBom(CSV, true))).toMatchObject({ likely: "utf-16le" });
    expect(sniffNotUtf8(utf16NoBom(CSV, false))).toMatchObject({ likely: "utf-16be" });
  });

  it("should leave UTF-8 alone, also with a damaged byte beside real UTF-8 characters, and a sequence cut at 64 KiB", () => {
    const encoder = new TextEncoder();
    expect(sniffNotUtf8(encoder.encode(CSV))).toBeUndefined();
    expect(sniffNotUtf8(encoder.encode("id,email\n1,a@b.co\n"))).toBeUndefined();
    const damaged = Uint8Array.from([
      ...encoder.encode("id,email\nO-é,a@b.co\nO-"),
      0xff,
      ...encoder.encode(",b@c.co\n"),
    ]);
    expect(sniffNotUtf8(damaged)).toBeUndefined();
    const cut = new Uint8Array(70_000).fill(0x61);
    cut.set(encoder.encode("é"), 65_535); // its second byte lies past the bytes looked at
    expect(sniffNotUtf8(cut)).toBeUndefined();
  });

  it("should never flag text that is UTF-8 (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (value) => {
        fc.pre(!value.includes("\0"));
        expect(sniffNotUtf8(new TextEncoder().encode(value))).toBeUndefined();
      }),
    );
  });

  it("should be given by decodeInput only when no encoding was asked for", async () => {
    const bytes = latin1("OpportunityID,EmailAddress\nO-\xe9,a@b.co\n");
    expect((await decodeInput(streamOf(bytes, 64))).notUtf8).toMatchObject({
      likely: "windows-1252",
      line: 2,
    });
    expect((await decodeInput(streamOf(bytes, 64), { encoding: "utf-8" })).notUtf8).toBeUndefined();
    const read = await decodeInput(streamOf(bytes, 64), { encoding: "windows-1252" });
    expect(read.notUtf8).toBeUndefined();
    expect(await text(read.stream)).toBe("OpportunityID,EmailAddress\nO-é,a@b.co\n");
  });
});
