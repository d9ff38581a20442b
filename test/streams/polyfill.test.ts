// Why the library uses the runtime's own streams and not web-streams-polyfill (which the user named):
// every target runtime ships them, and the polyfill's classes do not mix with native ones.

import { describe, expect, it } from "vitest";
import { ReadableStream as PolyfillReadableStream } from "web-streams-polyfill";
import { CsvParseStream } from "../../lib/mod.ts";

describe("web-streams-polyfill next to native streams", () => {
  it("should not be needed: the runtime has native Readable/Writable/TransformStream", () => {
    expect(typeof globalThis.ReadableStream).toBe("function");
    expect(typeof globalThis.WritableStream).toBe("function");
    expect(typeof globalThis.TransformStream).toBe("function");
    expect(typeof globalThis.TextDecoderStream).toBe("function");
  });

  it("should not mix: piping a polyfill stream through a native TransformStream throws", () => {
    const polyfilled = new PolyfillReadableStream<string>({
      start(controller) {
        controller.enqueue("OpportunityID,EmailAddress\n");
        controller.close();
      },
    });
    expect(() => polyfilled.pipeThrough(new CsvParseStream() as never)).toThrow();
  });
});
