/** Milliseconds since the Unix epoch, like `Date.now`. Injected so tests drive sync timing without sleeping. */
export type Clock = () => number;

/**
 * A clock that only moves when told to, for driving the emulator's sync lifecycle in tests.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const emulator = createEmulator({ now: clock.now });
 * clock.advance(1_000); // every pending sync is now finished
 * ```
 */
export class ManualClock {
  #time: number;

  /** @param start the initial time in ms since the epoch. @default 2024-01-01T00:00:00Z */
  constructor(start: number = Date.UTC(2024, 0, 1)) {
    this.#time = start;
  }

  /** The current time; an arrow property so it can be passed around unbound. */
  readonly now = (): number => this.#time;

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot advance ManualClock by ${ms} ms`);
    this.#time += ms;
  }
}

/**
 * Formats a time the way Eloqua does, with seven fractional digits: `2023-08-28T16:11:16.0100000Z`.
 */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "0000Z");
}
