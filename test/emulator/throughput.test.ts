import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";
import { ON_NODE } from "../runtimes/runtime.ts";

// Measures how fast the Node server ingests data POSTs in count mode over loopback. It prints, it does
// not assert on speed (shared CI machines are too noisy). The client runs in a worker thread so its own
// CPU cost (fetch copies whole Uint8Array bodies) does not stall the server's event loop.
//
//   EMULATOR_BENCH_FILES=32 npx vitest run test/emulator/throughput.test.ts
//
// Knobs: EMULATOR_BENCH_FILES (default 4), EMULATOR_BENCH_MB (16), EMULATOR_BENCH_CONCURRENCY (4).
const FILES = Number(process.env.EMULATOR_BENCH_FILES ?? 4);
const BODY_BYTES = Number(process.env.EMULATOR_BENCH_MB ?? 16) * 1_000_000;
const CONCURRENCY = Number(process.env.EMULATOR_BENCH_CONCURRENCY ?? 4);

const CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { url, files, size, concurrency, client } = workerData;
const parts = ["["];
let length = 1;
for (let i = 0; ; i++) {
  const row = (i ? "," : "") + '{"OpportunityID":"OPP-' + i + '","EmailAddress":"contact' + i + '@example' + (i % 97) + '.com"}';
  if (length + row.length + 1 > size) break;
  parts.push(row);
  length += row.length;
}
parts.push("]");
const body = new TextEncoder().encode(parts.join(""));
const headers = { "content-type": "application/json", authorization: "Bearer emulator-token" };
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
function viaHttp() {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent,
      headers: { ...headers, "content-length": body.length } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", reject);
    request.end(body);
  });
}
function chunked() {
  let offset = 0;
  return new ReadableStream({ pull(controller) {
    if (offset >= body.length) return controller.close();
    controller.enqueue(body.subarray(offset, offset + 1048576));
    offset += 1048576;
  } });
}
async function viaFetch() {
  const response = await fetch(url, { method: "POST", headers, duplex: "half", body: client === "fetch-stream" ? chunked() : body });
  await response.arrayBuffer();
  return response.status;
}
(async () => {
  const statuses = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < files) {
      next++;
      statuses.push(await (client === "node:http" ? viaHttp() : viaFetch()));
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  parentPort.postMessage({ statuses, seconds, bytes: body.length * files });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

interface Result {
  statuses: number[];
  seconds: number;
  bytes: number;
  error?: string;
}

async function measure(client: string): Promise<string> {
  const server = await startEmulatorServer({
    mode: "count",
    maxStagedBytes: Number.MAX_SAFE_INTEGER,
    maxFilesPerSync: 1e9,
  });
  try {
    const created = await fetch(`${server.url}/api/bulk/2.0/opportunities/contacts/imports`, {
      method: "POST",
      headers: { authorization: "Bearer emulator-token", "content-type": "application/json" },
      body: JSON.stringify({
        name: "bench",
        fields: {
          OpportunityID: "{{Opportunity.Id}}",
          EmailAddress: "{{Opportunity.Contact.Field(C_EmailAddress)}}",
        },
      }),
    });
    const url = `${server.url}/api/bulk/2.0${(await created.json()).uri}/data`;
    const loopBefore = performance.eventLoopUtilization();
    const worker = new Worker(CLIENT, {
      eval: true,
      workerData: { url, files: FILES, size: BODY_BYTES, concurrency: CONCURRENCY, client },
    });
    const result = await new Promise<Result>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    // The server's event loop was busy for `active` ms: its capacity, whatever the client's speed.
    const loop = performance.eventLoopUtilization(loopBefore);
    expect(result.error).toBeUndefined();
    expect(result.statuses).toEqual(Array(FILES).fill(204));
    expect(server.emulator.stats.dataPosts).toBe(FILES);
    const mbPerSecond = result.bytes / 1e6 / result.seconds;
    const capacity = result.bytes / 1e6 / (loop.active / 1000);
    return (
      `${client.padEnd(13)} ${FILES} x ${(result.bytes / FILES / 1e6).toFixed(1)} MB, ${CONCURRENCY} in flight: ` +
      `${mbPerSecond.toFixed(0).padStart(4)} MB/s of body in ${result.seconds.toFixed(2)} s; ` +
      `server loop busy ${(loop.active / 1000).toFixed(2)} s (${(loop.utilization * 100).toFixed(0)}%) = ${capacity.toFixed(0)} MB/s of server capacity`
    );
  } finally {
    await server.close();
  }
}

// Node-only: a measurement with node:worker_threads clients.
describe.skipIf(!ON_NODE)("emulator ingest throughput (count mode, loopback)", () => {
  it("should print MB/s of data POST bodies for fetch and node:http clients", {
    timeout: 300_000,
  }, async () => {
    const rows: string[] = [];
    for (const client of ["fetch", "fetch-stream", "node:http"]) rows.push(await measure(client));
    console.log(
      [
        `emulator ingest, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}):`,
        ...rows,
      ].join("\n"),
    );
  });
});
