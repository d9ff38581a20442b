// The streaming core on its own: CSV text in, Eloqua request bodies out.
// Run: npx tsx examples/core_batches.ts
import { CsvBatchStream, type Reject } from "../lib/mod.ts";

const rejects: Reject[] = [];
const csv = new Blob([
  "OpportunityID,email\n",
  "OPP-1,ann@example.com\nOPP-1,ANN@example.com\nOPP-2,not-an-email\nOPP-3, bob@example.com \n",
]).stream(); // any ReadableStream of bytes or strings: a file, a fetch() body, an upload

const stream = new CsvBatchStream({
  columns: { EmailAddress: "email" }, // source header → Eloqua field (headers match case-insensitively)
  maxBytes: 4_000_000, // hard cap per request body, in UTF-8 bytes
  onReject: (reject) => rejects.push(reject),
});
for await (const batch of csv.pipeThrough(stream)) {
  console.log(new TextDecoder().decode(batch.body));
  console.log(batch.lines);
}
console.log(stream.counts);
console.log(rejects.map((r) => `${r.line} ${r.code}`));
