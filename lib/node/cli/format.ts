/** Formatting for people: numbers with separators, megabytes, durations. */

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** Bytes as megabytes (10^6), one decimal. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Bytes as kB or MB, whichever reads better. */
export function size(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : megabytes(bytes);
}

/** MB/s (kB/s when slower than 0.1 MB/s) over a duration; "—" before any time has passed. */
export function rate(bytes: number, ms: number): string {
  if (ms <= 0) return "— MB/s";
  const perSecond = (bytes * 1000) / ms;
  return perSecond < 1e5 ? `${(perSecond / 1e3).toFixed(1)} kB/s` : `${(perSecond / 1e6).toFixed(1)} MB/s`;
}

/** A duration as `1.2 s`, `3:07` or `1:02:03`. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return clock(ms);
}

/** A duration as `m:ss` or `h:mm:ss`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
