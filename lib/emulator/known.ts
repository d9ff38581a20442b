import type { KnownValues } from "./options.ts";

/**
 * A set of values compared with or without case: the values of one field of the records an import
 * made known, or the `known…` option's values. `has` answers true for everything when constructed
 * with `undefined` (the option left out: every record exists).
 */
export class KnownSet {
  readonly #given: KnownValues | undefined;
  readonly #predicate: ((value: string) => boolean) | null;
  /** Copied once: a one-shot iterable (a generator) could not be read again by `reset`. */
  readonly #initial: readonly string[];
  #exact = new Set<string>();
  #lower = new Set<string>();

  constructor(given: KnownValues | undefined) {
    this.#given = given;
    this.#predicate = typeof given === "function" ? given : null;
    this.#initial = given === undefined || typeof given === "function" ? [] : Array.from(given, String);
    this.reset();
  }

  /** Whether nothing was given, so every value exists. */
  get everything(): boolean {
    return this.#given === undefined;
  }

  /** Whether `value` exists; case-insensitive unless `caseSensitive` (Eloqua's linkage flags default to false). */
  has(value: string, caseSensitive: boolean): boolean {
    if (this.#given === undefined) return true;
    if (this.#predicate !== null) {
      // Predicates see the value as staged and, when the comparison ignores case, lower-cased as well.
      if (this.#predicate(value) || (!caseSensitive && this.#predicate(value.toLowerCase()))) return true;
    }
    return caseSensitive ? this.#exact.has(value) : this.#lower.has(value.toLowerCase());
  }

  add(value: string): void {
    this.#exact.add(value);
    this.#lower.add(value.toLowerCase());
  }

  /** Forgets values added since construction. */
  reset(): void {
    this.#exact = new Set();
    this.#lower = new Set();
    for (const value of this.#initial) this.add(value);
  }
}

/** The rows one import sync made known, and which of their columns hold which field. */
interface KnownBatch {
  /** Field key (see {@linkcode fieldKey}) → the column of the rows that holds it. */
  readonly columns: ReadonlyMap<string, string>;
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/**
 * Which records of one kind (opportunities, contacts, accounts) exist, for linkage syncs, by the field
 * a linkage matches on: a contact is known by its e-mail address, but also by its CRM id or any other
 * field a contact import gave it.
 *
 * The `known…` option seeds it and names values of whatever field a linkage matches on (e-mail
 * addresses, as a rule); left out, every record exists. Import syncs add their synced rows.
 *
 * Kept cheap: a sync's rows are held by reference (the staging area keeps them anyway), and a field's
 * values are indexed only when a linkage first matches on that field, then brought up to date once per
 * linkage sync. So an import of 100 columns costs one array entry per row, not 100 set entries, and
 * memory grows with the fields linkages use.
 */
export class KnownRecords {
  readonly #seed: KnownSet;
  #batches: KnownBatch[] = [];
  /** Per field: its values so far, and how many batches they cover. */
  #indexes = new Map<string, { set: KnownSet; batches: number }>();

  constructor(given: KnownValues | undefined) {
    this.#seed = new KnownSet(given);
  }

  /** Makes the rows of one import sync known; `columns` maps field keys to the rows' columns. */
  addRows(columns: ReadonlyMap<string, string>, rows: readonly Readonly<Record<string, string>>[]): void {
    if (rows.length === 0 || columns.size === 0 || this.#seed.everything) return;
    this.#batches.push({ columns, rows });
  }

  /**
   * A membership test for the values of one field (`"id"`, `"field:c_emailaddress"`, …), up to date with
   * every import so far: take it once per linkage sync, and ask it per row.
   */
  lookup(field: string): (value: string, caseSensitive: boolean) => boolean {
    const seed = this.#seed;
    if (seed.everything) return () => true;
    let index = this.#indexes.get(field);
    if (index === undefined) {
      index = { set: new KnownSet([]), batches: 0 };
      this.#indexes.set(field, index);
    }
    for (; index.batches < this.#batches.length; index.batches++) {
      const batch = this.#batches[index.batches]!;
      const column = batch.columns.get(field);
      if (column === undefined) continue;
      for (const row of batch.rows) {
        const value = row[column];
        if (value !== undefined && value !== "") index.set.add(value);
      }
    }
    const { set } = index;
    return (value, caseSensitive) => seed.has(value, caseSensitive) || set.has(value, caseSensitive);
  }

  /** Forgets what imports made known; the option's values stay. */
  reset(): void {
    this.#batches = [];
    this.#indexes = new Map();
  }

  /** What imports made known, for `saveState`: their rows by position (see `Staging.save`). */
  save(rowIds: ReadonlyMap<object, number>): KnownState {
    return this.#batches.map((batch) => ({
      columns: [...batch.columns],
      rows: batch.rows.flatMap((row) => (rowIds.has(row) ? [rowIds.get(row)!] : [])),
    }));
  }

  /** Replaces what imports made known with a saved state; `rows` are the staged rows by position. */
  load(state: KnownState, rows: readonly Readonly<Record<string, string>>[]): void {
    this.reset();
    for (const batch of state) {
      this.addRows(
        new Map(batch.columns),
        batch.rows.flatMap((i) => (rows[i] === undefined ? [] : [rows[i]])),
      );
    }
  }
}

/** What imports made known of one kind of record, as `saveState` keeps it. */
export type KnownState = readonly {
  readonly columns: readonly (readonly [string, string])[];
  readonly rows: readonly number[];
}[];

/**
 * The field key a statement names for records of `entity` (`"contact"`, `"opportunity.contact"`, …):
 * `"id"` for `{{Contact.Id}}`, `"field:c_emailaddress"` for `{{Contact.Field(C_EmailAddress)}}`
 * (internal names compared without case), undefined for a statement about something else.
 */
export function fieldKey(statement: string, entity: string): string | undefined {
  const lower = statement.toLowerCase();
  const prefix = `{{${entity}.`;
  if (!lower.startsWith(prefix) || !lower.endsWith("}}")) return undefined;
  const inner = lower.slice(prefix.length, -2);
  if (inner === "id") return "id";
  const field = /^field\(([^()]+)\)$/.exec(inner);
  return field === null ? undefined : `field:${field[1]!.trim()}`;
}
