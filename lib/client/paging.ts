import { checkInteger } from "./_options.ts";
import type { Page } from "./types.ts";

/** Options of the paged listings (`listImports`, `syncLogs`, `syncRejects`). */
export interface PageOptions {
  /**
   * Items per request, 1..1000.
   * @default 1000
   */
  readonly limit?: number;
  /**
   * Index of the first item.
   * @default 0
   */
  readonly offset?: number;
  /**
   * Stops the listing; the iterator rejects with `signal.reason`.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** Fetches one page. Internal. */
export type PageFetcher<T> = (
  limit: number,
  offset: number,
  signal: AbortSignal | undefined,
) => Promise<Page<T>>;

/** Checks `options` now (not at the first `next()`), so bad values fail where they are passed. */
export function checkPageOptions(
  where: string,
  options: PageOptions | undefined,
): { limit: number; offset: number } {
  const limit = options?.limit === undefined ? 1000 : checkInteger(where, "limit", options.limit, 1, 1000);
  const offset =
    options?.offset === undefined
      ? 0
      : checkInteger(where, "offset", options.offset, 0, Number.MAX_SAFE_INTEGER);
  return { limit, offset };
}

/**
 * Yields every item, page after page, while Eloqua says `hasMore`. A page
 * with no items ends the listing even if `hasMore` is true, so a confused
 * server cannot make it loop forever.
 */
export async function* paginate<T>(
  fetchPage: PageFetcher<T>,
  limit: number,
  offset: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<T, void, undefined> {
  let at = offset;
  for (;;) {
    signal?.throwIfAborted();
    const page = await fetchPage(limit, at, signal);
    const items = Array.isArray(page.items) ? page.items : [];
    yield* items;
    if (page.hasMore !== true || items.length === 0) return;
    at += items.length;
  }
}
