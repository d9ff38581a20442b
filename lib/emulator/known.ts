import type { KnownValues } from "./options.ts";

/**
 * Which opportunity ids (or contact e-mail addresses) exist, for linkage syncs. Starts from the
 * `knownOpportunities`/`knownContacts` option (everything when absent) and grows as opportunity and
 * contact import syncs complete, as it would in Eloqua.
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

  /** Forgets values added by imports. */
  reset(): void {
    this.#exact = new Set();
    this.#lower = new Set();
    for (const value of this.#initial) this.add(value);
  }
}
