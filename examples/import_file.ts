// The library from Node on a file: stream a CSV of opportunity ↔ contact links into Eloqua.
// Runs against the built-in emulator on 127.0.0.1, so it needs no Eloqua account; for a real
// instance, drop the emulator and give the client your pod's base URL and credentials.
// The client sends through node:http (createNodeHttpFetch), which costs far less CPU per MB than fetch;
// a row worker thread parses while this thread dedupes and uploads, and the dedupe index is sized
// from the file's size up front: the CLI's configuration, the fastest measured (bench/README.md).
// Run: npx tsx examples/import_file.ts [file.csv]
import { EloquaBulkClient, importLinkages, type Reject } from "../lib/mod.ts";
import {
  createNodeHttpFetch,
  fileSource,
  spawnRowWorkerThread,
  startEmulatorServer,
} from "../lib/node/mod.ts";

const path = process.argv[2] ?? new URL("data/linkages.csv", import.meta.url).pathname;
const emulator = await startEmulatorServer({ knownContacts: (email) => !email.endsWith("@unknown.example") });
const fetch = createNodeHttpFetch();
try {
  const { credentials } = emulator.emulator;
  const client = new EloquaBulkClient({
    baseUrl: emulator.url,
    auth: { type: "basic", site: credentials.site, user: credentials.user, password: credentials.password },
    fetch,
  });
  const file = await fileSource(path);
  const rejects: Reject[] = [];
  const report = await importLinkages(file.stream, {
    client,
    sourceName: file.name,
    expectedKeys: Math.ceil((file.size ?? 0) / 40), // ~40 bytes a row: a guess that costs only speed if wrong
    rowWorker: spawnRowWorkerThread(), // ended by the import
    onReject: (reject) => {
      if (reject.code !== "DUPLICATE") rejects.push(reject);
    },
  });
  console.log(JSON.stringify(report.rows));
  console.log(`syncs: ${report.syncs.map((s) => `${s.uri} ${s.status}`).join(", ")}`);
  for (const reject of rejects.slice(0, 5)) console.log(`rejected: ${reject.message}`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  fetch.close();
  await emulator.close();
}
