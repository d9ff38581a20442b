// The proof that the portable core needs no Node API: lib/mod.ts bundled into one ES module (esbuild,
// platform "neutral", so a node: import cannot even resolve), loaded by a Worker in workerd *without*
// nodejs_compat (a plain miniflare script, not the vitest plugin, which always turns it on). The Worker
// receives a CSV upload as its request body and streams it through importLinkages into the emulator
// this test process serves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { ON_NODE } from "./runtime.ts";

const COMPATIBILITY_DATE = "2026-07-01";

/** The Worker: an edge handler such as examples/edge_handler.ts, with nothing but web-standard APIs. */
const WORKER = `
import { EloquaBulkClient, importLinkages } from "./eloqua-bulk-stream.mjs";

// What a Worker with nodejs_compat would have; none of it may exist here.
const NODE_GLOBALS = ["process", "Buffer", "global", "require", "setImmediate", "__dirname"];

export default {
  async fetch(request, env) {
    const nodeGlobals = NODE_GLOBALS.filter((name) => typeof globalThis[name] !== "undefined");
    if (request.method !== "POST" || request.body === null) {
      return Response.json({ nodeGlobals, userAgent: navigator.userAgent });
    }
    const client = new EloquaBulkClient({
      baseUrl: env.ELOQUA_BASE_URL,
      auth: { type: "bearer", token: env.ELOQUA_TOKEN },
    });
    const report = await importLinkages(request.body, {
      client,
      sourceName: "upload",
      maxBatchBytes: 4_000,
      maxFilesPerSync: 4,
      concurrency: 2,
    });
    return Response.json({ nodeGlobals, report }, { status: report.ok ? 200 : 502 });
  },
};
`;

function linkagesCsv(count: number): string {
  const lines = ["OpportunityID,EmailAddress"];
  for (let i = 1; i <= count; i++)
    lines.push(i % 25 === 0 ? `OPP-${i},broken-${i}` : `OPP-${i},u${i}@example.com`);
  return `${lines.join("\n")}\n`;
}

describe.skipIf(!ON_NODE)(
  `a Worker without nodejs_compat (workerd, compatibility date ${COMPATIBILITY_DATE})`,
  () => {
    let server: EmulatorServer;
    let bundle: string;
    // biome-ignore lint/suspicious/noExplicitAny: miniflare is loaded lazily, on Node only.
    let mf: any;

    beforeAll(async () => {
      const [{ build }, { Miniflare }, { startEmulatorServer }] = await Promise.all([
        import("esbuild"),
        import("miniflare"),
        import("../../lib/node/emulator_server.ts"),
      ]);
      const built = await build({
        entryPoints: [new URL("../../lib/mod.ts", import.meta.url).pathname],
        bundle: true,
        format: "esm",
        platform: "neutral",
        write: false,
        logLevel: "silent",
      });
      bundle = built.outputFiles[0]!.text;
      server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 } });
      mf = new Miniflare({
        modules: [
          { type: "ESModule", path: "worker.mjs", contents: WORKER },
          { type: "ESModule", path: "eloqua-bulk-stream.mjs", contents: bundle },
        ],
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: [],
        bindings: { ELOQUA_BASE_URL: server.url, ELOQUA_TOKEN: server.emulator.credentials.token },
      });
      await mf.ready;
    }, 60_000);

    afterAll(async () => {
      await mf?.dispose();
      await server?.close();
    });

    it("should bundle the portable entry with no node: import left in it", () => {
      expect(bundle.length).toBeGreaterThan(10_000);
      expect(bundle).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(/);
    });

    it("should run in workerd with none of Node's globals defined", async () => {
      const response = await mf.dispatchFetch("http://worker.example/");
      expect(await response.json()).toEqual({ nodeGlobals: [], userAgent: "Cloudflare-Workers" });
    });

    it("should stream an uploaded CSV body through importLinkages into the emulator", async () => {
      const csv = linkagesCsv(1000);
      const response = await mf.dispatchFetch("http://worker.example/import", {
        method: "POST",
        headers: { "content-type": "text/csv" },
        body: csv,
      });
      const answer = (await response.json()) as { nodeGlobals: string[]; report: Record<string, unknown> };
      expect(response.status).toBe(200);
      expect(answer.nodeGlobals).toEqual([]);
      expect(answer.report).toMatchObject({
        ok: true,
        rows: { read: 1000, invalid: 40, duplicate: 0, staged: 960, notSent: 0, rejectedByEloqua: 0 },
      });
      const syncs = answer.report.syncs as { files: number; status: string }[];
      expect(syncs.length).toBeGreaterThan(1);
      expect(syncs.every((sync) => sync.status === "success" && sync.files <= 4)).toBe(true);
      expect(server.emulator.records()).toHaveLength(960);
    });
  },
);
