import type { RejectHandler } from "../reject.ts";
import { valuesByName } from "../reject.ts";
import type { RowBatch } from "../row_batch.ts";
import { fieldNames, type ImportSchema, LINKAGE_SCHEMA } from "../schema.ts";
import { DedupeIndex, type DedupeIndexOptions } from "./dedupe_index.ts";
import type { KeyLineTable } from "./key_line_table.ts";
import { type RowKey, rowKey } from "./row_key.ts";

/** Rows hashed together before their keys go into the index (see `DedupeIndex.addMany`). */
const GROUP = 64;

/** Options of {@linkcode RowDeduper} and `DedupeStream`. */
export interface RowDeduperOptions extends DedupeIndexOptions {
  /**
   * The schema; its `key` names the fields that identify a row.
   * @default LINKAGE_SCHEMA (key: OpportunityID + EmailAddress)
   */
  schema?: ImportSchema;
  /**
   * Per key field, whether case matters. For linkage imports, follow the
   * definition's flags with {@linkcode linkageCaseSensitivity}.
   * @default {} (every key field compared case-insensitively, as Eloqua's defaults do)
   */
  caseSensitive?: Readonly<Record<string, boolean>>;
  /**
   * The input's name in messages.
   * @default "input"
   */
  sourceName?: string;
  /**
   * Receives every duplicate row (code `DUPLICATE`).
   * @default undefined (duplicates are only counted in `stats.duplicate`)
   */
  onReject?: RejectHandler;
  /**
   * Keep the last occurrence of each key instead of the first: the line of
   * each key's row to keep (its last valid row, else its first), from
   * `findLastOccurrences` over the same input with the same options. A row
   * is kept only at that line; earlier ones are duplicates. A key the table lacks (the input changed between the reads) is
   * kept where it is seen.
   * @default undefined (the first occurrence is kept)
   */
  lastOccurrences?: KeyLineTable;
}

/** Counts of the dedupe stage. */
export interface DedupeStats {
  unique: number;
  duplicate: number;
}

/** The case rules of a linkage definition, as `caseSensitive` for {@linkcode RowDeduper}: its match and source fields' flags. */
export function linkageCaseSensitivity(definition: {
  readonly linkOpportunitiesMatchFieldName?: unknown;
  readonly linkOpportunitiesSourceField?: unknown;
  readonly linkOpportunitiesCaseSensitiveMatchField?: unknown;
  readonly linkOpportunitiesCaseSensitiveSourceField?: unknown;
}): Record<string, boolean> {
  const match =
    typeof definition.linkOpportunitiesMatchFieldName === "string"
      ? definition.linkOpportunitiesMatchFieldName
      : "OpportunityID";
  const source =
    typeof definition.linkOpportunitiesSourceField === "string"
      ? definition.linkOpportunitiesSourceField
      : "EmailAddress";
  return {
    [match]: definition.linkOpportunitiesCaseSensitiveMatchField === true,
    [source]: definition.linkOpportunitiesCaseSensitiveSourceField === true,
  };
}

/**
 * The pure core of the dedupe stage: keeps the first row of each key, in
 * order, and reports later ones as duplicates. Keys are kept as 128-bit
 * hashes in a {@linkcode DedupeIndex}, ≤ 32 bytes each, which tells keys
 * apart by 96 of those bits: two different keys are taken for one with
 * probability about n²/2⁹⁷ (6·10⁻¹⁴ at 100 M keys).
 */
export class RowDeduper {
  readonly stats: DedupeStats = { unique: 0, duplicate: 0 };
  readonly index: DedupeIndex;
  readonly #key: RowKey;
  readonly #names: string[];
  readonly #source: string;
  readonly #onReject: RejectHandler | undefined;
  readonly #last: KeyLineTable | undefined;
  #keep = new Uint8Array(1024);
  readonly #fresh = new Uint8Array(GROUP);

  constructor(options: RowDeduperOptions = {}) {
    const schema = options.schema ?? LINKAGE_SCHEMA;
    this.#names = fieldNames(schema);
    this.#key = rowKey(schema, options.caseSensitive ?? {}, "RowDeduper");
    // Keeping the last occurrence needs no index of its own: the table says which line to keep.
    this.index = new DedupeIndex(options.lastOccurrences === undefined ? options : {});
    this.#source = options.sourceName ?? "input";
    this.#onReject = options.onReject;
    this.#last = options.lastOccurrences;
  }

  /**
   * Keep the first occurrence of each key (the last with `lastOccurrences`):
   * removes the others from `batch`, in place. The batch keeps its rows' key hashes (`RowBatch.keyHashes`,
   * taken here unless a row worker did), which the batcher passes on to
   * trace Eloqua's rejects.
   */
  dedupe(batch: RowBatch): RowBatch {
    const index = this.index;
    const fresh = this.#fresh;
    if (this.#keep.length < batch.length) this.#keep = new Uint8Array(batch.length * 2);
    const keep = this.#keep;
    let kept = 0;
    const keys = batch.keyHashes(this.#key);
    if (this.#last !== undefined) return this.#keepLast(batch, keys);
    for (let from = 0; from < batch.length; from += GROUP) {
      const count = Math.min(GROUP, batch.length - from);
      index.addMany(keys, from, count, fresh);
      for (let j = 0; j < count; j++) {
        keep[from + j] = fresh[j]!;
        if (fresh[j] === 1) kept++;
        else this.#duplicate(batch, from + j);
      }
    }
    if (kept < batch.length) batch.keep(keep);
    this.stats.unique += kept;
    return batch;
  }

  #keepLast(batch: RowBatch, keys: Int32Array): RowBatch {
    const table = this.#last!;
    const keep = this.#keep;
    const lines = batch.lines;
    let kept = 0;
    for (let r = 0; r < batch.length; r++) {
      const last = table.get(keys[r * 4]!, keys[r * 4 + 1]!, keys[r * 4 + 2]!);
      if (last === 0 || last === lines[r]) {
        keep[r] = 1;
        kept++;
      } else {
        keep[r] = 0;
        this.#duplicate(batch, r, last);
      }
    }
    if (kept < batch.length) batch.keep(keep);
    this.stats.unique += kept;
    return batch;
  }

  /** Counts row `r` as a duplicate; `later` is the line of the occurrence kept instead, when it comes later. */
  #duplicate(batch: RowBatch, r: number, later?: number): void {
    this.stats.duplicate++;
    if (this.#onReject === undefined) return;
    const row = batch.row(r);
    const key = this.#key.fields.map((i) => this.#names[i]).join(" and ");
    this.#onReject({
      line: row.line,
      stage: "dedupe",
      code: "DUPLICATE",
      message:
        later === undefined
          ? `${this.#source} line ${row.line}: a duplicate of an earlier row with the same ${key}`
          : `${this.#source} line ${row.line}: the same ${key} as line ${later}, a later row, which is the one imported`,
      values: valuesByName(this.#names, row.values),
    });
  }
}
