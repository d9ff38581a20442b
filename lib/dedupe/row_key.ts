import type { BufferPool } from "../buffer_pool.ts";
import { InvalidOptionError } from "../errors.ts";
import type { RowBatch } from "../row_batch.ts";
import { fieldNames, type ImportSchema } from "../schema.ts";
import { viewOf } from "../text_span.ts";
import { hashRowKeyIn, KEY_HASH } from "./key_hash.ts";

/** Which values of a row make its key, and whether each keeps its case. */
export interface RowKey {
  /** Indices of the key fields in the schema's (and the rows') field order. */
  readonly fields: readonly number[];
  /** Per key field, whether case matters. */
  readonly caseSensitive: readonly boolean[];
}

/**
 * The key of `schema`'s rows with the case rules `caseSensitive` (by field
 * name; a key field not named compares case-insensitively). Bad values throw
 * {@linkcode InvalidOptionError} naming `where`.
 */
export function rowKey(
  schema: ImportSchema,
  caseSensitive: Readonly<Record<string, boolean>>,
  where: string,
): RowKey {
  const names = fieldNames(schema);
  const fields = schema.key.map((name) => {
    const index = names.indexOf(name);
    if (index < 0) throw new InvalidOptionError(where, "schema.key", "names of schema fields", name);
    return index;
  });
  if (fields.length === 0) {
    throw new InvalidOptionError(where, "schema.key", "a non-empty list of field names", schema.key);
  }
  for (const [name, value] of Object.entries(caseSensitive)) {
    if (!schema.key.includes(name)) {
      throw new InvalidOptionError(
        where,
        "caseSensitive",
        `keyed by key fields (${schema.key.join(", ")})`,
        name,
      );
    }
    if (typeof value !== "boolean") {
      throw new InvalidOptionError(where, `caseSensitive.${name}`, "a boolean", value);
    }
  }
  return { fields, caseSensitive: schema.key.map((name) => caseSensitive[name] ?? false) };
}

/** Whether two keys take the same fields with the same case rules. */
export function sameKey(a: RowKey | undefined, b: RowKey): boolean {
  if (a === b) return true;
  if (a === undefined || a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, k) => f === b.fields[k] && a.caseSensitive[k] === b.caseSensitive[k]);
}

/** The key hashes of every row of `batch`, four words a row (see `hashRowKey`); in a buffer of `pool` if given. */
export function hashBatchKeys(batch: RowBatch, key: RowKey, pool?: BufferPool): Int32Array<ArrayBuffer> {
  const keys =
    pool === undefined
      ? new Int32Array(batch.length * 4)
      : new Int32Array(pool.take(batch.length * 16), 0, batch.length * 4);
  const h = KEY_HASH;
  const view = viewOf(batch.bytes);
  for (let r = 0; r < batch.length; r++) {
    hashRowKeyIn(batch, view, r, key.fields, key.caseSensitive);
    keys[r * 4] = h[0]!;
    keys[r * 4 + 1] = h[1]!;
    keys[r * 4 + 2] = h[2]!;
    keys[r * 4 + 3] = h[3]!;
  }
  return keys;
}
