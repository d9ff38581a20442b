/**
 * What a field of Eloqua's `"date"` data type (an opportunity's CloseDate, a
 * date contact field) is checked against before upload: one of
 * {@linkcode DATE_FORMATS}, and a real moment of the Gregorian calendar.
 *
 * Oracle's Bulk API pages list no date formats for imported values, so the
 * list holds only what a source says Eloqua reads, nothing more:
 *
 * - `yyyy-MM-dd` and `yyyy-MM-dd HH:mm:ss` (24-hour clock): Oracle's
 *   "Importing contacts or accounts" says date values "must be formatted
 *   YYYY-MM-DD" and that "2020-08-03 18:01:00" is imported
 *   (https://docs.oracle.com/en/cloud/saas/marketing/eloqua-user/Help/DataImportExport/Tasks/ImportingContactsOrAccounts.htm);
 * - `MM/dd/yyyy`: Oracle's "Data types (date and numeric formats)" gives it
 *   as the example of a date value
 *   (https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAA/Help/DataTypes/DataTypes.htm);
 * - `MM/dd/yyyy h:mm:ss AM/PM` (12-hour clock, the hour in one or two digits,
 *   `AM`/`PM` in either letter case): Eloqua's date tests on Oracle's
 *   Topliners community, "MM/DD/YYYY hh:mm:ss A/PM (e.g. 10/15/2014 3:15:14
 *   AM)" (https://topliners10.rssing.com/chan-18645175/article1520.html, a
 *   copy of the community.oracle.com post; a user's test, not Oracle's docs).
 *
 * Slashes are month first, as in the United States: the same tests read
 * `01/02/03` as January 2 and refuse `13/10/2014` ("Month '13' does not
 * exist"), and no Oracle page says Eloqua reads `dd/MM/yyyy` on import. So
 * `13/10/2014` fails here, and `02/03/2024` is February 3, never 2 March.
 *
 * Refused, though some are common: a `T` between date and time, `Z` or an
 * offset (no source says Eloqua honours them; it stores times in Eastern
 * time, and an offset read wrongly would move the moment silently);
 * fractions of a second (the same Oracle import page says a value with
 * milliseconds "is ignored and not imported"); two-digit years (which
 * century?); months and days without their leading zero; `MM/dd/yyyy
 * HH:mm:ss` on a 24-hour clock, and `yyyy/MM/dd`, `yyyy.MM.dd`, `MM-dd-yyyy`,
 * month names: no source. Each part must exist: month 1–12, the day within
 * its month (February 29 only in leap years: every fourth, but not
 * centuries other than every fourth), hours 0–23 (1–12 with AM/PM), minutes
 * and seconds 0–59 (no leap second), years 0001–9999.
 *
 * {@linkcode isValidDateBytes} and {@linkcode isValidDateSpan} check a value
 * in one pass; {@linkcode DATE_PATTERNS} states each format's shape as a
 * regular expression, the oracle of the property tests (with the calendar
 * on top).
 * @module
 */

/** The date formats accepted, in .NET/Java notation, for messages and docs (sources above). */
export const DATE_FORMATS: readonly string[] = Object.freeze([
  "yyyy-MM-dd",
  "yyyy-MM-dd HH:mm:ss",
  "MM/dd/yyyy",
  "MM/dd/yyyy h:mm:ss AM/PM",
]);

/** The rule in words, for messages: what a date field takes. */
export const DATE_RULE = `a date as ${DATE_FORMATS.join(", ")} (month before day)`;

const YEAR = "(?<year>(?!0000)[0-9]{4})";
const MONTH = "(?<month>0[1-9]|1[0-2])";
const DAY = "(?<day>0[1-9]|[12][0-9]|3[01])";
const MINUTES_SECONDS = "[0-5][0-9]:[0-5][0-9]";

/**
 * Each of {@linkcode DATE_FORMATS} as a regular expression of its shape, in
 * the same order, with named groups `year`, `month` and `day`. The patterns
 * bound every part but the day by its month: a value is valid when one of
 * them matches and its year, month and day are a day of the calendar.
 */
export const DATE_PATTERNS: readonly RegExp[] = Object.freeze([
  new RegExp(`^${YEAR}-${MONTH}-${DAY}$`),
  new RegExp(`^${YEAR}-${MONTH}-${DAY} (?:[01][0-9]|2[0-3]):${MINUTES_SECONDS}$`),
  new RegExp(`^${MONTH}/${DAY}/${YEAR}$`),
  new RegExp(`^${MONTH}/${DAY}/${YEAR} (?:0?[1-9]|1[0-2]):${MINUTES_SECONDS} [AaPp][Mm]$`),
]);

const SPACE = 32;
const HYPHEN = 45;
const SLASH = 47;
const ZERO = 48;
const COLON = 58;
/** Letters ORed with this are lower case. */
const LOWER = 0x20;
const A = 97;
const P = 112;
const M = 109;
/** The longest value of any format: `MM/dd/yyyy hh:mm:ss AM`. */
const LONGEST = 22;

