// The row worker on Node: a `node:worker_threads` thread running `serveRows`.
// This module is both the spawner (on the main thread) and the thread's entry.
import { isMainThread, parentPort, type TransferListItem, Worker, workerData } from "node:worker_threads";
import { serveRows } from "../worker/row_worker_core.ts";
import type { RowWorkerPort } from "../worker/worker_row_stream.ts";

const MARK = "eloqua-bulk-stream row worker";

if (!isMainThread && workerData === MARK && parentPort !== null) {
  const port = parentPort;
  port.on(
    "message",
    serveRows((message, transfer) => port.postMessage(message, transfer as TransferListItem[])),
  );
}

/**
 * Start a row worker thread for `WorkerRowStream` (or `CsvBatchStream`'s
 * `rowWorker`). The thread keeps the process alive only while it owes an
 * answer, so a stream dropped half-way cannot hold the process open.
 */
export function spawnRowWorkerThread(): RowWorkerPort {
  const url = new URL(import.meta.url);
  // The thread's own allocations are small (rejects, strings of odd values): a small young generation
  // saved ~10 MB of peak RSS on a 200 MB import, at no measurable cost.
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  // From sources (tests, tsx), the thread registers the TypeScript loader before loading this module:
  // on Node 20 a `--import` loader does not reach a worker's entry.
  const worker = url.pathname.endsWith(".ts")
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
        { eval: true, workerData: MARK, resourceLimits },
      )
    : new Worker(url, { workerData: MARK, resourceLimits });
  worker.unref();
  let owed = 0;
  let terminated = false;
  return {
    postMessage(message, transfer) {
      if (message.type !== "init" && owed++ === 0) worker.ref();
      worker.postMessage(message, transfer as TransferListItem[]);
    },
    listen(onMessage, onError) {
      worker.on("message", (message) => {
        if (message.type === "failed") owed = 0;
        else owed--;
        if (owed === 0) worker.unref();
        onMessage(message);
      });
      worker.on("error", onError);
      worker.on("exit", (code) => {
        if (!terminated) onError(new Error(`the thread exited with code ${code}`));
      });
    },
    terminate() {
      terminated = true;
      void worker.terminate();
    },
  };
}
