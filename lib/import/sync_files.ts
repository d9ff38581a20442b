import { type JsonBatch, lineOfRow, rowHash } from "../batch/json_batch.ts";

const encoder = new TextEncoder();

/** The hash of a row as staged: of its JSON object's bytes, keys in the definition's order. */
export function stagedRowHash(
  fieldValues: Readonly<Record<string, string>>,
  fields: readonly string[],
): number {
  const row: Record<string, string> = {};
  for (const name of fields) row[name] = fieldValues[name] ?? "";
  const bytes = encoder.encode(JSON.stringify(row));
  return rowHash(bytes, 0, bytes.length);
}

interface StagedFile {
  rows: number;
  lines: number[];
  hashes: Uint32Array;
}

/**
 * Which rows went into which file of the current sync, so each reject of
 * the sync can be traced to its source line. Eloqua numbers rejects by
 * `recordIndex`; whether it counts across the files of a sync, and in which
 * order concurrent files count, is not documented. So the index is only a
 * hint: the row found there must hash like the reject's `fieldValues`
 * (a 32-bit hash of the row's JSON, 4 bytes a row), else every file of the sync is
 * searched for a row that does. Memory: 4 bytes per staged row of one sync.
 */
export class SyncFileTable {
  readonly #fields: readonly string[];
  #files: StagedFile[] = [];
  #rows = 0;
  /** Positions already matched, so two identical rejects map to two rows. */
  #used = new Set<number>();

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
    // The batcher hashed its rows as it wrote them; other bodies are hashed here.
    let hashes = batch.rowHashes;
    if (hashes === undefined || hashes.length !== batch.rows) {
      hashes = new Uint32Array(batch.rows);
      for (let i = 0; i < batch.rows; i++)
        hashes[i] = rowHash(batch.body, batch.offsets[i]!, batch.offsets[i + 1]! - 1);
    }
    this.#files.push({ rows: batch.rows, lines: batch.lines, hashes });
    this.#rows += batch.rows;
  }

  /** The source line of the row a sync rejected, or `undefined` when no staged row matches it. */
  lineOf(recordIndex: number, fieldValues: Readonly<Record<string, string>>): number | undefined {
    const hash = stagedRowHash(fieldValues, this.#fields);
    const hinted = this.#find(recordIndex - 1, hash);
    if (hinted !== undefined) return hinted;
    let position = 0;
    for (const file of this.#files) {
      for (let i = 0; i < file.rows; i++, position++) {
        if (file.hashes[i] === hash && !this.#used.has(position)) {
          this.#used.add(position);
          return lineOfRow(file, i);
        }
      }
    }
    return undefined;
  }

  /** Rows of this sync's files on lines after `line`. */
  rowsAfter(line: number): number {
    let count = 0;
    for (const file of this.#files) {
      const runs = file.lines;
      for (let r = 0; r < runs.length; r += 2) {
        const first = runs[r]!;
        const n = runs[r + 1]!;
        if (first + n - 1 > line) count += Math.min(n, first + n - 1 - line);
      }
    }
    return count;
  }

  /** Start the next sync's table. */
  clear(): void {
    this.#files = [];
    this.#rows = 0;
    this.#used = new Set();
  }

  #find(position: number, hash: number): number | undefined {
    if (!Number.isInteger(position) || position < 0 || position >= this.#rows || this.#used.has(position))
      return undefined;
    let rest = position;
    for (const file of this.#files) {
      if (rest < file.rows) {
        if (file.hashes[rest] !== hash) return undefined;
        this.#used.add(position);
        return lineOfRow(file, rest);
      }
      rest -= file.rows;
    }
    return undefined;
  }
}
