// An edge-style fetch handler (Cloudflare Workers, Deno Deploy, Bun.serve, …) that streams an
// uploaded CSV body into an import and answers with the report. Only web-standard APIs.
// Run under Node against the built-in emulator: npx tsx examples/edge_handler.ts
import { EloquaBulkClient, importLinkages } from "../lib/mod.ts";

export interface Env {
  ELOQUA_BASE_URL: string;
  ELOQUA_TOKEN: string;
}

const handler = {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== "POST" || request.body === null) {
      return new Response("POST a CSV of OpportunityID,EmailAddress\n", { status: 405 });
    }
    const client = new EloquaBulkClient({
      baseUrl: env.ELOQUA_BASE_URL,
      auth: { type: "bearer", token: env.ELOQUA_TOKEN },
    });
    const report = await importLinkages(request.body, { client, sourceName: "upload", concurrency: 2 });
    return Response.json(report, { status: report.ok ? 200 : 502 });
  },
};
export default handler;

// When run directly: serve nothing, just call the handler with a streamed upload, as a runtime would.
if (process.argv[1]?.endsWith("edge_handler.ts")) {
  const { startEmulatorServer } = await import("../lib/node/mod.ts");
  const { openAsBlob } = await import("node:fs");
  const emulator = await startEmulatorServer();
  try {
    const upload = await openAsBlob(new URL("data/linkages.csv", import.meta.url));
    const request = new Request("http://edge.example/import", {
      method: "POST",
      body: upload.stream(),
      headers: { "content-type": "text/csv" },
      duplex: "half",
    } as RequestInit);
    const env = { ELOQUA_BASE_URL: emulator.url, ELOQUA_TOKEN: emulator.emulator.credentials.token };
    const response = await handler.fetch(request, env);
    const report = (await response.json()) as { rows: unknown };
    console.log(response.status, JSON.stringify(report.rows));
  } finally {
    await emulator.close();
  }
}
