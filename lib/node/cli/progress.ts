import { isEloquaHttpError, isEloquaNetworkError, isEloquaTimeoutError } from "../../client/errors.ts";
import type { RetryEvent } from "../../client/http.ts";
import type { ImportProgress } from "../../import/report.ts";
import type { CliIo } from "./cli_io.ts";
import { clock, count, duration, megabytes, rate } from "./format.ts";

/** How progress is shown: a bar redrawn in place, a plain line now and then, or not at all. */
export type ProgressMode = "tty" | "plain" | "off";

/** Options of {@linkcode ProgressReporter}. */
export interface ProgressReporterOptions {
  readonly mode: ProgressMode;
  /** The input's size in bytes, when known: then the bar and the ETA. */
  readonly size: number | undefined;
  /** Bytes of the input read so far (the file source's counter). */
  readonly bytesRead: () => number;
  /**
   * Least time between two plain lines.
   * @default 5000
   */
  readonly plainIntervalMs?: number;
  /** @default performance.now */
  readonly now?: () => number;
}

const BAR_WIDTH = 20;

/** Shows an import's progress on stderr, from `onProgress` snapshots. */
export class ProgressReporter {
  readonly #io: CliIo;
  readonly #options: ProgressReporterOptions;
  readonly #now: () => number;
  readonly #plainIntervalMs: number;
  #lastPlain: number;
  /** Whether a bar is on screen and must be cleared before other output. */
  #drawn = false;
  /** The last retry, while its wait lasts: then the bar says what it waits for. */
  #retry: { text: string; until: number } | undefined;

  constructor(io: CliIo, options: ProgressReporterOptions) {
    this.#io = io;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#plainIntervalMs = options.plainIntervalMs ?? 5000;
    this.#lastPlain = this.#now();
  }

  /** How often the import should call {@linkcode update}. */
  get intervalMs(): number {
    return this.#options.mode === "tty" ? 200 : 1000;
  }

