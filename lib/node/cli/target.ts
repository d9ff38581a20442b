import type { BasicAuth, BearerAuth } from "../../client/auth.ts";
import { basicAuthorization } from "../../client/auth.ts";
import { UsageError } from "./cli_errors.ts";

/** Where an import goes. */
export type Target =
  | { readonly kind: "dry-run" }
  /** No credentials and no base URL: the built-in emulator, started in-process. */
  | { readonly kind: "embedded" }
  | {
      readonly kind: "eloqua";
      readonly auth: BasicAuth | BearerAuth;
      /** Undefined: discovered from login.eloqua.com/id. */
      readonly baseUrl: string | undefined;
    };

/** The flags that choose the target. */
export interface TargetFlags {
  readonly "dry-run"?: boolean | undefined;
  readonly "base-url"?: string | undefined;
  readonly "allow-insecure-http"?: boolean | undefined;
  readonly site?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
}

/**
 * Decides the target from the flags and the environment. Credentials come from the flags when any auth
 * flag is given, else from `ELOQUA_SITE`, `ELOQUA_USER`, `ELOQUA_PASSWORD` and `ELOQUA_TOKEN`; never both
 * kinds at once, and Basic needs all three parts. No message ever holds a credential's value.
 */
export function resolveTarget(flags: TargetFlags, env: Readonly<Record<string, string | undefined>>): Target {
  const baseUrl = flags["base-url"] === undefined ? undefined : checkBaseUrl(flags["base-url"], flags);
  if (flags["dry-run"]) return { kind: "dry-run" };
  const fromFlags = [flags.site, flags.user, flags.password, flags.token].some((v) => v !== undefined);
  const given = fromFlags
    ? { site: flags.site, user: flags.user, password: flags.password, token: flags.token }
    : {
        site: nonEmpty(env.ELOQUA_SITE),
        user: nonEmpty(env.ELOQUA_USER),
        password: nonEmpty(env.ELOQUA_PASSWORD),
        token: nonEmpty(env.ELOQUA_TOKEN),
      };
  const basicParts = [given.site, given.user, given.password].filter((v) => v !== undefined).length;
  const where = fromFlags ? "flags" : "environment";
  if (given.token !== undefined && basicParts > 0) {
    throw new UsageError(
      `Both a token and Basic credentials are given (in the ${where}): use either --token (ELOQUA_TOKEN) or --site, --user and --password (ELOQUA_SITE, ELOQUA_USER, ELOQUA_PASSWORD).`,
    );
  }
  if (given.token !== undefined)
    return { kind: "eloqua", auth: { type: "bearer", token: given.token }, baseUrl };
  if (basicParts > 0) {
    const missing = (["site", "user", "password"] as const)
      .filter((part) => given[part] === undefined)
      .map((part) => (fromFlags ? `--${part}` : `ELOQUA_${part.toUpperCase()}`));
    if (missing.length > 0) {
      throw new UsageError(
        `Basic auth needs a site, a user and a password: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing.`,
      );
    }
    const auth: BasicAuth = {
      type: "basic",
      site: given.site!,
      user: given.user!,
      password: given.password!,
    };
    return { kind: "eloqua", auth, baseUrl };
  }
  if (baseUrl !== undefined) {
    throw new UsageError(
      "--base-url is given but no credentials: pass --site, --user and --password (or ELOQUA_SITE, ELOQUA_USER, ELOQUA_PASSWORD), or --token (or ELOQUA_TOKEN).",
    );
  }
  return { kind: "embedded" };
}

/** The strings to keep out of every output: the secrets and the Basic header made from them. */
export function secretsOf(auth: BasicAuth | BearerAuth): string[] {
  if (auth.type === "bearer") return [auth.token];
  return [auth.password, basicAuthorization(auth.site, auth.user, auth.password).slice("Basic ".length)];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function checkBaseUrl(text: string, flags: TargetFlags): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--base-url must be an absolute URL like https://secure.p03.eloqua.com: got ${JSON.stringify(text.slice(0, 80))}.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(
      "--base-url must not hold credentials: pass them with --site, --user and --password.",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      `--base-url must be an https:// URL: got ${url.protocol}// in ${JSON.stringify(text)}.`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new UsageError(
      `--base-url must have no query or fragment: got ${JSON.stringify(url.origin + url.pathname)}…`,
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !flags["allow-insecure-http"]) {
    throw new UsageError(
      `--base-url ${url.origin} is plain http:// to a host that is not this machine, which would send the credentials in clear: use https://, or add --allow-insecure-http if you mean it.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

/** Whether a URL's hostname is this machine: localhost, 127.0.0.0/8 or [::1]. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === "[::1]"
  );
}
