// Shared plumbing of the end-to-end import tests: an emulator on 127.0.0.1,
// a client whose retries and sync polls never sleep for real, and a CSV generator.
import { EloquaBulkClient, type FetchLike, type Timers } from "../../lib/client/mod.ts";
import type { EmulatorOptions } from "../../lib/emulator/mod.ts";
import { type EmulatorServer, startEmulatorServer } from "../../lib/node/emulator_server.ts";

/**
 * Retry backoff and sync polls (under 30 s) return at once, after a macrotask so sockets make progress;
 * longer sleeps are the client's request timeouts (60 s and more): they wait for their signal, so a
 * test never times out a request that is merely slow.
 */
export const instantTimers: Timers = {
  sleep: (ms, signal) => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms >= 30_000) {
      return new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true }),
      );
    }
    return new Promise((resolve) => setTimeout(resolve, 0));
  },
  now: () => Date.now(),
};

/** Data POSTs in flight as the client sees them: from the call to fetch until its answer or failure. */
export interface InFlight {
  now: number;
  max: number;
}

/** Runs `body` with an emulator and a client on it sending through `transport` (default: the runtime's fetch). */
export async function withEmulator<T>(
  options: EmulatorOptions,
  body: (server: EmulatorServer, client: EloquaBulkClient, inFlight: InFlight) => Promise<T>,
  transport: FetchLike = (input, init) => fetch(input, init),
): Promise<T> {
  const server = await startEmulatorServer({ syncTiming: { pendingMs: 0, activeMs: 0 }, ...options });
  const inFlight: InFlight = { now: 0, max: 0 };
  const counting = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    // Passed on as they are (no new Request), so that a transport sending bodies as given still can.
    const method = input instanceof Request ? input.method : (init?.method ?? "GET");
    const url = input instanceof Request ? input.url : String(input);
    const data = method === "POST" && url.endsWith("/data");
    if (data) inFlight.max = Math.max(inFlight.max, ++inFlight.now);
    try {
      return await transport(input, init);
    } finally {
      if (data) inFlight.now--;
    }
  };
  const countingFetch: FetchLike = Object.assign(counting, {
    sendsBodySource: (transport as { sendsBodySource?: boolean }).sendsBodySource === true,
  });
  try {
    const client = new EloquaBulkClient({
      fetch: countingFetch,
      baseUrl: server.url,
      auth: { type: "basic", site: "EmulatorSite", user: "emulator.user", password: "emulator-password" },
      timers: instantTimers,
      retry: { attempts: 12, maxDelayMs: 5_000 },
    });
    return await body(server, client, inFlight);
  } finally {
    await server.close();
  }
}

export interface LinkRow {
  id: string;
  email: string;
  valid: boolean;
}

/** Deterministic rows: some invalid e-mails, some exact and case-variant duplicates, some unknown contacts. */
export function linkRows(count: number, seed = 1): LinkRow[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const rows: LinkRow[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    if (rows.length > 0 && roll < 0.05) {
      const earlier = rows[Math.floor(next() * rows.length)]!;
      rows.push({ ...earlier, email: next() < 0.5 ? earlier.email.toUpperCase() : earlier.email });
    } else if (roll < 0.07) {
      rows.push({ id: `OPP-${i}`, email: `broken-${i}.example.com`, valid: false });
    } else {
      const domain = next() < 0.02 ? "unknown.org" : "example.com";
      rows.push({ id: `OPP-${Math.floor(next() * count)}`, email: `user${i}@${domain}`, valid: true });
    }
  }
  return rows;
}

export function toCsv(rows: readonly LinkRow[]): string {
  return `OpportunityID,EmailAddress\r\n${rows.map((r) => `${r.id},${r.email}\r\n`).join("")}`;
}

/** The rows that should end staged: valid, first occurrence of their case-folded key. */
export function expectedStaged(rows: readonly LinkRow[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const row of rows) {
    if (!row.valid) continue;
    const key = `${row.id.toLowerCase()}\u0000${row.email.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`${row.id}\u0000${row.email}`);
  }
  return out;
}
