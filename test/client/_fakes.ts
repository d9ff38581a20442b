// Test doubles for the client: a fake transport that records requests and a
// fake clock that never sleeps for real.
import type { FetchLike, Timers } from "../../lib/client/mod.ts";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: string;
  readonly bytes: Uint8Array;
}

export type Handler = (request: RecordedRequest, index: number) => Response | Promise<Response>;

export interface FakeFetch extends FetchLike {
  readonly calls: RecordedRequest[];
}

/** A transport answering from `handler`; it honours the request's signal like a real fetch. */
export function fakeFetch(handler: Handler): FakeFetch {
  const calls: RecordedRequest[] = [];
  const fetch = async (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const bytes = request.body === null ? new Uint8Array(0) : new Uint8Array(await request.arrayBuffer());
    const url = new URL(request.url);
    const recorded: RecordedRequest = {
      method: request.method,
      url: request.url,
      path: url.pathname + url.search,
      headers: request.headers,
      body: new TextDecoder().decode(bytes),
      bytes,
    };
    calls.push(recorded);
    const signal = request.signal;
    signal.throwIfAborted();
    return await new Promise<Response>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      Promise.resolve(handler(recorded, calls.length - 1)).then(resolve, reject);
    });
  };
  return Object.assign(fetch, { calls });
}

/** A promise that never settles: a server that never answers (until the signal aborts). */
export function never(): Promise<Response> {
  return new Promise<Response>(() => {});
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function empty(status = 204, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/**
 * A clock where sleeps shorter than `hangAtOrAbove` return at once (advancing
 * `now`) and longer ones wait until their signal aborts: per-request timeouts
 * set at or above it never fire, timeouts below it fire at once.
 */
export class FakeTimers implements Timers {
  readonly sleeps: number[] = [];
  nowMs: number;
  readonly hangAtOrAbove: number;
  /** Sleeps whose signal was aborted (released timers). */
  released = 0;

  constructor(options: { hangAtOrAbove?: number; start?: number } = {}) {
    this.hangAtOrAbove = options.hangAtOrAbove ?? 10_000_000;
    this.nowMs = options.start ?? 1_700_000_000_000;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    if (ms >= this.hangAtOrAbove) {
      return new Promise<void>((_, reject) => {
        signal?.addEventListener(
          "abort",
          () => {
            this.released++;
            reject(signal.reason);
          },
          { once: true },
        );
      });
    }
    this.nowMs += ms;
    return Promise.resolve();
  }

  now(): number {
    return this.nowMs;
  }
}

/** The base URL the fake discovery answers. */
export const BASE = "https://secure.p99.eloqua.test";
export const BULK = "/api/bulk/2.0";

/** Collects everything an error exposes when it is logged or serialised. */
export async function serialise(error: unknown): Promise<string> {
  const { inspect } = await import("node:util");
  const e = error as Error & { cause?: unknown };
  const parts = [
    String(e),
    e.message,
    e.stack ?? "",
    JSON.stringify(e),
    inspect(e, { depth: 20, showHidden: true }),
    String(e.cause),
    JSON.stringify(e.cause) ?? "",
  ];
  let cause = e.cause as (Error & { cause?: unknown }) | undefined;
  while (cause instanceof Error) {
    parts.push(cause.message, cause.stack ?? "", JSON.stringify(cause), String(cause));
    cause = cause.cause as (Error & { cause?: unknown }) | undefined;
  }
  return parts.join("\n");
}
