/** One call as the emulator saw it. */
export interface CallRecord {
  readonly method: string;
  /** Path and query string as requested. */
  readonly path: string;
  /** Route name, or `"unknown"`. */
  readonly route: string;
  /** Status answered, or `"dropped"` when the connection was closed without an answer. */
  readonly status: number | "dropped";
  /** Request body bytes read. */
  readonly bodyBytes: number;
  /** Start and end times, from the emulator's clock. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The injected fault, e.g. `"status 503"`, `"reset"`, `"delay 50ms"`, `"commitThenDrop"`, `"syncError"`. */
  readonly fault?: string;
}

/** A bounded ring buffer of the most recent calls. */
export class CallHistory {
  readonly #capacity: number;
  #items: CallRecord[] = [];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(record: CallRecord): void {
    if (this.#items.length < this.#capacity) {
      this.#items.push(record);
      return;
    }
    this.#items[this.#next] = record;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The kept calls, oldest first (a copy). */
  toArray(): readonly CallRecord[] {
    return [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)];
  }

  clear(): void {
    this.#items = [];
    this.#next = 0;
  }
}
