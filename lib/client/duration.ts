const ISO_DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The length of an ISO-8601 duration such as `"PT1H"`, `"P1D"` or `"P14D"`
 * in milliseconds (a year counts 365 days, a month 30), or `undefined` when
 * `text` is not one.
 *
 * @example
 * ```ts
 * import { parseIsoDuration } from "./duration.ts";
 * parseIsoDuration("PT1H"); // 3600000
 * parseIsoDuration("1 hour"); // undefined
 * ```
 */
export function parseIsoDuration(text: string): number | undefined {
  const match = ISO_DURATION.exec(text);
  if (match === null || text === "P" || text.endsWith("T")) return undefined;
  const [, y, mo, w, d, h, mi, s] = match.map((part) => (part === undefined ? 0 : Number(part)));
  return (
    (y ?? 0) * 365 * DAY +
    (mo ?? 0) * 30 * DAY +
    (w ?? 0) * 7 * DAY +
    (d ?? 0) * DAY +
    (h ?? 0) * HOUR +
    (mi ?? 0) * 60_000 +
    (s ?? 0) * 1000
  );
}
