/**
 * The transports the client tests run with on this runtime: the runtime's fetch (the client's default)
 * everywhere, plus the runtime's own transport where the library ships one — `createNodeHttpFetch()` on
 * Node, `createDenoFetch()` on Deno. Each says whether a request whose connection closes unanswered
 * reaches the client as a failure (the emulator's `"reset"` and `"commitThenDrop"` faults), or is sent
 * again unseen (Deno's and Bun's fetch: docs/RUNTIMES.md). Loaded lazily, so that a runtime never loads
 * another's module.
 *
 * @module
 */
import type { FetchLike } from "../../lib/client/mod.ts";
import { FETCH_RESENDS_ON_DROP, FETCH_RESENDS_POST_ON_DROP, RUNTIME } from "./runtime.ts";

export interface TestTransport {
  /** e.g. `"fetch"`, `"node:http"`, `"Deno no-reuse"`: for test names. */
  readonly name: string;
  /** The client's `fetch` option: `undefined` for the runtime's fetch. */
  readonly fetch: FetchLike | undefined;
  /** Whether a dropped GET fails rather than being re-sent unseen. */
  readonly reportsDroppedGet: boolean;
  /** Whether a dropped POST fails rather than being re-sent unseen. */
  readonly reportsDroppedPost: boolean;
  /** Releases the transport's connections. */
  close(): void;
}

const runtimeFetch: TestTransport = {
  name: "fetch",
  fetch: undefined,
  reportsDroppedGet: !FETCH_RESENDS_ON_DROP,
  reportsDroppedPost: !FETCH_RESENDS_POST_ON_DROP,
  close() {},
};

/** The runtime's own transport, if the library has one for it. */
async function ownTransport(): Promise<TestTransport | undefined> {
  if (RUNTIME === "node") {
    const { createNodeHttpFetch } = await import("../../lib/node/node_http_fetch.ts");
    const fetch = createNodeHttpFetch();
    return {
      name: "node:http",
      fetch,
      reportsDroppedGet: true,
      reportsDroppedPost: true,
      close: fetch.close,
    };
  }
  if (RUNTIME === "deno") {
    const { createDenoFetch } = await import("../../lib/deno/deno_fetch.ts");
    const fetch = createDenoFetch();
    return {
      name: "Deno no-reuse",
      fetch,
      reportsDroppedGet: true,
      reportsDroppedPost: true,
      close: fetch.close,
    };
  }
  return undefined;
}

/** Every transport to run the client tests with here: the runtime's fetch first. */
export async function testTransports(): Promise<TestTransport[]> {
  const own = await ownTransport();
  return own === undefined ? [runtimeFetch] : [runtimeFetch, own];
}

/**
 * The transport for tests that count dropped connections: the runtime's fetch where it reports them
 * (Node), else the runtime's own transport where there is one (Deno), else the runtime's fetch (Bun:
 * check `reportsDroppedGet` / `reportsDroppedPost`).
 */
export async function dropReportingTransport(): Promise<TestTransport> {
  if (runtimeFetch.reportsDroppedGet && runtimeFetch.reportsDroppedPost) return runtimeFetch;
  return (await ownTransport()) ?? runtimeFetch;
}