/** The two digits at `bytes[i]`, `bytes[i + 1]` as 0–99, or -1 when either is no digit. */
function twoDigits(bytes: Uint8Array, i: number): number {
  const high = bytes[i]! - ZERO;
  const low = bytes[i + 1]! - ZERO;
  // `>>> 0` makes a byte below "0" huge, so one comparison a digit.
  return high >>> 0 > 9 || low >>> 0 > 9 ? -1 : high * 10 + low;
}

/** The four digits at `bytes[i]` as a year, or -1. */
function fourDigits(bytes: Uint8Array, i: number): number {
  const century = twoDigits(bytes, i);
  const year = twoDigits(bytes, i + 2);
  return century < 0 || year < 0 ? -1 : century * 100 + year;
}

/** Whether `day` of `month` of `year` exists (any of them -1 when it was no number). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return day <= (leap ? 29 : 28);
  }
  // 31 days in odd months up to July and in even months from August: bit 0 of month + month / 8.
  return day <= 30 + ((month + (month >> 3)) & 1);
}

/** `yyyy-MM-dd` at `bytes[i]`. */
function isIsoDate(bytes: Uint8Array, i: number): boolean {
  return (
    bytes[i + 4] === HYPHEN &&
    bytes[i + 7] === HYPHEN &&
    isCalendarDay(fourDigits(bytes, i), twoDigits(bytes, i + 5), twoDigits(bytes, i + 8))
  );
}

/** `MM/dd/yyyy` at `bytes[i]`. */
function isUsDate(bytes: Uint8Array, i: number): boolean {
  return (
    bytes[i + 2] === SLASH &&
    bytes[i + 5] === SLASH &&
    isCalendarDay(fourDigits(bytes, i + 6), twoDigits(bytes, i), twoDigits(bytes, i + 3))
  );
}

/** `mm:ss` at `bytes[i]`, each 00–59 (-1, no number, is huge unsigned). */
function isMinutesSeconds(bytes: Uint8Array, i: number): boolean {
  return twoDigits(bytes, i) >>> 0 <= 59 && bytes[i + 2] === COLON && twoDigits(bytes, i + 3) >>> 0 <= 59;
}

/** ` HH:mm:ss` at `bytes[i]`, hours 00–23. */
function isClock24(bytes: Uint8Array, i: number): boolean {
  return (
    bytes[i] === SPACE &&
    twoDigits(bytes, i + 1) >>> 0 <= 23 &&
    bytes[i + 3] === COLON &&
    isMinutesSeconds(bytes, i + 4)
  );
}

/** ` h:mm:ss AM` or ` hh:mm:ss PM` filling `bytes[i, end)`, hours 1–12. */
function isClock12(bytes: Uint8Array, i: number, end: number): boolean {
  if (bytes[i] !== SPACE) return false;
  // Eleven bytes from the space on: a one-digit hour; twelve: two digits.
  const short = end - i === 11;
  const digit = bytes[i + 1]! - ZERO;
  const hour = short ? (digit >>> 0 > 9 ? -1 : digit) : twoDigits(bytes, i + 1);
  if (hour < 1 || hour > 12) return false;
  const at = short ? i + 2 : i + 3;
  const meridiem = bytes[at + 7]! | LOWER;
  return (
    bytes[at] === COLON &&
    isMinutesSeconds(bytes, at + 1) &&
    bytes[at + 6] === SPACE &&
    (meridiem === A || meridiem === P) &&
    (bytes[at + 8]! | LOWER) === M
  );
}

/**
 * True when the bytes `bytes[start, end)` are a date in one of
 * {@linkcode DATE_FORMATS} that exists in the calendar. The length picks the
 * format (and, at 10, the byte where `-` would be): one pass, no trying of
 * one format after another.
 */
export function isValidDateBytes(bytes: Uint8Array, start: number, end: number): boolean {
  switch (end - start) {
    case 10:
      return bytes[start + 4] === HYPHEN ? isIsoDate(bytes, start) : isUsDate(bytes, start);
    case 19:
      return isIsoDate(bytes, start) && isClock24(bytes, start + 10);
    case 21:
    case 22:
      return isUsDate(bytes, start) && isClock12(bytes, start + 10, end);
    default:
      return false;
  }
}

const scratch = new Uint8Array(LONGEST);

/** True when `text.slice(start, end)` is a date in one of {@linkcode DATE_FORMATS} that exists in the calendar. */
export function isValidDateSpan(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length > LONGEST || length < 10) return false;
  // Only ASCII is allowed: a code unit past it becomes 128, which no format takes.
  for (let i = 0; i < length; i++) scratch[i] = Math.min(text.charCodeAt(start + i), 128);
  return isValidDateBytes(scratch, 0, length);
}

/** True when `value` is a date in one of {@linkcode DATE_FORMATS} that exists in the calendar. */
export function isValidDate(value: string): boolean {
  return isValidDateSpan(value, 0, value.length);
}
