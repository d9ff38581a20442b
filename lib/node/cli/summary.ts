import type { ImportReport } from "../../import/report.ts";
import { count, duration, plural, rate, size } from "./format.ts";

/** What the summary says besides the report. */
export interface SummaryContext {
  /** The input's name. */
  readonly name: string;
  /** Bytes of the input read. */
  readonly bytesRead: number;
  readonly dryRun: boolean;
  /** Ran against the built-in emulator. */
  readonly embedded: boolean;
}

/** The lines printed at the end of an import. */
export function formatSummary(report: ImportReport, context: SummaryContext): string {
  const { rows, requests, syncs } = report;
  const where = context.dryRun
    ? "dry run: nothing was sent"
    : `${report.definitionUri ?? "no definition"}${context.embedded ? " on the built-in emulator (not Eloqua)" : ""}`;
  const table: [string, number][] = context.dryRun
    ? [
        ["rows read", rows.read],
        ["invalid", rows.invalid],
        ["duplicate", rows.duplicate],
        // A dry run batches rows without sending them: the report counts them as not sent.
        ["would be staged", rows.notSent + rows.staged],
      ]
    : [
        ["rows read", rows.read],
        ["invalid", rows.invalid],
        ["duplicate", rows.duplicate],
        ["staged", rows.staged],
        ["not sent", rows.notSent],
        ["rejected by Eloqua", rows.rejectedByEloqua],
      ];
  const width = Math.max(...table.map(([, n]) => count(n).length));
  const lines = [
    `${report.ok ? "Done" : "Incomplete"}: ${context.name} → ${where}`,
    ...table.map(([label, n]) => `  ${label.padEnd(20)}${count(n).padStart(width)}`),
  ];
  if (!context.dryRun) {
    const statuses = syncs.length === 0 ? "" : ` (${summarizeStatuses(syncs.map((s) => s.status))})`;
    lines.push(
      `  ${plural(syncs.length, "sync")}${statuses}, ${plural(requests.dataPosts, "data POST")} (${size(requests.bytes)}), ` +
        `${plural(requests.retries, "retry", "retries")}, ${plural(requests.splits, "split")}`,
    );
  }
  lines.push(
    `  ${duration(report.durationMs)}, ${size(context.bytesRead)} read, ${rate(context.bytesRead, report.durationMs)}`,
  );
  return `${lines.join("\n")}\n`;
}

function summarizeStatuses(statuses: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => (statuses.length === 1 ? status : `${n} ${status}`)).join(", ");
}
