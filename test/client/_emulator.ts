// Integration test plumbing: an emulator server on 127.0.0.1 whose clock the
// client's fake timers drive, so retries and sync polling never sleep for real.
import type { EloquaBulkClientOptions, RetryEvent, Timers } from "../../lib/client/mod.ts";
import { EloquaBulkClient } from "../../lib/client/mod.ts";
import type { EmulatorOptions } from "../../lib/emulator/mod.ts";
import { ManualClock } from "../../lib/emulator/mod.ts";
import type { EmulatorServer } from "../../lib/node/emulator_server.ts";
import { startEmulatorServer } from "../../lib/node/emulator_server.ts";

export const EMULATOR_BASIC = {
  type: "basic",
  site: "EmulatorSite",
  user: "emulator.user",
  password: "emulator-password",
} as const;

/** Sleeps under `hangAtOrAbove` return at once and move the emulator's clock; longer ones wait for their signal. */
export class EmulatorTimers implements Timers {
  readonly clock: ManualClock;
  readonly hangAtOrAbove: number;
  readonly sleeps: number[] = [];

  constructor(clock: ManualClock, hangAtOrAbove = 10_000_000) {
    this.clock = clock;
    this.hangAtOrAbove = hangAtOrAbove;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms >= this.hangAtOrAbove) {
      return new Promise<void>((_, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    this.sleeps.push(ms);
    this.clock.advance(ms);
    return Promise.resolve();
  }

  now(): number {
    return this.clock.now();
  }
}

export interface Harness {
  server: EmulatorServer;
  clock: ManualClock;
  timers: EmulatorTimers;
  retries: RetryEvent[];
  /** A client discovering its base URL from the emulator (loginUrl = server.url). */
  client(options?: Partial<EloquaBulkClientOptions>): EloquaBulkClient;
  /** How many calls the emulator saw on `route`. */
  calls(route: string): number;
}

/** `clientDefaults` go into every `client()` (e.g. the transport), before its own options. */
export async function harness(
  options: EmulatorOptions = {},
  clientDefaults: Partial<EloquaBulkClientOptions> = {},
): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 10, 28));
  const server = await startEmulatorServer({ now: clock.now, ...options });
  const timers = new EmulatorTimers(clock);
  const retries: RetryEvent[] = [];
  return {
    server,
    clock,
    timers,
    retries,
    client: (extra = {}) =>
      new EloquaBulkClient({
        auth: EMULATOR_BASIC,
        loginUrl: server.url,
        timers,
        random: () => 0.5,
        timeoutMs: 10_000_000,
        dataTimeoutMs: 10_000_000,
        onRetry: (event) => retries.push(event),
        ...clientDefaults,
        ...extra,
      }),
    calls: (route) => server.emulator.history().filter((call) => call.route === route).length,
  };
}

/** `n` linkage rows as a JSON body. */
export function rows(n: number, email: (i: number) => string = (i) => `c${i}@example.com`): string {
  return JSON.stringify(
    Array.from({ length: n }, (_, i) => ({ OpportunityID: `opp-${i}`, EmailAddress: email(i) })),
  );
}
