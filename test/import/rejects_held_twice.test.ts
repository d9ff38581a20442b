// Bodies Eloqua stored though their answer was lost, then sent again: Eloqua holds their rows twice and a
// sync rejects each such row twice. The import counts and reports each rejected source row once.
import { describe, expect, it } from "vitest";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import type { Reject } from "../../lib/reject.ts";
import { linkRows, toCsv, withEmulator } from "./_import_harness.ts";

describe("importLinkages with rows Eloqua holds twice", () => {
  it("should count every row a sync rejected once, at its real line, as the emulator's record has it", async () => {
    const rows = linkRows(6000, 7);
    await withEmulator(
      {
        faults: [{ route: "data.post", action: "commitThenDrop", rate: 0.2 }],
        knownContacts: (email: string) => !email.endsWith("@unknown.org"),
      },
      async (server, client) => {
        const rejects: Reject[] = [];
        const report = await importLinkages(new Blob([toCsv(rows)]).stream(), {
          client,
          maxBatchBytes: 4000,
          concurrency: 4,
          onReject: (r) => rejects.push(r),
        });
        expect(report.ok).toBe(true);
        const held = server.emulator.records();
        const rejectedRecords = held.filter((x) => x.state === "rejected");
        const distinct = new Set(
          rejectedRecords.map((x) => `${x.row.OpportunityID}\u0000${x.row.EmailAddress}`),
        );
        // The faults did make Eloqua hold some rejected rows twice: else this test proves nothing.
        expect(rejectedRecords.length).toBeGreaterThan(distinct.size);
        expect(report.rows.rejectedByEloqua).toBe(distinct.size);
        const sync = rejects.filter((r) => r.stage === "sync");
        expect(sync).toHaveLength(distinct.size);
        expect(new Set(sync.map((r) => r.line)).size).toBe(sync.length);
        for (const r of sync) {
          expect(r.line).toBeGreaterThan(1);
          const row = rows[r.line - 2]!;
          expect(r.values.OpportunityID?.toLowerCase()).toBe(row.id.toLowerCase());
        }
      },
    );
  });
});
