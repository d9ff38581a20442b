import { describe, expect, it } from "vitest";
import { IMPORT_KINDS } from "../../lib/client/imports.ts";
import type { EloquaField } from "../../lib/client/types.ts";
import { peekHeader } from "../../lib/csv/peek_header.ts";
import type { ImportCheckpoint } from "../../lib/import/checkpoint.ts";
import { importLinkages } from "../../lib/import/import_linkages.ts";
import { planImport } from "../../lib/import/import_plan.ts";
import { importRows } from "../../lib/import/import_rows.ts";
import type { Reject } from "../../lib/reject.ts";
import { withEmulator } from "./_import_harness.ts";

const FIELDS: EloquaField[] = [
  {
    name: "Opportunity ID",
    internalName: "OpportunityID",
    statement: "{{Opportunity.Id}}",
    dataType: "string",
    hasNotNullConstraint: true,
  },
  {
    name: "Name",
    internalName: "Name",
    statement: "{{Opportunity.Field(Name)}}",
    dataType: "string",
    hasNotNullConstraint: true,
  },
  {
    name: "Stage",
    internalName: "Stage",
    statement: "{{Opportunity.Field(Stage)}}",
    dataType: "string",
    hasNotNullConstraint: true,
  },
  {
    name: "Amount",
    internalName: "Amount",
    statement: "{{Opportunity.Field(Amount)}}",
    dataType: "number",
    hasNotNullConstraint: true,
  },
  {
    name: "Close Date",
    internalName: "CloseDate",
    statement: "{{Opportunity.Field(CloseDate)}}",
    dataType: "date",
  },
];

/**
 * `n` opportunity rows; every 7th has a bad amount, every 11th an impossible date, every 13th repeats an
 * earlier id in other case. `valid` holds the first valid row of each id, `last` the last (by lower-case id).
 */
function opportunityCsv(n: number): {
  text: string;
  valid: Map<string, Record<string, string>>;
  last: Map<string, Record<string, string>>;
  invalid: number;
  duplicate: number;
} {
  const lines = ["Opportunity ID,Opportunity Name,Stage,Amount,Close Date,Notes"];
  const valid = new Map<string, Record<string, string>>();
  const last = new Map<string, Record<string, string>>();
  let invalid = 0;
  let duplicate = 0;
  for (let i = 1; i <= n; i++) {
    const id = i % 13 === 0 ? `opp-${i - 5}` : `OPP-${i}`;
    const amount = i % 7 === 0 ? "1,000" : `${i}.50`;
    const date = i % 11 === 0 ? "2027-02-30" : i % 2 === 0 ? "2027-01-31" : "";
    lines.push(`${id},"Deal ${i}, phase ${i % 3}",Proposal," ${amount} ",${date},note ${i}`);
    if (i % 7 !== 0 && i % 11 !== 0) {
      last.set(id.toLowerCase(), {
        OpportunityID: id,
        Name: `Deal ${i}, phase ${i % 3}`,
        Stage: "Proposal",
        Amount: amount,
        CloseDate: date,
      });
    }
    if (i % 7 === 0 || i % 11 === 0) invalid++;
    else if ([...valid.keys()].some((k) => k.toLowerCase() === id.toLowerCase())) duplicate++;
    else {
      const row: Record<string, string> = {
        OpportunityID: id,
        Name: `Deal ${i}, phase ${i % 3}`,
        Stage: "Proposal",
        Amount: amount,
        CloseDate: date,
      };
      valid.set(id, row);
    }
  }
  return { text: `${lines.join("\r\n")}\r\n`, valid, last, invalid, duplicate };
}

const stream = (text: string, chunk = 997) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      for (let at = 0; at < bytes.length; at += chunk) controller.enqueue(bytes.slice(at, at + chunk));
      controller.close();
    },
  });

describe("rejectDuplicates", () => {
  it("should keep duplicates from onReject when false, and count them all the same", async () => {
    const text = "OpportunityID,EmailAddress\nO1,a@b.co\nO1,A@B.CO\nO2,bad\n";
    for (const rejectDuplicates of [true, false]) {
      const codes: string[] = [];
      const report = await importLinkages(stream(text), {
        dryRun: true,
        rejectDuplicates,
        onReject: (r) => codes.push(r.code),
      });
      expect(report.rows).toMatchObject({ read: 3, invalid: 1, duplicate: 1 });
      expect(codes).toEqual(rejectDuplicates ? ["INVALID_EMAIL", "DUPLICATE"] : ["INVALID_EMAIL"]);
    }
  });
});

