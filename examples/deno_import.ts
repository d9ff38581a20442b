// Import a CSV file into Eloqua on Deno: here into the emulator, served with Deno.serve and the portable
// request handler, the file streamed from disk with Deno.open. Nothing Node-specific is loaded. The
// client sends through createDenoFetch(): without it, Deno's fetch would re-send a POST whose connection
// dropped unanswered without the client knowing (docs/RUNTIMES.md).
// Run: deno task example:deno   (deno run --allow-read --allow-net=127.0.0.1 examples/deno_import.ts)

import { createDenoFetch } from "../lib/deno/mod.ts";
import { createEmulator, DROP_CONNECTION } from "../lib/emulator/mod.ts";
import { EloquaBulkClient, importLinkages } from "../lib/mod.ts";

const emulator = createEmulator();
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
  const answer = await emulator.handle(request);
  // DROP_CONNECTION (fault injection) asks to close the connection unanswered; Deno.serve cannot, so the
  // answer is cut short instead: its body fails, which a client sees as a network error, as on a reset.
  return answer === DROP_CONNECTION ? new Response(failingBody(), { status: 502 }) : answer;
});

function failingBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.error(new Error("connection dropped")) });
}

const fetch = createDenoFetch();
try {
  const client = new EloquaBulkClient({
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    auth: { type: "bearer", token: emulator.credentials.token },
    fetch,
  });
  const file = await Deno.open(new URL("data/linkages.csv", import.meta.url));
  const report = await importLinkages(file.readable, { client, sourceName: "linkages.csv" });
  console.log(JSON.stringify(report.rows));
  console.log(`syncs: ${report.syncs.map((sync) => `${sync.uri} ${sync.status}`).join(", ")}`);
  if (!report.ok) Deno.exitCode = 1;
} finally {
  fetch.close();
  await server.shutdown();
}
