// Pipe a CSV fetched over HTTP straight into an import: the response body streams through
// parse → validate → dedupe → batch → upload, with backpressure back to the download.
// The example serves its own CSV on 127.0.0.1 and imports it into the built-in emulator.
// Run: npx tsx examples/import_from_url.ts
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EloquaBulkClient, importLinkages } from "../lib/mod.ts";
import { startEmulatorServer } from "../lib/node/mod.ts";

const csv = await readFile(new URL("data/linkages.csv", import.meta.url));
const files = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "text/csv" });
  response.end(csv);
});
await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
const csvUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/linkages.csv`;
const emulator = await startEmulatorServer();
try {
  const client = new EloquaBulkClient({
    baseUrl: emulator.url,
    auth: { type: "bearer", token: emulator.emulator.credentials.token },
  });
  const response = await fetch(csvUrl);
  if (!response.ok || response.body === null) throw new Error(`GET ${csvUrl} answered ${response.status}`);
  const report = await importLinkages(response.body, { client, sourceName: csvUrl });
  console.log(JSON.stringify(report.rows));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await emulator.close();
  files.close();
}