  update(progress: ImportProgress): void {
    const mode = this.#options.mode;
    if (mode === "off") return;
    if (mode === "plain") {
      const now = this.#now();
      if (now - this.#lastPlain < this.#plainIntervalMs) return;
      this.#lastPlain = now;
      this.#io.stderr.write(`${this.plainLine(progress)}\n`);
      return;
    }
    const width = Math.max(20, (this.#io.stderr.columns ?? 80) - 1);
    const line = this.barLine(progress);
    this.#io.stderr.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
    this.#drawn = true;
  }

  /** Writes a line to stderr without garbling the bar (which the next update redraws). */
  notice(text: string): void {
    this.clear();
    this.#io.stderr.write(`${text}\n`);
  }

  /** A notice that only informs (what was detected, where fields come from): not shown with --quiet. */
  info(text: string): void {
    if (this.#options.mode !== "off") this.notice(text);
  }

  /**
   * Told of a client's retry: until the next attempt is sent the bar says it waits for Eloqua, and on a
   * terminal one line says so as it happens (`debug`: the error's whole message, wherever stderr goes).
   */
  retrying(event: RetryEvent, debug = false): void {
    const next = event.attempt + 1;
    this.#retry = {
      text: `waiting for Eloqua (retrying ${retryReason(event.error, false)}, attempt ${next})`,
      until: this.#now() + event.delayMs,
    };
    if (debug) {
      this.notice(
        `retry: ${event.method} ${event.path} attempt ${event.attempt} failed (${event.error.message}); next in ${duration(event.delayMs)}`,
      );
    } else if (this.#options.mode === "tty") {
      const seconds = (event.delayMs / 1000).toFixed(1);
      this.notice(
        `retrying ${event.method} ${event.url}: ${retryReason(event.error, true)} (attempt ${next} of ${event.maxAttempts}, next in ${seconds} s)`,
      );
    }
  }

  /** What the import waits for now, if anything: a retry's delay, else a sync Eloqua is processing. */
  waitingFor(progress: ImportProgress): string | undefined {
    if (this.#retry !== undefined && this.#now() < this.#retry.until) return this.#retry.text;
    const sync = progress.sync;
    if (sync === undefined) return undefined;
    return `syncing ${sync.uri} (Eloqua is processing ${shortCount(sync.rows)} rows)`;
  }

  /** Removes the bar, before the summary. */
  clear(): void {
    if (!this.#drawn) return;
    this.#io.stderr.write("\r\x1b[2K");
    this.#drawn = false;
  }

  /** The one-line bar: `[#####---------------]  25%  1,000 rows  0.1/0.4 MB  12.0 MB/s  staged 900  ETA 0:03`. */
  barLine(progress: ImportProgress): string {
    const { size } = this.#options;
    const bytes = this.#options.bytesRead();
    const parts: string[] = [];
    // What it waits for comes first after the percentage: the end of the line may be cut off.
    const waiting = this.waitingFor(progress);
    if (size !== undefined && size > 0) {
      const fraction = Math.min(1, bytes / size);
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(
        `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`,
      );
      if (waiting !== undefined) parts.push(waiting);
      parts.push(`${count(progress.rows.read)} rows`);
      parts.push(`${(bytes / 1e6).toFixed(1)}/${megabytes(size)}`);
    } else {
      if (waiting !== undefined) parts.push(waiting);
      parts.push(`${count(progress.rows.read)} rows`, megabytes(bytes));
    }
    parts.push(rate(bytes, progress.elapsedMs), `staged ${count(progress.rows.staged)}`);
    if (progress.retries > 0) parts.push(`retries ${count(progress.retries)}`);
    // Reading has paused meanwhile: an ETA from the reading rate would mislead.
    const eta = waiting === undefined ? this.#eta(bytes, progress.elapsedMs) : undefined;
    if (eta !== undefined) parts.push(`ETA ${eta}`);
    return parts.join("  ");
  }

  /** The line written every few seconds when stderr is not a terminal. */
  plainLine(progress: ImportProgress): string {
    const { size } = this.#options;
    const bytes = this.#options.bytesRead();
    const read =
      size !== undefined && size > 0
        ? `${(bytes / 1e6).toFixed(1)} of ${megabytes(size)} (${Math.floor(Math.min(1, bytes / size) * 100)}%)`
        : megabytes(bytes);
    const eta = this.#eta(bytes, progress.elapsedMs);
    const waiting = this.waitingFor(progress);
    return (
      `progress: ${read} read, ${rate(bytes, progress.elapsedMs)}, ${count(progress.rows.read)} rows read, ` +
      `${count(progress.rows.staged)} staged, ${count(progress.dataPosts)} data POSTs, ${count(progress.syncs)} syncs` +
      (progress.retries > 0 ? `, ${count(progress.retries)} retries` : "") +
      (eta === undefined ? "" : `, ETA ${eta}`) +
      (waiting === undefined ? "" : `; ${waiting}`)
    );
  }

  #eta(bytes: number, elapsedMs: number): string | undefined {
    const { size } = this.#options;
    if (size === undefined || bytes <= 0 || elapsedMs <= 0 || bytes >= size) return undefined;
    return clock(((size - bytes) * elapsedMs) / bytes);
  }
}

/** Why a request is sent again, in a few words: `503` (`HTTP 503` in a line), `timeout`, `connection refused`. */
function retryReason(error: Error, line: boolean): string {
  if (isEloquaHttpError(error)) return line ? `HTTP ${error.status}` : String(error.status);
  if (isEloquaTimeoutError(error)) return "timeout";
  if (isEloquaNetworkError(error)) return error.reason ?? "no answer";
  return error.message;
}

/** Rows as people read a large count: `950`, `12,345`, `1.2 M`. */
export function shortCount(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} M` : count(n);
}
