// A rerun that stops before it could delete what an earlier run staged and did not sync must leave that
// work to the next rerun: its checkpoint still says the staging holds the earlier run's files.
import { describe, expect, it } from "vitest";
import type { FetchLike } from "../../lib/client/mod.ts";
import type { ImportCheckpoint } from "../../lib/import/checkpoint.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import { expectedStaged, linkRows, toCsv, withEmulator } from "./_import_harness.ts";

describe("importLinkages resumed twice", () => {
  it("should delete the earlier run's unsynced staging in the rerun that gets through, never sync it", async () => {
    const rows = linkRows(2000, 5);
    const csv = toCsv(rows);
    let mode: "normal" | "abortAtPost" | "noDelete" = "abortAtPost";
    let posts = 0;
    const controller = new AbortController();
    const transport: FetchLike = async (input, init) => {
      const method = input instanceof Request ? input.method : (init?.method ?? "GET");
      const url = input instanceof Request ? input.url : String(input);
      if (mode === "abortAtPost" && method === "POST" && url.endsWith("/data") && ++posts === 4)
        controller.abort(new Error("stop"));
      if (mode === "noDelete" && method === "DELETE") throw new TypeError("fetch failed");
      return fetch(input, init);
    };
    await withEmulator(
      {},
      async (server, client) => {
        let checkpoint: ImportCheckpoint | undefined;
        const run = (signal?: AbortSignal) =>
          importLinkages(new Blob([csv]).stream(), {
            client,
            maxBatchBytes: 3000,
            concurrency: 2,
            maxFilesPerSync: 50,
            ...(checkpoint === undefined ? {} : { checkpoint }),
            onCheckpoint: (state) => {
              checkpoint = JSON.parse(JSON.stringify(state)) as ImportCheckpoint;
            },
            ...(signal === undefined ? {} : { signal }),
          });
        const first = await run(controller.signal);
        expect(first.ok).toBe(false);
        expect(checkpoint?.sinceSync.files).toBeGreaterThan(0);
        mode = "noDelete";
        const second = await run();
        expect(second.ok).toBe(false);
        // Nothing was deleted: the next rerun must still know the staging holds files.
        expect(checkpoint?.sinceSync.files).toBeGreaterThan(0);
        mode = "normal";
        const third = await run();
        expect(third.ok).toBe(true);
        const records = server.emulator.records();
        expect(records.filter((x) => x.state === "staged")).toEqual([]);
        const took = records
          .filter((x) => x.state === "synced" || x.state === "rejected")
          .map((x) => `${x.row.OpportunityID}\u0000${x.row.EmailAddress}`);
        expect(new Set(took)).toEqual(new Set(expectedStaged(rows)));
        expect(took.length - new Set(took).size).toBeLessThanOrEqual(third.resumed?.mayBeStagedTwice ?? 0);
        expect(server.emulator.stats.maxFilesPerSync).toBeLessThanOrEqual(50);
      },
      transport,
    );
  });
});
