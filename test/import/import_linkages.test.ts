import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { FaultRule } from "../../lib/emulator/mod.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import type { ImportReport } from "../../lib/import/report.ts";
import { isCsvHeaderError, isInvalidOptionError, type Reject } from "../../lib/mod.ts";
import { testTransports } from "../runtimes/transports.ts";
import { expectedStaged, linkRows, toCsv, withEmulator as withEmulatorVia } from "./_import_harness.ts";

const csvStream = (text: string) => new Blob([text]).stream();

function expectIdentity(report: ImportReport): void {
  const r = report.rows;
  expect(r.read).toBe(r.invalid + r.duplicate + r.staged + r.notSent);
}

// Each test with every transport of this runtime: the runtime's fetch, and node:http on Node or the
// no-reuse Deno transport on Deno (test/runtimes/transports.ts).
const TRANSPORTS = await testTransports();
afterAll(() => {
  for (const transport of TRANSPORTS) transport.close();
});

describe.each(TRANSPORTS)("through $name", (transport) => {
  const withEmulator: typeof withEmulatorVia = (options, body) =>
    withEmulatorVia(options, body, transport.fetch);

  describe("importLinkages against the emulator", () => {
    it("should stage every valid unique row, sync within the file limit, and map Eloqua's rejects to source lines", async () => {
      const rows = linkRows(3000, 7);
      const known = (email: string) => !email.endsWith("@unknown.org");
      await withEmulator({ knownContacts: known }, async (server, client) => {
        const rejects: Reject[] = [];
        const report = await importLinkages(csvStream(toCsv(rows)), {
          client,
          maxBatchBytes: 10_000,
          maxFilesPerSync: 4,
          concurrency: 3,
          onReject: (r) => rejects.push(r),
        });
        expect(report.ok).toBe(true);
        expectIdentity(report);
        const staged = server.emulator
          .records()
          .map((r) => `${r.row.OpportunityID}\u0000${r.row.EmailAddress}`);
        expect(staged).toHaveLength(new Set(staged).size);
        expect(new Set(staged)).toEqual(new Set(expectedStaged(rows)));
        expect(report.rows.staged).toBe(staged.length);
        expect(report.rows.invalid).toBe(rows.filter((r) => !r.valid).length);

        const stats = server.emulator.stats;
        expect(stats.maxFilesPerSync).toBeLessThanOrEqual(4);
        expect(stats.bodyBytes.max).toBeLessThanOrEqual(10_000);
        expect(stats.overlappingSyncs).toBe(0);
        expect(stats.postsDuringSync).toBe(0);
        expect(report.syncs.reduce((n, s) => n + s.files, 0)).toBe(report.requests.dataPosts);

        const syncRejects = rejects.filter((r) => r.stage === "sync");
        const unknown = expectedStaged(rows).filter((k) => k.endsWith("@unknown.org")).length;
        expect(unknown).toBeGreaterThan(0);
        expect(syncRejects).toHaveLength(unknown);
        expect(report.rows.rejectedByEloqua).toBe(unknown);
        for (const reject of syncRejects) {
          expect(reject.code).toBe("ELQ-00085");
          const row = rows[reject.line - 2]!;
          expect(reject.values.EmailAddress).toBe(row.email);
        }

        // The report counts by code what the reject channel said, and the same with nobody listening.
        const byCode: Record<string, number> = {};
        for (const r of rejects) if (r.code !== "DUPLICATE") byCode[r.code] = (byCode[r.code] ?? 0) + 1;
        expect(byCode["ELQ-00085"]).toBe(unknown);
        expect(report.rejectsByCode).toEqual(byCode);
        const unheard = await importLinkages(csvStream(toCsv(rows)), {
          client,
          maxBatchBytes: 10_000,
          maxFilesPerSync: 4,
          concurrency: 3,
        });
        expect(unheard.rejectsByCode).toEqual(byCode);
      });
    });

    // Deno's fetch re-sends a POST whose reused connection closes unanswered, unseen by the client, so the
    // emulator counts files the client could not (docs/RUNTIMES.md).
    it.skipIf(!transport.reportsDroppedPost)(
      "should stage every valid unique row at least once through 429s, 503s, resets and lost responses",
      async () => {
        const rows = linkRows(1500, 3);
        const faults: FaultRule[] = [
          { route: "data.post", action: { status: 429 }, rate: 0.15 },
          { route: "data.post", action: { status: 503 }, rate: 0.1 },
          { route: "data.post", action: "reset", rate: 0.1 },
          { route: "data.post", action: "commitThenDrop", rate: 0.1 },
          { route: "sync.get", action: { status: 500 }, rate: 0.2 },
          { route: "rejects", action: { status: 502 }, rate: 0.2 },
        ];
        await withEmulator({ faults, seed: 11 }, async (server, client, inFlight) => {
          const report = await importLinkages(csvStream(toCsv(rows)), {
            client,
            maxBatchBytes: 4_000,
            maxFilesPerSync: 5,
            concurrency: 4,
          });
          expect(report.ok).toBe(true);
          expectIdentity(report);
          expect(report.requests.retries).toBeGreaterThan(0);
          const staged = new Set(
            server.emulator.records().map((r) => `${r.row.OpportunityID}\u0000${r.row.EmailAddress}`),
          );
          expect(staged).toEqual(new Set(expectedStaged(rows)));
          const stats = server.emulator.stats;
          expect(inFlight.max).toBeLessThanOrEqual(4);
          expect(stats.maxFilesPerSync).toBeLessThanOrEqual(5);
          expect(stats.postsDuringSync).toBe(0);
          expect(stats.overlappingSyncs).toBe(0);
        });
      },
    );

    it("should keep data POSTs in flight at or under concurrency when Eloqua is slow", async () => {
      const rows = linkRows(800, 5);
      await withEmulator(
        { faults: [{ route: "data.post", action: { delayMs: 20 } }] },
        async (server, client, inFlight) => {
          const report = await importLinkages(csvStream(toCsv(rows)), {
            client,
            maxBatchBytes: 2_000,
            concurrency: 3,
          });
          expect(report.ok).toBe(true);
          expect(inFlight.max).toBe(3);
          expect(server.emulator.stats.maxInFlight).toBe(3);
        },
      );
    });

    it("should sync to drain a full staging area (413) and post the same body again, never splitting it", async () => {
      const rows = linkRows(600, 9);
      await withEmulator({ maxStagedBytes: 12_000 }, async (server, client) => {
        const report = await importLinkages(csvStream(toCsv(rows)), {
          client,
          maxBatchBytes: 5_000,
          concurrency: 1,
          maxBytesPerSync: 1_000_000,
        });
        expect(report.ok).toBe(true);
        expect(report.requests.splits).toBe(0);
        expect(report.syncs.length).toBeGreaterThan(1);
        expect(
          new Set(server.emulator.records().map((r) => `${r.row.OpportunityID}\u0000${r.row.EmailAddress}`)),
        ).toEqual(new Set(expectedStaged(rows)));
      });
    });

    it("should split a body Eloqua refuses as too large (404) into halves until it fits", async () => {
      const rows = linkRows(400, 2);
      await withEmulator({ maxBodyBytes: 3_000 }, async (server, client) => {
        const report = await importLinkages(csvStream(toCsv(rows)), {
          client,
          maxBatchBytes: 10_000,
          concurrency: 2,
        });
        expect(report.ok).toBe(true);
        expect(report.requests.splits).toBeGreaterThan(0);
        expect(
          new Set(server.emulator.records().map((r) => `${r.row.OpportunityID}\u0000${r.row.EmailAddress}`)),
        ).toEqual(new Set(expectedStaged(rows)));
      });
    });

    it("should report rows as not sent, with a reason, when Eloqua keeps failing", async () => {
      const rows = linkRows(300, 4);
      await withEmulator(
        {
          faults: [
            {
              route: "data.post",
              action: { status: 503 },
              schedule: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            },
          ],
        },
        async (_server, client) => {
          const rejects: Reject[] = [];
          const report = await importLinkages(csvStream(toCsv(rows)), {
            client,
            maxBatchBytes: 1_000,
            concurrency: 1,
            onReject: (r) => rejects.push(r),
          });
          expect(report.ok).toBe(false);
          expect(report.error?.code).toBe("ELOQUA_SERVICE_UNAVAILABLE");
          expectIdentity(report);
          expect(report.rows.notSent).toBeGreaterThan(0);
          const notSent = rejects.filter((r) => r.code === "NOT_SENT");
          expect(notSent).toHaveLength(report.rows.notSent);
          expect(notSent[0]!.values.OpportunityID).toBeDefined();
        },
      );
    });

    it("should stop on abort, account for every row read, and say so", async () => {
      let n = 0;
      const endless = new ReadableStream<string>({
        pull(controller) {
          controller.enqueue(
            n === 0 ? "OpportunityID,EmailAddress\n" : `OPP-${n},user${n}@example.com\n`.repeat(20),
          );
          n++;
        },
      });
      await withEmulator(
        { faults: [{ route: "data.post", action: { delayMs: 5 } }] },
        async (_server, client) => {
          const controller = new AbortController();
          const rejects: Reject[] = [];
          const report = await importLinkages(endless, {
            client,
            maxBatchBytes: 1_000,
            progressIntervalMs: 0,
            signal: controller.signal,
            onReject: (r) => rejects.push(r),
            onProgress: (p) => {
              if (p.dataPosts >= 3) controller.abort(new Error("operator pressed Ctrl-C"));
            },
          });
          expect(report.ok).toBe(false);
          expect(report.error?.code).toBe("ABORTED");
          expect(report.error?.message).toContain("operator pressed Ctrl-C");
          expectIdentity(report);
          expect(report.rows.staged).toBeGreaterThan(0);
          expect(report.rows.notSent).toBeGreaterThan(0);
          // Every row read and not staged is reported, not only counted.
          expect(rejects.filter((r) => r.code === "NOT_SENT")).toHaveLength(report.rows.notSent);
        },
      );
    });

    it("should throw on a missing column before creating any definition", async () => {
      await withEmulator({}, async (server, client) => {
        const error = await importLinkages(csvStream("OpportunityID,mail\n1,a@b.co\n"), { client }).catch(
          (e: unknown) => e,
        );
        expect(isCsvHeaderError(error)).toBe(true);
        expect(server.emulator.stats.requestsByRoute["definition.create"] ?? 0).toBe(0);
      });
    });

    it("should reuse a definition by URI and follow its case rules", async () => {
      await withEmulator({}, async (server, client) => {
        const definition = await client.createLinkageImport({ caseSensitiveSourceField: true });
        const report = await importLinkages(csvStream("OpportunityID,EmailAddress\n1,a@b.co\n1,A@B.CO\n"), {
          client,
          importUri: definition.uri,
        });
        expect(report.definitionUri).toBe(definition.uri);
        expect(report.rows).toMatchObject({ read: 2, duplicate: 0, staged: 2 });
        expect(server.emulator.stats.requestsByRoute["definition.create"]).toBe(1);
      });
    });

    it("should refuse bad options with a message naming the option and value", async () => {
      await expect(importLinkages(csvStream(""), { dryRun: true, concurrency: 0 })).rejects.toThrow(
        "Cannot construct importLinkages as concurrency must be an integer from 1 to 64: current value is 0",
      );
      const error = await importLinkages(csvStream(""), {}).catch((e: unknown) => e);
      expect(isInvalidOptionError(error)).toBe(true);
    });

    it("should parse, validate, dedupe and batch without any network in a dry run", async () => {
      const rows = linkRows(500, 6);
      const report = await importLinkages(csvStream(toCsv(rows)), { dryRun: true });
      expect(report.ok).toBe(true);
      expect(report.definitionUri).toBeNull();
      expectIdentity(report);
      expect(report.rows.staged).toBe(0);
      expect(report.rows.notSent).toBe(expectedStaged(rows).length);
    });
  });

  describe("importLinkages under generated fault schedules", () => {
    it.skipIf(!transport.reportsDroppedPost)(
      "should hold its invariants whatever the schedule of faults on data POSTs",
      async () => {
        const action = fc.constantFrom<FaultRule["action"]>(
          { status: 429 },
          { status: 500 },
          { status: 503 },
          "reset",
          "commitThenDrop",
          { delayMs: 3 },
        );
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.record({ action, rate: fc.double({ min: 0, max: 0.3, noNaN: true }) }), {
              maxLength: 4,
            }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 1, max: 1000 }),
            async (rules, concurrency, seed) => {
              const rows = linkRows(300, seed);
              const faults = rules.map((r) => ({ route: "data.post" as const, ...r }));
              await withEmulator({ faults, seed }, async (server, client, inFlight) => {
                const report = await importLinkages(csvStream(toCsv(rows)), {
                  client,
                  maxBatchBytes: 1_500,
                  maxFilesPerSync: 3,
                  concurrency,
                });
                expectIdentity(report);
                expect(report.ok).toBe(true);
                expect(inFlight.max).toBeLessThanOrEqual(concurrency);
                const stats = server.emulator.stats;
                expect(stats.maxFilesPerSync).toBeLessThanOrEqual(3);
                expect(stats.postsDuringSync).toBe(0);
                expect(stats.overlappingSyncs).toBe(0);
                expect(stats.bodyBytes.max).toBeLessThanOrEqual(1_500);
                const staged = new Set(
                  server.emulator.records().map((r) => `${r.row.OpportunityID}\u0000${r.row.EmailAddress}`),
                );
                expect(staged).toEqual(new Set(expectedStaged(rows)));
              });
            },
          ),
          { numRuns: 15 },
        );
      },
    );
  });
});
