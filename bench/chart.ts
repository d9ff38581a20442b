/**
 * An SVG chart of benchmark results, hand-written (no dependencies): from a results file of
 * `e2e.bench.ts`, per file size, bars of MB/s and of CPU seconds (importer, and the emulator's on top)
 * per case; when the file holds several sizes, peak RSS against input size per case; and, given a results
 * file of `core.bench.ts` too, bars of its cases' MB/s and CPU seconds (no HTTP).
 *
 * ```sh
 * npx tsx bench/chart.ts bench/results/e2e-2026-11-28-6f37872.json \
 *   [--core bench/results/core-2026-11-28-6f37872.json] [--out bench/e2e-chart.svg]
 * ```
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** What the chart reads of an e2e summary (older results lack some cases and fields). */
interface E2eSummary {
  mb: number;
  case: string;
  runs: number;
  mbps: number;
  mbpsMin: number;
  mbpsMax: number;
  cpuSeconds: number;
  emulatorCpuSeconds: number;
  peakRssMB: number;
  runtime?: string;
}

interface E2eResults {
  date: string;
  machine?: { node?: string; cpu?: string; cores?: number };
  git?: { before?: string };
  summaries: E2eSummary[];
}

interface CoreRun {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssBytes: number;
}

interface CoreResults {
  date: string;
  fileBytes: number;
  cases: { id: string; label: string; runs: CoreRun[] }[];
}

/** The order and colours of the e2e cases; others follow in grey. */
const CASES: Record<string, string> = {
  ours: "#1f77b4",
  "ours-1thread": "#6baed6",
  cli: "#9467bd",
  reference: "#2ca02c",
  "reference-2threads": "#98df8a",
  naive: "#d62728",
};
const OTHER = "#999999";

const WIDTH = 920;
const LABEL_W = 250;
const BAR_H = 18;
const GAP = 6;
const PLOT_W = WIDTH - LABEL_W - 110;

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const esc = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (n: number, digits = 1): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const order = (name: string): number => {
  const i = Object.keys(CASES).indexOf(name);
  return i < 0 ? 99 : i;
};

interface Bar {
  label: string;
  value: number;
  /** A second value stacked on the first, lighter (e.g. the emulator's CPU). */
  extra?: number;
  /** Range of the runs (min–max), drawn as a whisker. */
  range?: [number, number];
  color: string;
  text: string;
}

/** A panel of horizontal bars; returns its SVG and its height. */
function barPanel(
  y: number,
  title: string,
  bars: Bar[],
  marks: { at: number; label: string }[] = [],
): { svg: string; height: number } {
  const max = Math.max(
    1e-9,
    ...bars.map((b) => b.value + (b.extra ?? 0)),
    ...bars.map((b) => b.range?.[1] ?? 0),
  );
  const scale = PLOT_W / (max * 1.05);
  const parts: string[] = [`<text x="10" y="${y + 16}" class="title">${esc(title)}</text>`];
  let row = y + 28;
  for (const bar of bars) {
    const w = bar.value * scale;
    parts.push(
      `<text x="${LABEL_W - 8}" y="${row + BAR_H - 5}" text-anchor="end">${esc(bar.label)}</text>`,
      `<rect x="${LABEL_W}" y="${row}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${bar.color}"/>`,
    );
    let end = LABEL_W + w;
    if (bar.extra !== undefined && bar.extra > 0) {
      const we = bar.extra * scale;
      parts.push(
        `<rect x="${end.toFixed(1)}" y="${row}" width="${we.toFixed(1)}" height="${BAR_H}" fill="${bar.color}" opacity="0.35"/>`,
      );
      end += we;
    }
    if (bar.range !== undefined && bar.range[1] > bar.range[0]) {
      const [lo, hi] = bar.range.map((v) => LABEL_W + v * scale);
      const mid = row + BAR_H / 2;
      parts.push(`<path d="M${lo!.toFixed(1)} ${mid}H${hi!.toFixed(1)}" class="whisker"/>`);
      end = Math.max(end, hi!);
    }
    parts.push(`<text x="${(end + 6).toFixed(1)}" y="${row + BAR_H - 5}">${esc(bar.text)}</text>`);
    row += BAR_H + GAP;
  }
  for (const mark of marks) {
    if (!(mark.at > 0) || mark.at > max * 1.05) continue;
    const x = LABEL_W + mark.at * scale;
    parts.push(
      `<path d="M${x.toFixed(1)} ${y + 24}V${row - GAP + 2}" class="mark"/>`,
      `<text x="${(x + 3).toFixed(1)}" y="${row + 10}" class="small">${esc(mark.label)}</text>`,
    );
  }
  const height = row - y + (marks.length > 0 ? 18 : 6);
  return { svg: parts.join("\n"), height };
}

