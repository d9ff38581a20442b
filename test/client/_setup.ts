import type { EloquaBulkClientOptions, RetryEvent } from "../../lib/client/mod.ts";
import { EloquaBulkClient } from "../../lib/client/mod.ts";
import type { FakeFetch, Handler } from "./_fakes.ts";
import { BASE, FakeTimers, fakeFetch } from "./_fakes.ts";

export const BASIC = {
  type: "basic",
  site: "TestSite",
  user: "test.user",
  password: "s3cret-Pa55word",
} as const;

export interface Setup {
  client: EloquaBulkClient;
  fetch: FakeFetch;
  timers: FakeTimers;
  retries: RetryEvent[];
}

/** Per-request timeouts this long never fire on a {@linkcode FakeTimers} clock. */
export const HANG = 10_000_000;

/**
 * A client on a fake transport and clock, base URL known (no discovery) and
 * timeouts that never fire, unless overridden.
 */
export function setup(handler: Handler, options: Partial<EloquaBulkClientOptions> = {}): Setup {
  const fetch = fakeFetch(handler);
  const timers = new FakeTimers();
  const retries: RetryEvent[] = [];
  const client = new EloquaBulkClient({
    auth: BASIC,
    baseUrl: BASE,
    fetch,
    timers,
    random: () => 0.5,
    timeoutMs: HANG,
    dataTimeoutMs: HANG,
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { client, fetch, timers, retries };
}

/** The rejection of `promise`, or a failure if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}
