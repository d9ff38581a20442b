import { describe, expect, inject, it } from "vitest";
import { RUNTIME, RUNTIME_VERSION } from "./runtime.ts";

const expected = inject("expectedRuntime") ?? "";

describe("the runtime of this run", () => {
  // EXPECT_RUNTIME (`node`: the machine's Node; `node24`, `deno`, `bun`) is set by test/runtimes/vitest.sh,
  // vitest.workerd.config.ts provides `workerd`: a matrix entry that silently ran on another runtime
  // (e.g. `bun vitest` without --bun runs Node) fails here.
  it.skipIf(expected === "")(`should be the one the matrix entry names (${expected || "none"})`, () => {
    console.log(`running on ${RUNTIME_VERSION}`);
    if (expected === "node") {
      expect(RUNTIME).toBe("node");
    } else if (expected.startsWith("node")) {
      expect(RUNTIME).toBe("node");
      expect(`node${RUNTIME_VERSION.split(" ")[1]?.split(".")[0]}`).toBe(expected);
    } else {
      expect(RUNTIME).toBe(expected);
    }
  });

  it("should have every web-standard global the portable core uses", () => {
    const names = [
      "ReadableStream",
      "WritableStream",
      "TransformStream",
      "TextEncoder",
      "TextDecoder",
      "Request",
      "Response",
      "Headers",
      "URL",
      "URLSearchParams",
      "AbortController",
      "AbortSignal",
      "DOMException",
      "fetch",
      "btoa",
      "atob",
      "setTimeout",
      "clearTimeout",
    ];
    const missing = names.filter((name) => (globalThis as Record<string, unknown>)[name] === undefined);
    expect(missing).toEqual([]);
    expect(typeof AbortSignal.any).toBe("function");
    expect(typeof (ReadableStream as unknown as { from?: unknown }).from).toBe("function");
  });

  it("should pipe native streams into each other, byte stream to text to transform", async () => {
    const bytes = new TextEncoder().encode("a,b\n1,2\n");
    const upper = new TransformStream<string, string>({
      transform: (chunk, controller) => controller.enqueue(chunk.toUpperCase()),
    });
    const out: string[] = [];
    for await (const chunk of new Blob([bytes])
      .stream()
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(upper))
      out.push(chunk);
    expect(out.join("")).toBe("A,B\n1,2\n");
  });
});
