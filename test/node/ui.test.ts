// The import page in a real browser: Debian's Chromium driven by playwright-core (never a browser of its
// own download). It picks a generated file with invalid and duplicate rows, checks the mapping and the
// preview, imports it into the built-in emulator and compares the numbers shown with report.json and
// the rejects downloaded with the CLI's for the same file; then stops a larger import and resumes it,
// judged by what the emulator's syncs took. UI_SCREENSHOT=1 also writes docs/ui.png for the README.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../lib/import/report.ts";
import { startUiServer, type UiServer } from "../../lib/node/ui/ui_server.ts";
import { LINKAGES, OPPORTUNITIES } from "../import/_import_kinds.ts";
import { cli, root } from "./_cli.ts";

const CHROMIUM = "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "eloqua-ui-"));
let browser: BrowserContext;
let ui: UiServer;
let page: Page;

beforeAll(async () => {
  // CI installs it (.ci/run): a missing browser is a failure there, not a skip.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  }
  // A fresh profile (playwright's userDataDir is Chromium's --user-data-dir).
  browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, "profile-")), {
    executablePath: CHROMIUM,
    acceptDownloads: true,
    viewport: { width: 1280, height: 1100 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  ui = await startUiServer({
    // Slow, small bodies: a larger import runs long enough to be stopped halfway.
    emulator: {
      mode: "store",
      syncTiming: { pendingMs: 5, activeMs: 20 },
      faults: [{ route: "data.post", action: { delayMs: 30 } }],
    },
    importOptions: { maxBatchBytes: 3_000, maxFilesPerSync: 8 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A generated linkage file on disk, with what importing it must leave in Eloqua. */
function linkageFile(name: string, rows: number, seed: number) {
  const made = LINKAGES.file(rows, seed);
  const path = join(dir, name);
  writeFileSync(path, made.csv);
  return { ...made, path };
}

const text = async (id: string) => (await page.textContent(`#${id}`))?.trim() ?? "";
const count = async (id: string) => Number((await text(id)).replace(/,/g, ""));

async function waitForState(state: string, timeout = 60_000): Promise<void> {
  await page.waitForSelector(`#state[data-state="${state}"]`, { timeout });
}

async function download(id: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(`#${id}`)]);
  const path = join(dir, `${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return readFileSync(path, "utf8");
}

describe("the import page (eloqua-bulk ui) in Chromium", () => {
  it("should refuse the page, the API and the events without the token", async () => {
    for (const path of ["/", "/api/target", "/api/jobs/1/events", "/assets/app.js"]) {
      const response = await page.goto(`${ui.origin}${path}`);
      expect(response?.status()).toBe(403);
    }
  });

  it("should preview, map and import a file into the emulator, showing the numbers of its report", {
    timeout: 90_000,
  }, async () => {
    const file = linkageFile("links.csv", 300, 7);
    await page.goto(ui.url);
    expect(await text("target")).toContain("built-in Eloqua emulator");
    await page.setInputFiles("#file", file.path);
    await page.waitForSelector("#preview tbody tr");

    expect(await text("detected")).toContain('utf-8, columns separated by ","');
    expect(await page.inputValue('select[data-column="OpportunityID"]')).toBe("OpportunityID");
    expect(await page.inputValue('select[data-column="EmailAddress"]')).toBe("EmailAddress");
    // Linkages keep the first row of a repeated pair: the sentence about the last row is for records.
    expect(await page.isHidden("#keep-last")).toBe(true);
    // Each previewed row says what the import will do with it: invalid and duplicate lines are not ok.
    const rows = await page.$$eval("#preview tbody tr", (trs: HTMLTableRowElement[]) =>
      trs.map((tr) => [Number(tr.cells[0]?.textContent), tr.cells[tr.cells.length - 1]?.textContent ?? ""]),
    );
    expect(rows.length).toBe(20);
    for (const [line, verdict] of rows as [number, string][]) {
      if (file.invalidLines.includes(line)) expect(verdict).not.toBe("ok");
      else if (file.duplicateLines.includes(line)) expect(verdict).toContain("DUPLICATE");
      else expect(verdict).toBe("ok");
    }
    expect(rows.some(([, verdict]) => verdict !== "ok")).toBe(true);

    await page.click("#start");
    await waitForState("done");
    const report = JSON.parse(await download("download-report")) as ImportReport;
    expect(report.ok).toBe(true);
    expect(report.rows.read).toBe(file.rows);
    expect(report.rows.invalid).toBe(file.invalidLines.length);
    expect(report.rows.duplicate).toBe(file.duplicateLines.length);
    expect(report.rows.staged).toBe(file.expected.size);
    expect(await count("n-read")).toBe(report.rows.read);
    expect(await count("n-staged")).toBe(report.rows.staged);
    expect(await count("n-invalid")).toBe(report.rows.invalid);
    expect(await count("n-duplicate")).toBe(report.rows.duplicate);
    expect(await count("n-notsent")).toBe(0);
    expect(await text("n-sync")).toMatch(/^\/syncs\/\d+ success$/);
    const bars = await page.$$eval("#reasons tbody tr", (trs: HTMLTableRowElement[]) =>
      trs.map((tr) => tr.cells[0]?.textContent),
    );
    expect(bars.length).toBeGreaterThan(0);
    expect(await page.$$eval("#rejects tbody tr", (trs) => trs.length)).toBe(file.invalidLines.length);

    const rejects = await download("download-rejects");
    const cliRejects = join(dir, "cli-rejects.csv");
    const run = await cli(["import", file.path, "--rejects", cliRejects, "--quiet"]);
    expect(run.stderr).not.toContain("eloqua-bulk:");
    expect(rejects).toBe(readFileSync(cliRejects, "utf8"));

    if (process.env.UI_SCREENSHOT === "1") {
      await page.screenshot({ path: join(root, "docs", "ui.png"), fullPage: true });
    }
  });

  it("should import opportunities as the CLI does: the last valid row of a repeated id, same counts, same rejects file", {
    timeout: 90_000,
  }, async () => {
    const made = OPPORTUNITIES.file(400, 5);
    const path = join(dir, "deals.csv");
    writeFileSync(path, made.csv);
    await page.goto(ui.url);
    await page.selectOption("#kind", "opportunities");
    await page.setInputFiles("#file", path);
    await page.waitForSelector("#start:not([disabled])");
    expect(await page.inputValue('select[data-column="Opportunity ID"]')).toBe("{{Opportunity.Id}}");
    expect(await text("keep-last")).toBe(
      "A repeated identifier: its last valid row is imported, as if the rows were applied in order.",
    );
    expect(await page.isVisible("#keep-last")).toBe(true);
    await page.click("#start");
    await waitForState("done");
    const report = JSON.parse(await download("download-report")) as ImportReport;
    expect(report.rows.read).toBe(made.rows);
    expect(report.rows.invalid).toBe(made.invalidLines.length);
    expect(report.rows.duplicate).toBe(made.duplicateLines.length);
    expect(report.rows.staged).toBe(made.expected.size);
    expect(await count("n-staged")).toBe(report.rows.staged);
    // Eloqua holds each id's last valid row: the values of the later occurrences.
    const held = ui
      .emulator!.records()
      .filter((x) => x.definitionUri === report.definitionUri && x.state === "synced")
      .map((x) => OPPORTUNITIES.heldKey(x.row));
    expect(new Set(held)).toEqual(made.expected);
    expect(await page.$eval("#progress", (bar: HTMLProgressElement) => bar.value)).toBe(1);
    const rejects = await download("download-rejects");
    const cliRejects = join(dir, "cli-deal-rejects.csv");
    const run = await cli(["import", "opportunities", path, "--rejects", cliRejects, "--quiet"]);
    expect(run.stderr).not.toContain("eloqua-bulk:");
    expect(rejects).toBe(readFileSync(cliRejects, "utf8"));
  });

  it("should say what is missing instead of starting, and let the mapping be fixed on the page", async () => {
    const path = join(dir, "renamed.csv");
    writeFileSync(path, "Deal,Contact\nOPP-1,a@example.com\nOPP-2,b@example.com\nOPP-1,a@example.com\n");
    await page.goto(ui.url);
    await page.setInputFiles("#file", path);
    await page.waitForSelector("#problem:not([hidden])");
    expect(await text("problem")).toMatch(
      /needs a column for OpportunityID and EmailAddress.*MAPPING_MISSING_REQUIRED/,
    );
    expect(await page.isDisabled("#start")).toBe(true);
    await page.selectOption('select[data-column="Deal"]', "OpportunityID");
    await page.waitForSelector(
      'select[data-column="Deal"] >> xpath=../following-sibling::td[text()="chosen"]',
    );
    await page.selectOption('select[data-column="Contact"]', "EmailAddress");
    await page.waitForSelector("#start:not([disabled])");
    expect(await page.isHidden("#problem")).toBe(true);
    const verdicts = await page.$$eval("#preview tbody tr", (trs: HTMLTableRowElement[]) =>
      trs.map((tr) => tr.cells[tr.cells.length - 1]?.textContent ?? ""),
    );
    expect(verdicts[0]).toBe("ok");
    expect(verdicts[1]).toBe("ok");
    expect(verdicts[2]).toContain("DUPLICATE");

    // Not a CSV at all: a sentence, never a stack trace.
    const binary = join(dir, "photo.csv");
    writeFileSync(binary, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 10]));
    await page.setInputFiles("#file", binary);
    await page.waitForFunction(() => document.getElementById("problem")?.textContent?.includes("NOT_TEXT"));
    expect(await text("problem")).toMatch(/^This file is not CSV text/);
    expect(await page.isDisabled("#start")).toBe(true);
  });

  it("should stop a larger import and resume it from its checkpoint, nothing lost nor doubled beyond the report's count", {
    timeout: 180_000,
  }, async () => {
    const file = linkageFile("more-links.csv", 12_000, 11);
    await page.goto(ui.url);
    await page.setInputFiles("#file", file.path);
    await page.waitForSelector("#preview tbody tr");
    await page.click("#start");
    await page.waitForFunction(
      () => Number(document.getElementById("n-staged")?.textContent?.replace(/,/g, "")) > 0,
    );
    await page.click("#stop");
    await waitForState("stopped");
    const stoppedAt = await count("n-staged");
    expect(await count("n-notsent")).toBeGreaterThan(0);
    expect(await page.isEnabled("#resume")).toBe(true);

    await page.click("#resume");
    await waitForState("done", 150_000);
    const report = JSON.parse(await download("download-report")) as ImportReport;
    const r = report.rows;
    expect(report.ok).toBe(true);
    expect(report.resumed).toBeDefined();
    expect(r.read).toBe(file.rows);
    expect(r.notSent).toBe(0);
    expect(r.staged).toBe(file.expected.size);
    expect(r.staged).toBeGreaterThanOrEqual(stoppedAt);
    expect(r.invalid).toBe(file.invalidLines.length);
    expect(r.duplicate).toBe(file.duplicateLines.length);
    expect(await count("n-staged")).toBe(r.staged);

    // What Eloqua holds for this import's definition: every valid unique row, and no more twice than said.
    const records = ui.emulator!.records().filter((x) => x.definitionUri === report.definitionUri);
    expect(records.filter((x) => x.state === "staged")).toEqual([]);
    const held = records
      .filter((x) => x.state === "synced" || x.state === "rejected")
      .map((x) => LINKAGES.heldKey(x.row));
    expect(new Set(held)).toEqual(file.expected);
    expect(held.length - file.expected.size).toBeLessThanOrEqual(report.resumed?.mayBeStagedTwice ?? 0);
  });
});
