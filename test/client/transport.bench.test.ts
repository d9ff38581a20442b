// Transports for the client's requests, side by side in one run: the runtime's fetch (undici on Node),
// ky, and the node:http transport (lib/node/node_http_fetch.ts), over loopback to a node:http server in a
// child process that discards bodies, so that the CPU measured here is the client's alone. Skipped
// unless ELOQUA_BENCH=1, and off Node:
//   ELOQUA_BENCH=1 npx vitest run test/client/transport.bench.test.ts
// Prints, for data POSTs (16 MiB bodies, 4 in flight, 48 per round), MB/s of body and ms of CPU per
// 100 MB posted (user + system of this process, medians of 5 interleaved rounds), the same-run ratio of
// each variant's CPU to the node:http transport's (median of the per-round ratios), and µs per control
// call (sequential GET + JSON parse, median of 3 rounds of 2,000).
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import ky from "ky";
import { describe, expect, it } from "vitest";
import type { FetchLike } from "../../lib/client/mod.ts";
import { EloquaBulkClient } from "../../lib/client/mod.ts";
import { createNodeHttpFetch } from "../../lib/node/node_http_fetch.ts";
import { ON_NODE } from "../runtimes/runtime.ts";

const MIB = 1024 * 1024;
const POSTS = 48;
const IN_FLIGHT = 4;
const DATA_ROUNDS = 5;
const CONTROL_CALLS = 2000;
const CONTROL_ROUNDS = 3;

