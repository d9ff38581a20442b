// onProgress says which sync the import waits for while Eloqua processes it: the CLI's bar shows it.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/emulator/mod.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import type { ImportProgress } from "../../lib/import/report.ts";
import { linkRows, toCsv, withEmulator } from "./_import_harness.ts";

describe("onProgress while a sync runs", () => {
  it("should name the sync and its rows while it is waited for, and nothing once it ended", async () => {
    // The emulator's sync stays pending until the clock moves: once a snapshot named it (or, if none ever
    // does, after many snapshots, so that a failure ends).
    const clock = new ManualClock();
    await withEmulator(
      { now: clock.now, syncTiming: { pendingMs: 1_000, activeMs: 1_000 } },
      async (_server, client) => {
        const snapshots: ImportProgress[] = [];
        const report = await importLinkages(new Blob([toCsv(linkRows(200, 3))]).stream(), {
          client,
          progressIntervalMs: 1,
          onProgress: (snapshot) => {
            snapshots.push(snapshot);
            if (snapshot.sync !== undefined || snapshots.length % 500 === 0) clock.advance(10_000);
          },
        });
        expect(report.ok, report.error?.message).toBe(true);
        expect(report.syncs).toHaveLength(1);
        const waited = snapshots.filter((s) => s.sync !== undefined);
        expect(waited.length).toBeGreaterThan(0);
        expect(waited[0]!.sync).toEqual({ uri: report.syncs[0]!.uri, rows: report.rows.staged });
        expect(snapshots.at(-1)!.sync).toBeUndefined();
      },
    );
  });
});