describe("importRows: opportunities planned from a header and Eloqua's fields", () => {
  it("should stage each valid opportunity once, typed values checked, the first of a repeated id kept", async () => {
    const { text, valid, invalid, duplicate } = opportunityCsv(400);
    await withEmulator({}, async (server, client) => {
      const { header, stream: input } = await peekHeader(stream(text));
      const plan = planImport(header!, FIELDS, { kind: IMPORT_KINDS.opportunities });
      const rejects: Reject[] = [];
      const report = await importRows(input, {
        client,
        ...plan.options,
        maxBatchBytes: 2_000,
        maxFilesPerSync: 3,
        onReject: (r) => rejects.push(r),
      });
      expect(report.ok).toBe(true);
      expect(report.definitionUri).toMatch(/^\/opportunities\/imports\/\d+$/);
      expect(report.rows).toMatchObject({ read: 400, invalid, duplicate, staged: valid.size, notSent: 0 });
      const held = server.emulator.records().filter((r) => r.state === "synced");
      // Bodies in flight at once may arrive in any order: compare by id.
      const byId = (a: Record<string, string>, b: Record<string, string>) =>
        a.OpportunityID! < b.OpportunityID! ? -1 : 1;
      expect(held.map((r) => r.row).sort(byId)).toEqual([...valid.values()].sort(byId));
      const codes = new Map<string, number>();
      for (const r of rejects) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      expect(codes.get("INVALID_NUMBER")).toBe(Math.floor(400 / 7));
      expect(codes.get("INVALID_DATE")).toBeGreaterThan(0);
      expect(rejects.find((r) => r.code === "INVALID_NUMBER")!.message).toMatch(
        /^input line 8: Amount "1,000" is not a number/,
      );
      const definition = await client.getImport(report.definitionUri!);
      expect(definition.identifierFieldName).toBe("OpportunityID");
      expect(definition.fields).toEqual(plan.options.definition.fields);
    });
  });

  it("should resume from a checkpoint taken mid-import and end with every valid opportunity held once", async () => {
    const { text, valid } = opportunityCsv(600);
    await withEmulator({}, async (server, client) => {
      const plan = planImport((await peekHeader(stream(text))).header!, FIELDS, {
        kind: IMPORT_KINDS.opportunities,
      });
      let saved: ImportCheckpoint | undefined;
      const controller = new AbortController();
      const first = await importRows(stream(text, 301), {
        client,
        ...plan.options,
        maxBatchBytes: 1_500,
        maxFilesPerSync: 2,
        concurrency: 1,
        signal: controller.signal,
        onCheckpoint: (c) => {
          saved = c;
          if (c.syncs.length >= 2) controller.abort(new Error("stopped"));
        },
      });
      expect(first.ok).toBe(false);
      expect(first.error?.code).toBe("ABORTED");
      expect(saved!.acknowledgedLine).toBeGreaterThan(1);
      expect(saved!.acknowledgedLine).toBeLessThan(600);
      const second = await importRows(stream(text, 4096), {
        client,
        ...plan.options,
        maxBatchBytes: 1_500,
        maxFilesPerSync: 2,
        checkpoint: saved!,
        onCheckpoint: (c) => {
          saved = c;
        },
      });
      expect(second.ok).toBe(true);
      expect(second.rows.staged).toBe(valid.size);
      const ids = server.emulator
        .records()
        .filter((r) => r.state === "synced")
        .map((r) => r.row.OpportunityID);
      expect(new Set(ids)).toEqual(new Set(valid.keys()));
      expect(ids.length).toBeLessThanOrEqual(valid.size + (second.resumed?.mayBeStagedTwice ?? 0));
    });
  });

  it('should keep the last valid row of a repeated id with keep: "last", reading the input twice', async () => {
    const { text, last, invalid } = opportunityCsv(400);
    await withEmulator({}, async (server, client) => {
      const plan = planImport((await peekHeader(stream(text))).header!, FIELDS, {
        kind: IMPORT_KINDS.opportunities,
      });
      const rejects: Reject[] = [];
      let reads = 0;
      const report = await importRows(stream(text), {
        client,
        ...plan.options,
        keep: "last",
        reread: () => {
          reads++;
          return stream(text, 211);
        },
        maxBatchBytes: 2_000,
        maxFilesPerSync: 3,
        onReject: (r) => rejects.push(r),
      });
      expect(reads).toBe(1);
      expect(report.ok).toBe(true);
      expect(report.rows).toMatchObject({
        read: 400,
        invalid,
        duplicate: 400 - invalid - last.size,
        staged: last.size,
        notSent: 0,
      });
      const held = server.emulator.records().filter((r) => r.state === "synced");
      const heldById = new Map(held.map((r) => [r.row.OpportunityID!.toLowerCase(), r.row]));
      expect(held.length).toBe(last.size);
      expect(heldById).toEqual(last);
      // Line 14 (i = 13) repeats OPP-8 (line 9): line 9 is the earlier one, so it is the duplicate.
      const duplicate = rejects.find((r) => r.code === "DUPLICATE" && r.line === 9);
      expect(duplicate?.message).toBe(
        "input line 9: the same OpportunityID as line 14, a later row, which is the one imported",
      );
      expect(rejects.filter((r) => r.code === "DUPLICATE").length).toBe(report.rows.duplicate);
    });
  });

  it('should hold each id\'s last row once after a stop and a resume with keep: "last"', async () => {
    const { text, last } = opportunityCsv(600);
    await withEmulator({}, async (server, client) => {
      const plan = planImport((await peekHeader(stream(text))).header!, FIELDS, {
        kind: IMPORT_KINDS.opportunities,
      });
      const common = {
        client,
        ...plan.options,
        keep: "last" as const,
        reread: () => stream(text, 509),
        maxBatchBytes: 1_500,
        maxFilesPerSync: 2,
      };
      let saved: ImportCheckpoint | undefined;
      const controller = new AbortController();
      const first = await importRows(stream(text, 301), {
        ...common,
        concurrency: 1,
        signal: controller.signal,
        onCheckpoint: (c) => {
          saved = c;
          if (c.syncs.length >= 2) controller.abort(new Error("stopped"));
        },
      });
      expect(first.ok).toBe(false);
      expect(saved!.acknowledgedLine).toBeGreaterThan(1);
      expect(saved!.acknowledgedLine).toBeLessThan(600);
      const second = await importRows(stream(text, 4096), { ...common, checkpoint: saved! });
      expect(second.ok).toBe(true);
      expect(second.rows.staged).toBe(last.size);
      const held = server.emulator.records().filter((r) => r.state === "synced");
      for (const record of held)
        expect(record.row).toEqual(last.get(record.row.OpportunityID!.toLowerCase()));
      expect(new Set(held.map((r) => r.row.OpportunityID!.toLowerCase()))).toEqual(new Set(last.keys()));
      expect(held.length).toBeLessThanOrEqual(last.size + (second.resumed?.mayBeStagedTwice ?? 0));
    });
  });

  it('should refuse keep: "last" without a way to read the input again, and an unknown keep', async () => {
    const plan = planImport(["Opportunity ID", "Name", "Stage", "Amount"], FIELDS, {
      kind: IMPORT_KINDS.opportunities,
    });
    await expect(importRows(stream(""), { ...plan.options, dryRun: true, keep: "last" })).rejects.toThrow(
      /reread/,
    );
    await expect(
      importRows(stream(""), { ...plan.options, dryRun: true, keep: "latest" as "last" }),
    ).rejects.toThrow(/keep/);
  });

  it("should refuse a text value longer than any Eloqua text field holds (32,000 characters) before sending it", async () => {
    const long = "x".repeat(32_000);
    const text = `Opportunity ID,Name,Stage,Amount\nO1,${long},Proposal,1\nO2,${long}é,Proposal,2\nO3,${long}x,Proposal,3\n`;
    await withEmulator({}, async (server, client) => {
      const plan = planImport(["Opportunity ID", "Name", "Stage", "Amount"], FIELDS, {
        kind: IMPORT_KINDS.opportunities,
      });
      const rejects: Reject[] = [];
      const report = await importRows(stream(text, 4096), {
        client,
        ...plan.options,
        onReject: (r) => rejects.push(r),
      });
      expect(report.rows).toMatchObject({ read: 3, invalid: 2, staged: 1 });
      expect(rejects.map((r) => [r.line, r.code, r.message])).toEqual([
        [3, "FIELD_TOO_LONG", "input line 3: Name has 32001 characters, more than the 32000 allowed"],
        [4, "FIELD_TOO_LONG", "input line 4: Name has 32001 characters, more than the 32000 allowed"],
      ]);
      const held = server.emulator.records().filter((r) => r.state === "synced");
      expect(held.map((r) => [r.row.OpportunityID, r.row.Name?.length])).toEqual([["O1", 32_000]]);
    });
  });
});