const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method === "POST") { res.statusCode = 204; res.end(); return; }
    res.setHeader("content-type", "application/json");
    res.end('{"uri":"/syncs/1","status":"success","syncedInstanceUri":"/opportunities/contacts/imports/1"}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

function add(results: Record<string, number[]>, name: string, value: number): void {
  results[name] = [...(results[name] ?? []), value];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe.skipIf(process.env.ELOQUA_BENCH !== "1" || !ON_NODE)("transport benchmark", () => {
  it("should measure fetch, ky and the node:http transport side by side", async () => {
    const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.stdout.once("data", (data: Buffer) => resolve(Number(data.toString().trim())));
    });
    const nodeHttp = createNodeHttpFetch();
    try {
      const base = `http://127.0.0.1:${port}`;
      const dataUrl = `${base}/api/bulk/2.0/opportunities/contacts/imports/1/data`;
      const body = new Uint8Array(16 * MIB).fill(0x61);
      const headers = { "content-type": "application/json", authorization: "Basic YTpi" };
      const clientWith = (fetch?: FetchLike) =>
        new EloquaBulkClient({
          auth: { type: "basic", site: "a", user: "b", password: "c" },
          baseUrl: base,
          ...(fetch === undefined ? {} : { fetch }),
        });
      const viaFetch = clientWith();
      const viaNodeHttp = clientWith(nodeHttp);
      // The node:http transport behind a wrapper that makes a new Request and does not declare
      // sendsBodySource: the client hands ky the bytes (copied into the Request), the transport reads them
      // back from the Request's stream. What any transport without the body hook gets.
      const viaNodeHttpStream = clientWith((input, init) => nodeHttp(new Request(input, init)));
      const rawKy = ky.create({ retry: 0, timeout: false, throwHttpErrors: false });
      const agent = new (await import("node:http")).Agent({ keepAlive: true });
      const rawNodeHttp = () =>
        new Promise<void>((resolve, reject) => {
          const req = httpRequest(dataUrl, {
            method: "POST",
            agent,
            headers: { ...headers, "content-length": body.byteLength },
          });
          req.on("error", reject);
          req.on("response", (res) => {
            res.resume();
            res.on("end", resolve);
          });
          req.end(body);
        });

      const uri = "/opportunities/contacts/imports/1";
      const post: Record<string, () => Promise<unknown>> = {
        "client + node:http": () => viaNodeHttp.postData(uri, body),
        "client + fetch": () => viaFetch.postData(uri, body),
        "client + node:http, no body hook": () => viaNodeHttpStream.postData(uri, body),
        "node:http transport(url, init)": () =>
          nodeHttp(dataUrl, { method: "POST", body, headers }).then((r) => r.arrayBuffer()),
        "fetch(url, init)": () =>
          fetch(dataUrl, { method: "POST", body, headers }).then((r) => r.arrayBuffer()),
        "fetch(Request)": () =>
          fetch(new Request(dataUrl, { method: "POST", body, headers, duplex: "half" } as RequestInit)).then(
            (r) => r.arrayBuffer(),
          ),
        "ky (bare, fetch)": () => rawKy.post(dataUrl, { body, headers }).then((r) => r.arrayBuffer()),
        "http.request (no Response)": rawNodeHttp,
      };
      const get: Record<string, () => Promise<unknown>> = {
        "client.getSync + node:http": () => viaNodeHttp.getSync("/syncs/1"),
        "client.getSync + fetch": () => viaFetch.getSync("/syncs/1"),
        "fetch(url, init)": () => fetch(`${base}/api/bulk/2.0/syncs/1`, { headers }).then((r) => r.json()),
        "ky (bare, fetch)": () => rawKy.get(`${base}/api/bulk/2.0/syncs/1`, { headers }).json(),
      };

      const rows: string[] = [];
      for (const run of Object.values(post)) await run(); // warm up
      const rate: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      const ratio: Record<string, number[]> = {};
      const megabytes = (POSTS * body.byteLength) / 1e6;
      for (let round = 0; round < DATA_ROUNDS; round++) {
        const thisRound: Record<string, number> = {};
        for (const [name, run] of Object.entries(post)) {
          let next = 0;
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          await Promise.all(
            Array.from({ length: IN_FLIGHT }, async () => {
              while (next++ < POSTS) await run();
            }),
          );
          const seconds = (performance.now() - t0) / 1000;
          const used = process.cpuUsage(cpu0);
          const msPer100Mb = (used.user + used.system) / 1000 / (megabytes / 100);
          thisRound[name] = msPer100Mb;
          add(rate, name, megabytes / seconds);
          add(cpu, name, msPer100Mb);
        }
        for (const name of Object.keys(post))
          add(ratio, name, thisRound[name]! / thisRound["client + node:http"]!);
      }
      rows.push(
        `data POSTs: ${POSTS} × 16 MiB, ${IN_FLIGHT} in flight, medians of ${DATA_ROUNDS} rounds; CPU of the client process only`,
      );
      for (const name of Object.keys(post))
        rows.push(
          `  ${name.padEnd(36)} ${median(rate[name]!).toFixed(0).padStart(5)} MB/s ${median(cpu[name]!).toFixed(0).padStart(5)} ms CPU per 100 MB  ×${median(ratio[name]!).toFixed(2)} of client + node:http`,
        );
      const control: Record<string, number[]> = {};
      for (const run of Object.values(get)) for (let i = 0; i < 500; i++) await run(); // warm up
      for (let round = 0; round < CONTROL_ROUNDS; round++) {
        for (const [name, run] of Object.entries(get)) {
          const t0 = performance.now();
          for (let i = 0; i < CONTROL_CALLS; i++) await run();
          add(control, name, ((performance.now() - t0) * 1000) / CONTROL_CALLS);
        }
      }
      rows.push(`control calls: ${CONTROL_CALLS} sequential GETs, median of ${CONTROL_ROUNDS} rounds`);
      for (const [name, xs] of Object.entries(control))
        rows.push(`  ${name.padEnd(36)} ${median(xs).toFixed(0).padStart(5)} µs/call`);
      console.log(`Node ${process.version}, ky 2.1.0\n${rows.join("\n")}`);
      agent.destroy();
      expect(rows).toHaveLength(Object.keys(post).length + Object.keys(get).length + 2);
    } finally {
      nodeHttp.close();
      child.kill();
    }
  }, 900_000);
});
