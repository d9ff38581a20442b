import type { Failure } from "./responses.ts";
import { failure } from "./responses.ts";

/** Eloqua's paged list envelope. `totalResults` is left out when the request says `totalResults=false`. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly totalResults?: number;
  readonly limit: number;
  readonly offset: number;
  readonly count: number;
  readonly hasMore: boolean;
}

export interface Paging {
  readonly limit: number;
  readonly offset: number;
  readonly totalResults: boolean;
}

/** Reads `limit` (1..1000, default 1000), `offset` (≥ 0, default 0) and `totalResults` from a URL. */
export function parsePaging(url: URL): Paging | Failure[] {
  const failures: Failure[] = [];
  const limit = integerParam(url, "limit", 1000);
  if (limit === null || limit < 1 || limit > 1000) {
    failures.push(
      failure("limit", "Must be an integer between 1 and 1000 inclusive.", url.searchParams.get("limit")),
    );
  }
  const offset = integerParam(url, "offset", 0);
  if (offset === null || offset < 0) {
    failures.push(failure("offset", "Must be a non-negative integer.", url.searchParams.get("offset")));
  }
  const total = url.searchParams.get("totalResults");
  if (total !== null && total !== "true" && total !== "false") {
    failures.push(failure("totalResults", "Must be true or false.", total));
  }
  if (failures.length > 0 || limit === null || offset === null) return failures;
  return { limit, offset, totalResults: total !== "false" };
}

function integerParam(url: URL, name: string, fallback: number): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  return /^-?\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** Cuts one page out of `all`. */
export function page<T>(all: readonly T[], paging: Paging): Page<T> {
  const items = all.slice(paging.offset, paging.offset + paging.limit);
  const hasMore = paging.offset + items.length < all.length;
  const base = { items, limit: paging.limit, offset: paging.offset, count: items.length, hasMore };
  if (!paging.totalResults) return base;
  return {
    items,
    totalResults: all.length,
    limit: paging.limit,
    offset: paging.offset,
    count: items.length,
    hasMore,
  };
}
