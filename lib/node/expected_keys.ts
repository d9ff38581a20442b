import { estimateRecords, type PeekedHeader } from "../csv/peek_header.ts";

/** Largest dedupe index sized up front from a file's size (~430 MB of slots); past that it grows as needed. */
const MAX_EXPECTED_KEYS = 20_000_000;

/**
 * Keys to size the dedupe index (or key-line table) of a file import for: one a record, the records
 * estimated from the file's size and its first records, so a wide file does not get a table made for
 * 40-byte rows.
 */
export function expectedKeysOf(size: number, peeked: Pick<PeekedHeader, "recordBytes">): number {
  return Math.min(estimateRecords(size, peeked), MAX_EXPECTED_KEYS);
}
