/**
 * The clock the client waits on: retry delays, per-request timeouts and sync
 * polling all go through it, so tests can inject a fake one and never sleep
 * for real.
 *
 * @example
 * ```ts
 * import type { Timers } from "./timers.ts";
 *
 * // A clock that never waits and records every delay asked for.
 * const slept: number[] = [];
 * let now = 0;
 * const instant: Timers = {
 *   sleep(ms) {
 *     slept.push(ms);
 *     now += ms;
 *     return Promise.resolve();
 *   },
 *   now: () => now,
 * };
 * ```
 */
export interface Timers {
  /**
   * Resolves after `ms` milliseconds. When `signal` aborts first, rejects with
   * `signal.reason` and releases the underlying timer.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Wall-clock time in milliseconds since the Unix epoch (like `Date.now()`). */
  now(): number;
}

/** The real clock: `setTimeout` and `Date.now()`. */
export const systemTimers: Timers = Object.freeze({
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(id);
        reject(signal?.reason);
      };
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  now: (): number => Date.now(),
});
