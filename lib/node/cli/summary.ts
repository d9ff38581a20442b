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
  /** Rows not staged and rows Eloqua rejected, by reject code (duplicates left out). */
  readonly reasons?: ReadonlyMap<string, number>;
  /** Where the rejects were written, if they were. */
  readonly rejectsPath?: string;
}

/** Share of rows rejected on the client above which a run is "mostly rejected" (and at least this many rows). */
export const MOSTLY_REJECTED = { share: 0.9, minRows: 10 } as const;

/**
 * Whether a run staged nothing (or nearly nothing) because its rows were rejected on the client: a
 * wrong file, a wrong mapping or a wrong encoding, not an import to call done.
 */
export function mostlyRejected(report: ImportReport, dryRun: boolean): boolean {
  const { read, invalid } = report.rows;
  const wouldStage = dryRun ? report.rows.notSent + report.rows.staged : report.rows.staged;
  if (read === 0 || invalid === 0) return false;
  return wouldStage === 0 || (read >= MOSTLY_REJECTED.minRows && invalid >= MOSTLY_REJECTED.share * read);
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
  const rejected = report.ok && mostlyRejected(report, context.dryRun);
  const verdict = !report.ok ? "Incomplete" : rejected ? "Rejected" : "Done";
  const lines = [
    `${verdict}: ${context.name} → ${where}`,
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
  const reasons = [...(context.reasons ?? [])].sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    const shown = reasons.slice(0, 5).map(([code, n]) => `${code} ${count(n)}`);
    const more = reasons.length > 5 ? `, and ${plural(reasons.length - 5, "other reason")}` : "";
    lines.push(`  rejects by reason: ${shown.join(", ")}${more}`);
    if (context.rejectsPath === undefined)
      lines.push("  (--rejects <file.csv> writes each rejected row with its line and reason)");
    if (reasons[0]![0] === "CSV_INVALID_UTF8") {
      lines.push(
        "  The file is not UTF-8 text: if Excel on Windows saved it, try --encoding windows-1252 (or save it as CSV UTF-8).",
      );
    }
  }
  if (rejected) {
    lines.push(
      `  Nothing${report.rows.staged + (context.dryRun ? report.rows.notSent : 0) > 0 ? " much" : ""} was worth importing: ` +
        "check that this is the right file, its columns (--map) and its encoding (UTF-8).",
    );
  }
  return `${lines.join("\n")}\n`;
}

function summarizeStatuses(statuses: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => (statuses.length === 1 ? status : `${n} ${status}`)).join(", ");
}