/** Peak RSS against input size, one line per case; returns its SVG and height. */
function rssPanel(y: number, summaries: E2eSummary[]): { svg: string; height: number } {
  const sizes = [...new Set(summaries.map((s) => s.mb))].sort((a, b) => a - b);
  const cases = [...new Set(summaries.map((s) => s.case))].sort((a, b) => order(a) - order(b));
  const h = 240;
  const left = 80;
  const w = WIDTH - left - 200;
  const top = y + 30;
  const maxX = sizes.at(-1)!;
  const maxY = Math.max(...summaries.map((s) => s.peakRssMB)) * 1.1;
  const px = (mb: number) => left + (mb / maxX) * w;
  const py = (rss: number) => top + h - (rss / maxY) * h;
  const parts: string[] = [
    `<text x="10" y="${y + 16}" class="title">Peak RSS of the importer against input size (MB)</text>`,
    `<path d="M${left} ${top}V${top + h}H${left + w}" class="axis"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(
      `<text x="${left - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" class="small">${num(v, 0)}</text>`,
    );
  }
  for (const mb of sizes) {
    parts.push(
      `<text x="${px(mb).toFixed(1)}" y="${top + h + 16}" text-anchor="middle" class="small">${num(mb, 0)} MB</text>`,
    );
  }
  cases.forEach((name, k) => {
    const points = summaries
      .filter((s) => s.case === name)
      .sort((a, b) => a.mb - b.mb)
      .map((s) => [px(s.mb), py(s.peakRssMB), s.peakRssMB] as const);
    const color = CASES[name] ?? OTHER;
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([x, yy]) => `${x.toFixed(1)},${yy.toFixed(1)}`).join(" ")}"/>`,
    );
    for (const [x, yy, v] of points) {
      parts.push(
        `<circle cx="${x.toFixed(1)}" cy="${yy.toFixed(1)}" r="3" fill="${color}"><title>${esc(`${name}: ${num(v, 0)} MB`)}</title></circle>`,
      );
    }
    const ly = top + 10 + k * 18;
    parts.push(
      `<rect x="${left + w + 20}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`,
      `<text x="${left + w + 38}" y="${ly + 1}">${esc(name)}</text>`,
    );
  });
  return { svg: parts.join("\n"), height: h + 60 };
}

/** The e2e panels: per size, MB/s and CPU bars; then RSS against size when there are several sizes. */
function e2ePanels(results: E2eResults, y0: number): { svg: string[]; y: number } {
  const svg: string[] = [];
  let y = y0;
  const summaries = [...results.summaries].sort((a, b) => a.mb - b.mb || order(a.case) - order(b.case));
  const sizes = [...new Set(summaries.map((s) => s.mb))];
  const label = (s: E2eSummary) => `${s.case}${s.runtime === undefined ? "" : ` (${s.runtime})`}`;
  for (const mb of sizes) {
    const rows = summaries.filter((s) => s.mb === mb);
    const refs = rows.filter((s) => s.case.startsWith("reference"));
    const best = refs.length === 0 ? 0 : Math.max(...refs.map((s) => s.mbps));
    const speed = barPanel(
      y,
      `${num(mb, 0)} MB: MB/s by wall time (median, whisker = min–max of ${Math.max(...rows.map((s) => s.runs))} runs)`,
      rows.map((s) => ({
        label: label(s),
        value: s.mbps,
        range: [s.mbpsMin, s.mbpsMax],
        color: CASES[s.case] ?? OTHER,
        text: `${num(s.mbps)} MB/s`,
      })),
      [
        { at: 40, label: "target 40 MB/s" },
        ...(best > 0 ? [{ at: best * 0.85, label: "85% of the reference" }] : []),
      ],
    );
    svg.push(speed.svg);
    y += speed.height + 10;
    const cpu = barPanel(
      y,
      `${num(mb, 0)} MB: CPU seconds (importer; the emulator's, lighter, on top)`,
      rows.map((s) => ({
        label: label(s),
        value: s.cpuSeconds,
        extra: s.emulatorCpuSeconds,
        color: CASES[s.case] ?? OTHER,
        text: `${num(s.cpuSeconds)} + ${num(s.emulatorCpuSeconds)} s`,
      })),
    );
    svg.push(cpu.svg);
    y += cpu.height + 16;
  }
  if (sizes.length >= 2) {
    const rss = rssPanel(y, summaries);
    svg.push(rss.svg);
    y += rss.height + 10;
  }
  return { svg, y };
}

