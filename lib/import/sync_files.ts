import { type JsonBatch, lineOfRow } from "../batch/json_batch.ts";
import { hashKey, KEY_HASH } from "../dedupe/key_hash.ts";
import type { RowKey } from "../dedupe/row_key.ts";
import { EloquaBulkError } from "../errors.ts";

/** The word of a row's key hash that `JsonBatch.keyHashes` holds, from its values by field name. */
export function stagedKeyHash(
  fieldValues: Readonly<Record<string, string>>,
  fields: readonly string[],
  key: RowKey,
): number {
  hashKey(
    key.fields.map((i) => fieldValues[fields[i]!] ?? ""),
    key.caseSensitive,
  );
  return KEY_HASH[1]! >>> 0;
}

/** Whether `key` names distinct fields among `width` and says for each whether case matters. */
function isKeyOver(key: RowKey, width: number): boolean {
  if (typeof key !== "object" || key === null) return false;
  const { fields, caseSensitive } = key as Partial<RowKey>;
  return (
    Array.isArray(fields) &&
    Array.isArray(caseSensitive) &&
    fields.length > 0 &&
    caseSensitive.length === fields.length &&
    new Set(fields).size === fields.length &&
    fields.every((i) => Number.isInteger(i) && i >= 0 && i < width) &&
    caseSensitive.every((c) => typeof c === "boolean")
  );
}

interface StagedFile {
  rows: number;
  lines: readonly number[];
  hashes: Uint32Array;
  /** The key `hashes` were taken by (`JsonBatch.key`). */
  key: RowKey;
}

/**
 * Which rows went into which file of the current sync, so each reject of
 * the sync can be traced to its source line. Eloqua numbers rejects by
 * `recordIndex`; whether it counts across the files of a sync, and in which
 * order concurrent files count, is not documented. So the index is only a
 * hint: the row found there must hash like the reject's `fieldValues`, else
 * every file of the sync is searched for a row that does. The hash (32
 * bits, 4 bytes a row) is the word of the row's key hash the body carries
 * (`JsonBatch.keyHashes`, taken by `JsonBatch.key`: a reject then matches
 * whatever letter case Eloqua echoes, where the key ignores case). Memory:
 * 4 bytes per staged row of one sync.
 */
export class SyncFileTable {
  readonly #fields: readonly string[];
  #files: StagedFile[] = [];
  #rows = 0;
  /** Positions already matched, so two identical rejects map to two rows. */
  #used = new Set<number>();

  /** `fields`: the definition's, in body order. */
  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  /** Files staged since the last sync. */
  get files(): number {
    return this.#files.length;
  }

  /** Rows staged since the last sync. */
  get rows(): number {
    return this.#rows;
  }

  /** Record a body Eloqua accepted, in the order the acceptances came. */
  add(batch: JsonBatch): void {
    const { keyHashes, key } = batch;
    if (!isKeyOver(key, this.#fields.length)) {
      throw new EloquaBulkError(
        "BODY_FIELDS_MISMATCH",
        `A body's key (fields ${key.fields.join(", ")}) is not one over the uploader's ${this.#fields.length} fields (${this.#fields.join(", ")}): the batcher and the uploader must share one schema`,
      );
    }
    this.#files.push({ rows: batch.rows, lines: batch.lines, hashes: keyHashes, key });
    this.#rows += batch.rows;
  }

  /** The source line of the row a sync rejected, or `undefined` when no staged row matches it. */
  lineOf(recordIndex: number, fieldValues: Readonly<Record<string, string>>): number | undefined {
    const traced = this.trace(recordIndex, fieldValues);
    return traced.repeat ? undefined : traced.line;
  }

  /**
   * The source line of the row a sync rejected. `repeat` is true when every
   * staged row that matches was already matched: Eloqua holds the row twice
   * (a body stored though its answer was lost, then sent again), and this
   * reject is the second copy's, of a row already counted.
   */
  trace(
    recordIndex: number,
    fieldValues: Readonly<Record<string, string>>,
  ): { line: number | undefined; repeat: boolean } {
    const byKey = new Map<RowKey, number>();
    // Each key's hash of the values is taken once (all files share one key in practice).
    const hashFor = (file: StagedFile): number => {
      let hash = byKey.get(file.key);
      if (hash === undefined) {
        hash = stagedKeyHash(fieldValues, this.#fields, file.key);
        byKey.set(file.key, hash);
      }
      return hash;
    };
    const hinted = this.#find(recordIndex - 1, hashFor);
    if (hinted !== undefined) return { line: hinted, repeat: false };
    let position = 0;
    let matched: number | undefined;
    for (const file of this.#files) {
      const hash = hashFor(file);
      for (let i = 0; i < file.rows; i++, position++) {
        if (file.hashes[i] !== hash) continue;
        if (!this.#used.has(position)) {
          this.#used.add(position);
          return { line: lineOfRow(file, i), repeat: false };
        }
        matched ??= lineOfRow(file, i);
      }
    }
    return { line: matched, repeat: matched !== undefined };
  }

  /** The smallest source line of this sync's files, or `Infinity` when there are none. */
  minLine(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const file of this.#files) if (file.rows > 0 && file.lines[0]! < min) min = file.lines[0]!;
    return min;
  }

  /** The source lines of each file of this sync (run-length encoded, as `JsonBatch.lines`). */
  fileLines(): (readonly number[])[] {
    return this.#files.map((file) => file.lines);
  }

  /** Start the next sync's table. */
  clear(): void {
    this.#files = [];
    this.#rows = 0;
    this.#used = new Set();
  }

  #find(position: number, hashFor: (file: StagedFile) => number): number | undefined {
    if (!Number.isInteger(position) || position < 0 || position >= this.#rows || this.#used.has(position))
      return undefined;
    let rest = position;
    for (const file of this.#files) {
      if (rest < file.rows) {
        if (file.hashes[rest] !== hashFor(file)) return undefined;
        this.#used.add(position);
        return lineOfRow(file, rest);
      }
      rest -= file.rows;
    }
    return undefined;
  }
}
