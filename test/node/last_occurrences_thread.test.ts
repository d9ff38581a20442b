// The first read of `keep: "last"` in a worker thread finds, for every key, the line a read on this
// thread finds: random record files (repeated ids in other letter case and with spaces around, invalid
// amounts, empty required fields, values too long, quoted commas and line breaks) in random chunks give
// the same bodies, rejects and counts when the import's read keeps the line each table names.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findLastOccurrences } from "../../lib/dedupe/last_occurrences.ts";
import { spawnRowWorkerThread } from "../../lib/node/mod.ts";
import type { ImportSchema } from "../../lib/schema.ts";
import { batchOutcome } from "../_batch_outcome.ts";
import { chunked } from "../_chunks.ts";

const SCHEMA: ImportSchema = {
  name: "test records",
  fields: [
    { name: "Id", required: true },
    { name: "Amount", format: "number" },
    { name: "Name", required: true, maxLength: 8 },
  ],
  key: ["Id"],
};

const ID = fc.constantFrom("a1", "A1", " a1 ", "b2", "B2", "c3", '"d,4"', "e5", "");
const AMOUNT = fc.constantFrom("10", "-2.5", "ten", "", "7.");
const NAME = fc.constantFrom("Acme", "", " ", "Globex Corp", '"x\ny"', "Ünïcode", '"q""q"');
const ROW = fc.tuple(ID, AMOUNT, NAME).map((cells) => cells.join(","));

describe("findLastOccurrences with a row worker thread", () => {
  it("should find the line of every key that a read on this thread finds, whatever the chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ROW, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 64 }),
        async (rows, size) => {
          const bytes = new TextEncoder().encode(`Id,Amount,Name\n${rows.join("\n")}\n`);
          const here = await findLastOccurrences(chunked(bytes, size), { schema: SCHEMA });
          const there = await findLastOccurrences(chunked(bytes, size), {
            schema: SCHEMA,
            rowWorker: spawnRowWorkerThread(),
          });
          expect(there.size).toBe(here.size);
          const kept = await batchOutcome(chunked(bytes, size), { schema: SCHEMA, lastOccurrences: here });
          const keptThere = await batchOutcome(chunked(bytes, size), {
            schema: SCHEMA,
            lastOccurrences: there,
          });
          expect(keptThere).toEqual(kept);
          // Each key once, and some repeated key kept at a later line than its first.
          const ids = kept.bodies.flatMap((body) =>
            (JSON.parse(body) as { Id: string }[]).map((row) => row.Id.toLowerCase()),
          );
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("should keep a repeated id's last valid row, not its first", async () => {
    const bytes = new TextEncoder().encode("Id,Amount,Name\na1,1,First\nA1,2,Second\na1,ten,Invalid\n");
    const table = await findLastOccurrences(chunked(bytes, 7), {
      schema: SCHEMA,
      rowWorker: spawnRowWorkerThread(),
    });
    const out = await batchOutcome(chunked(bytes, 7), { schema: SCHEMA, lastOccurrences: table });
    expect(out.bodies.map((b) => JSON.parse(b))).toEqual([[{ Id: "A1", Amount: "2", Name: "Second" }]]);
  });
});
