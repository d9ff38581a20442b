/**
 * Limits Eloqua's Bulk API 2.0 sets on imports, in one place: the client,
 * the batcher, the import, the CLI and the emulator all check against these.
 *
 * @module
 */

/** Eloqua refuses a data POST over 32 MB (answering 404); whether MB means 10⁶ or 2²⁰ is not documented. */
export const ELOQUA_MAX_BODY_BYTES = 32_000_000;

/** Eloqua takes at most 500 data POSTs (files) into one import between two syncs. */
export const ELOQUA_MAX_FILES_PER_SYNC = 500;
