// The row worker's entry on Deno, Bun and in browsers: a module Web Worker running `serveRows`.
// `spawnWebRowWorker()` (./web_row_worker.ts) starts it; it is not meant to be imported.
import { serveRows } from "./row_worker_core.ts";
import type { ToRowWorker } from "./row_worker_protocol.ts";

/** What this module uses of the worker's global scope (a `DedicatedWorkerGlobalScope`). */
interface RowWorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToRowWorker>) => void): void;
}

const scope = globalThis as unknown as RowWorkerScope;
const handle = serveRows((message, transfer) => scope.postMessage(message, transfer));
scope.addEventListener("message", (event) => handle(event.data));
