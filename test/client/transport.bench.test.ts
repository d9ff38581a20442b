// ky vs plain fetch for the client's requests, over loopback to a node:http
// server that discards bodies. Skipped unless ELOQUA_BENCH=1:
//   ELOQUA_BENCH=1 npx vitest run test/client/transport.bench.test.ts
// Prints MB/s of body for data POSTs (16 MiB bodies, 4 in flight) and µs per
// control call (sequential GET + JSON parse), median of 3 rounds each.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import ky from "ky";
import { describe, expect, it } from "vitest";
import { EloquaBulkClient } from "../../lib/client/mod.ts";

const MIB = 1024 * 1024;
const POSTS = 48;
const IN_FLIGHT = 4;
const CONTROL_CALLS = 2000;

function add(results: Record<string, number[]>, name: string, value: number): void {
  results[name] = [...(results[name] ?? []), value];
}

describe.skipIf(process.env.ELOQUA_BENCH !== "1")("transport benchmark", () => {
  it("should measure ky and fetch side by side", async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "POST") {
          res.statusCode = 204;
          res.end();
        } else {
          res.setHeader("content-type", "application/json");
          res.end(
            '{"uri":"/syncs/1","status":"success","syncedInstanceUri":"/opportunities/contacts/imports/1"}',
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dataUrl = `${base}/api/bulk/2.0/opportunities/contacts/imports/1/data`;
    const body = new Uint8Array(16 * MIB).fill(0x61);
    const headers = { "content-type": "application/json", authorization: "Basic YTpi" };
    const client = new EloquaBulkClient({
      auth: { type: "basic", site: "a", user: "b", password: "c" },
      baseUrl: base,
    });
    const rawKy = ky.create({ retry: 0, timeout: false, throwHttpErrors: false });

    const post: Record<string, () => Promise<unknown>> = {
      "fetch(url, init)": () =>
        fetch(dataUrl, { method: "POST", body, headers }).then((r) => r.arrayBuffer()),
      "fetch(Request)": () =>
        fetch(new Request(dataUrl, { method: "POST", body, headers, duplex: "half" } as RequestInit)).then(
          (r) => r.arrayBuffer(),
        ),
      "ky (bare)": () => rawKy.post(dataUrl, { body, headers }).then((r) => r.arrayBuffer()),
      "client.postData (ky)": () => client.postData("/opportunities/contacts/imports/1", body),
    };
    const get: Record<string, () => Promise<unknown>> = {
      "fetch(url, init)": () => fetch(`${base}/api/bulk/2.0/syncs/1`, { headers }).then((r) => r.json()),
      "ky (bare)": () => rawKy.get(`${base}/api/bulk/2.0/syncs/1`, { headers }).json(),
      "client.getSync (ky)": () => client.getSync("/syncs/1"),
    };

    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rows: string[] = [];
    for (const run of Object.values(post)) await run(); // warm up
    const dataResults: Record<string, number[]> = {};
    // CPU of client and server together (same process), per 100 MB of body.
    const dataCpu: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
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
        const cpu = process.cpuUsage(cpu0);
        add(dataResults, name, (POSTS * body.byteLength) / 1e6 / seconds);
        add(dataCpu, name, (cpu.user + cpu.system) / 1000 / ((POSTS * body.byteLength) / 1e8));
      }
    }
    for (const [name, xs] of Object.entries(dataResults))
      rows.push(
        `data POST  ${name.padEnd(22)} ${median(xs).toFixed(0)} MB/s, ${median(dataCpu[name]!).toFixed(0)} ms CPU per 100 MB`,
      );
    const controlResults: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, run] of Object.entries(get)) {
        const t0 = performance.now();
        for (let i = 0; i < CONTROL_CALLS; i++) await run();
        add(controlResults, name, ((performance.now() - t0) * 1000) / CONTROL_CALLS);
      }
    }
    for (const [name, xs] of Object.entries(controlResults))
      rows.push(`control    ${name.padEnd(22)} ${median(xs).toFixed(0)} µs/call`);
    console.log(`Node ${process.version}, ky 2.1.0\n${rows.join("\n")}`);
    server.close();
    expect(rows).toHaveLength(7);
  }, 600_000);
});
