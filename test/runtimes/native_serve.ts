// The emulator served by the runtime's own HTTP server: Deno.serve on Deno, Bun.serve on Bun, with the
// same portable handler as on Node (createEmulator().handle). Typed locally: the project's tsconfig has
// Node's types, not Deno's or Bun's.
import type { Emulator, EmulatorOptions } from "../../lib/emulator/mod.ts";
import { createEmulator, DROP_CONNECTION } from "../../lib/emulator/mod.ts";
import { RUNTIME } from "./runtime.ts";

type Handler = (request: Request) => Promise<Response>;

interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: Handler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

interface BunServe {
  serve(options: { hostname: string; port: number; fetch: Handler; error: (error: Error) => Response }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void> | void;
  };
}

/** A running emulator on the runtime's own server. */
export interface NativeEmulatorServer {
  readonly url: string;
  readonly emulator: Emulator;
  close(): Promise<void>;
}

/**
 * Neither Deno.serve nor Bun.serve can destroy a connection on request, which DROP_CONNECTION (the
 * `"reset"` and `"commitThenDrop"` faults) asks for. Instead the answer is cut short: a response whose body
 * fails at once. Deno.serve sends the head, then ends the connection mid-body: the client's read of the
 * body fails, which this project's client treats as a network error, as it would a reset (and Deno's fetch,
 * having had a head, does not re-send the request). Bun.serve closes the connection before any head: a real
 * drop, which Bun's fetch answers by re-sending GETs on its own (POSTs fail, as on Node).
 */
export function cutShort(): Response {
  return new Response(
    new ReadableStream({ start: (controller) => controller.error(new Error("connection dropped")) }),
    { status: 502 },
  );
}

/** Serves a new emulator on 127.0.0.1 with Deno.serve or Bun.serve (throws on other runtimes). */
export function serveNative(options: EmulatorOptions = {}): NativeEmulatorServer {
  const emulator = createEmulator(options);
  const handler: Handler = async (request) => {
    const answer = await emulator.handle(request);
    return answer === DROP_CONNECTION ? cutShort() : answer;
  };
  const globals = globalThis as { Deno?: DenoServe; Bun?: BunServe };
  if (RUNTIME === "deno" && globals.Deno !== undefined) {
    const server = globals.Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
    return { url: `http://127.0.0.1:${server.addr.port}`, emulator, close: () => server.shutdown() };
  }
  if (RUNTIME === "bun" && globals.Bun !== undefined) {
    const server = globals.Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: handler,
      // The cut-short bodies' errors, which Bun would otherwise print.
      error: () => new Response(null, { status: 500 }),
    });
    return { url: `http://127.0.0.1:${server.port}`, emulator, close: async () => server.stop(true) };
  }
  throw new Error(`serveNative needs Deno or Bun, not ${RUNTIME}`);
}
