import { EloquaBulkError, InvalidOptionError, isEloquaBulkError } from "../errors.ts";
import type { RowWorkerPort } from "./worker_row_stream.ts";

/** Options of {@linkcode spawnWebRowWorker}. */
export interface WebRowWorkerOptions {
  /**
   * The worker's module: this package's `worker/web_row_worker_entry` (`lib/…/.ts` from sources and
   * JSR, `dist/…/.js` from the npm package), or a module of yours that imports it. Give it when a
   * bundler moves or renames the modules: the URL at which it serves that file.
   * @default the `web_row_worker_entry` module next to this one
   */
  url?: string | URL;
}

/** Thrown by {@linkcode spawnWebRowWorker} where there is no Web Worker (`globalThis.Worker`), e.g. on Node. */
export class RowWorkerUnavailableError extends EloquaBulkError {
  override readonly name = "RowWorkerUnavailableError";

  constructor() {
    super(
      "ROW_WORKER_UNAVAILABLE",
      "Cannot start a Web Worker to read the CSV as this runtime has none (globalThis.Worker is missing): on Node use spawnRowWorkerThread() from eloqua-bulk-stream/node, elsewhere leave rowWorker out to read on this thread",
    );
  }
}

/** True when `error` is a {@linkcode RowWorkerUnavailableError}. */
export function isRowWorkerUnavailableError(error: unknown): error is RowWorkerUnavailableError {
  return isEloquaBulkError(error) && error.code === "ROW_WORKER_UNAVAILABLE";
}

/** A Worker as Bun has it: `ref`/`unref` as Node's threads (Deno and browsers have neither). */
interface RefWorker {
  ref?: () => void;
  unref?: () => void;
}

/**
 * Start a row worker for `WorkerRowStream` (or `CsvBatchStream`'s `rowWorker`) as a module Web Worker,
 * on Deno, Bun and in browsers: parsing, validation and key hashing run there, dedupe and the request
 * bodies on this thread. On Node, which has no Web Worker, use `spawnRowWorkerThread()` from
 * `eloqua-bulk-stream/node`: this throws a {@linkcode RowWorkerUnavailableError} there.
 *
 * The stream terminates the worker when it ends or fails. On Bun the worker keeps the process alive
 * only while it owes an answer (as `spawnRowWorkerThread()` on Node); Deno and browsers cannot unref a
 * worker, so there a stream abandoned half-way keeps its worker until the page or process ends.
 *
 * The worker loads the `web_row_worker_entry` module next to this one (from sources on Deno and Bun,
 * `.js` in the npm package): a bundler that does not copy it needs `options.url`. On Deno the worker
 * has the permissions of the main thread (Deno's default).
 *
 * @example
 * ```ts
 * const stream = new CsvBatchStream({ rowWorker: spawnWebRowWorker(), onReject: (r) => rejects.push(r) });
 * for await (const batch of file.pipeThrough(stream)) await post(batch.body);
 * ```
 */
export function spawnWebRowWorker(options: WebRowWorkerOptions = {}): RowWorkerPort {
  const WebWorker = (globalThis as { Worker?: unknown }).Worker;
  if (typeof WebWorker !== "function") throw new RowWorkerUnavailableError();
  const { url } = options;
  if (url !== undefined && typeof url !== "string" && !(url instanceof URL)) {
    throw new InvalidOptionError("spawnWebRowWorker", "url", "a string or a URL", url);
  }
  // Sources run as .ts (Deno, Bun, tests); the npm package ships compiled .js in dist/.
  const entry =
    url ??
    new URL(
      new URL(import.meta.url).pathname.endsWith(".ts")
        ? "./web_row_worker_entry.ts"
        : "./web_row_worker_entry.js",
      import.meta.url,
    );
  const worker = new (WebWorker as typeof Worker)(entry, { type: "module" });
  const held = worker as Worker & RefWorker;
  held.unref?.();
  let owed = 0;
  let terminated = false;
  return {
    postMessage(message, transfer) {
      if (message.type !== "init" && owed++ === 0) held.ref?.();
      worker.postMessage(message, transfer);
    },
    listen(onMessage, onError) {
      worker.addEventListener("message", (event) => {
        if (terminated) return;
        if (event.data.type === "failed") owed = 0;
        else owed--;
        if (owed === 0) held.unref?.();
        onMessage(event.data);
      });
      worker.addEventListener("error", (event) => {
        // Handled here: otherwise Deno ends the process with the worker's error.
        event.preventDefault();
        if (terminated) return;
        onError(event.error instanceof Error ? event.error : new Error(event.message || "the worker failed"));
      });
      worker.addEventListener("messageerror", () => {
        if (!terminated) onError(new Error("a message from the worker could not be deserialized"));
      });
    },
    terminate() {
      if (terminated) return;
      terminated = true;
      worker.terminate();
    },
  };
}