/** The core panels: its cases' median MB/s and CPU seconds. */
function corePanels(core: CoreResults, y0: number): { svg: string[]; y: number } {
  const mb = core.fileBytes / 1e6;
  const rows = core.cases
    .filter((c) => c.runs.length > 0)
    .map((c) => {
      const mbps = c.runs.map((r) => mb / (r.wallMs / 1000));
      return {
        label: c.label.length > 34 ? `${c.label.slice(0, 33)}…` : c.label,
        mbps: median(mbps),
        range: [Math.min(...mbps), Math.max(...mbps)] as [number, number],
        cpu: median(c.runs.map((r) => (r.cpuUserMs + r.cpuSystemMs) / 1000)),
      };
    });
  const svg: string[] = [];
  let y = y0;
  const speed = barPanel(
    y,
    `core benchmark (${num(mb, 0)} MB, no HTTP): MB/s by wall time`,
    rows.map((r) => ({ label: r.label, value: r.mbps, range: r.range, color: "#8c564b", text: num(r.mbps) })),
  );
  svg.push(speed.svg);
  y += speed.height + 10;
  const cpu = barPanel(
    y,
    `core benchmark (${num(mb, 0)} MB): CPU seconds`,
    rows.map((r) => ({ label: r.label, value: r.cpu, color: "#c49c94", text: `${num(r.cpu)} s` })),
  );
  svg.push(cpu.svg);
  y += cpu.height + 10;
  return { svg, y };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { core: { type: "string" }, out: { type: "string" } },
  });
  const input = positionals[0];
  if (input === undefined) {
    throw new RangeError(
      "usage: npx tsx bench/chart.ts <e2e results.json> [--core <core.json>] [--out <svg>]",
    );
  }
  const results = JSON.parse(readFileSync(input, "utf8")) as E2eResults;
  if (!Array.isArray(results.summaries))
    throw new TypeError(`${input} is not a results file of e2e.bench.ts`);
  const m = results.machine ?? {};
  const subtitle = `${basename(input)} · ${results.date.slice(0, 16)} · git ${results.git?.before ?? "?"} · node ${m.node ?? "?"} · ${m.cpu ?? "?"}, ${m.cores ?? "?"} cores`;
  const body: string[] = [
    `<text x="10" y="22" class="head">End to end: CSV → import → emulator (count mode) on loopback</text>`,
    `<text x="10" y="40" class="small">${esc(subtitle)}</text>`,
  ];
  let y = 54;
  const e2e = e2ePanels(results, y);
  body.push(...e2e.svg);
  y = e2e.y;
  if (values.core !== undefined) {
    const core = JSON.parse(readFileSync(values.core, "utf8")) as CoreResults;
    if (!Array.isArray(core.cases))
      throw new TypeError(`${values.core} is not a results file of core.bench.ts`);
    const panels = corePanels(core, y + 10);
    body.push(...panels.svg);
    y = panels.y;
  }
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${Math.ceil(y + 10)}" viewBox="0 0 ${WIDTH} ${Math.ceil(y + 10)}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>Benchmark results of ${esc(basename(input))}: MB/s, CPU seconds and peak RSS per case</title>`,
    "<style>.head{font-size:16px;font-weight:bold}.title{font-size:13px;font-weight:bold}.small{font-size:10px;fill:#555}" +
      ".whisker{stroke:#333;stroke-width:1.5}.mark{stroke:#555;stroke-dasharray:4 3}.axis{stroke:#333;fill:none}</style>",
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
  const out = values.out ?? join(ROOT, "bench", `${basename(input).replace(/\.json$/, "")}.svg`);
  writeFileSync(out, svg);
  console.error(`chart: ${relative(process.cwd(), out)}`);
}

main();
