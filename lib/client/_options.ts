// Shared checks for option values: each throws InvalidOptionError naming the
// option and the value, so every public constructor reports bad values alike.
import { InvalidOptionError } from "../errors.ts";

export function checkInteger(
  where: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new InvalidOptionError(where, option, `an integer ${range}`, value);
  }
  return value;
}

export function checkNumber(where: string, option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `at least ${min}` : `from ${min} to ${max}`;
    throw new InvalidOptionError(where, option, `a number ${range}`, value);
  }
  return value;
}

export function checkFunction<T>(where: string, option: string, value: T): T {
  if (typeof value !== "function") throw new InvalidOptionError(where, option, "a function", value);
  return value;
}

export function checkNonEmptyString(where: string, option: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidOptionError(where, option, "a non-empty string", value);
  }
  return value;
}

/** Like {@linkcode checkNonEmptyString}, but never puts a secret into the message. */
export function checkSecret(where: string, option: string, value: unknown): string {
  if (typeof value === "string" && value.length > 0) return value;
  const shown = value === undefined || value === null || value === "" ? value : `[redacted ${typeof value}]`;
  throw new InvalidOptionError(where, option, "a non-empty string", shown);
}

/** An absolute http(s) URL, returned without a trailing slash. */
export function checkHttpUrl(where: string, option: string, value: unknown): string {
  let url: URL | undefined;
  if (typeof value === "string") {
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
  }
  if (
    url === undefined ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    // A URL with user:password in it would be a credential: keep it out of the message.
    const shown =
      url !== undefined && (url.username !== "" || url.password !== "") ? "[a URL with credentials]" : value;
    throw new InvalidOptionError(
      where,
      option,
      "an absolute http(s) URL without credentials, query or fragment",
      shown,
    );
  }
  return url.href.replace(/\/+$/, "");
}

export function checkObject(where: string, option: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(where, option, "an object", value);
  }
  return value as Record<string, unknown>;
}
