// Import a CSV file into Eloqua on Bun: here into the emulator, served with Bun.serve and the portable
// request handler, the file streamed from disk with Bun.file. Nothing Node-specific is loaded.
// Run: bun examples/bun_import.ts
import { createEmulator, DROP_CONNECTION } from "../lib/emulator/mod.ts";
import { EloquaBulkClient, importLinkages } from "../lib/mod.ts";

const emulator = createEmulator();
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const answer = await emulator.handle(request);
    // DROP_CONNECTION (fault injection) asks to close the connection unanswered: a response whose body
    // fails makes Bun.serve close it.
    return answer === DROP_CONNECTION ? new Response(failingBody(), { status: 502 }) : answer;
  },
});

function failingBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.error(new Error("connection dropped")) });
}

try {
  const client = new EloquaBulkClient({
    baseUrl: `http://127.0.0.1:${server.port}`,
    auth: { type: "bearer", token: emulator.credentials.token },
  });
  const file = Bun.file(new URL("data/linkages.csv", import.meta.url));
  const report = await importLinkages(file.stream(), { client, sourceName: "linkages.csv" });
  console.log(JSON.stringify(report.rows));
  console.log(`syncs: ${report.syncs.map((sync) => `${sync.uri} ${sync.status}`).join(", ")}`);
  if (!report.ok) process.exitCode = 1;
} finally {
  await server.stop(true);
}
