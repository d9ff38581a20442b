import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { BasicAuth, BearerAuth } from "../../client/auth.ts";
import { basicAuthorization } from "../../client/auth.ts";
import type { OAuthAuth, OAuthTokens } from "../../client/oauth_options.ts";
import type { Redactor } from "../../client/redact.ts";
import { UsageError } from "./cli_errors.ts";

/** Where an import goes. */
export type Target =
  | { readonly kind: "dry-run" }
  /** No credentials and no base URL: the built-in emulator, started in-process. */
  | { readonly kind: "embedded" }
  | {
      readonly kind: "eloqua";
      readonly auth: BasicAuth | BearerAuth | OAuthAuth;
      /** Undefined: discovered from login.eloqua.com/id. */
      readonly baseUrl: string | undefined;
      /** OAuth: the file the refresh token is read from and each rotated one written to. */
      readonly refreshTokenFile?: string;
    };

/** The environment variables of OAuth with refresh. */
const OAUTH_VARIABLES = ["ELOQUA_CLIENT_ID", "ELOQUA_CLIENT_SECRET", "ELOQUA_REFRESH_TOKEN"] as const;

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
 * flag is given, else from `ELOQUA_SITE`, `ELOQUA_USER`, `ELOQUA_PASSWORD` and `ELOQUA_TOKEN`, or OAuth's
 * `ELOQUA_CLIENT_ID`, `ELOQUA_CLIENT_SECRET` and `ELOQUA_REFRESH_TOKEN` (or `ELOQUA_REFRESH_TOKEN_FILE`);
 * never two kinds at once, and Basic needs all three parts. No message ever holds a credential's value.
 */
export function resolveTarget(flags: TargetFlags, env: Readonly<Record<string, string | undefined>>): Target {
  const baseUrl = flags["base-url"] === undefined ? undefined : checkBaseUrl(flags["base-url"], flags);
  if (flags["dry-run"]) return { kind: "dry-run" };
  const fromFlags = [flags.site, flags.user, flags.password, flags.token].some((v) => v !== undefined);
  const oauth = fromFlags ? undefined : oauthTarget(env, baseUrl, flags);
  if (oauth !== undefined) return oauth;
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
export function secretsOf(auth: BasicAuth | BearerAuth | OAuthAuth): string[] {
  if (auth.type === "bearer") return [auth.token];
  if (auth.type === "oauth") {
    return [auth.clientSecret, auth.refreshToken, auth.accessToken ?? "", clientHeader(auth)];
  }
  return [auth.password, basicAuthorization(auth.site, auth.user, auth.password).slice("Basic ".length)];
}

/** Every credential the flags and the environment hold, whichever the target uses: kept out of output. */
export function givenSecrets(
  flags: TargetFlags,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return [
    flags.password,
    flags.token,
    env.ELOQUA_PASSWORD,
    env.ELOQUA_TOKEN,
    env.ELOQUA_CLIENT_SECRET,
    env.ELOQUA_REFRESH_TOKEN,
  ].filter((value): value is string => value !== undefined && value !== "");
}

/**
 * The target's auth for a client: for OAuth, with the tokens each refresh brings kept out of the output
 * (`issued`) and the rotated refresh token written to the token file, since the old one stops working.
 */
export function clientAuth(
  target: Extract<Target, { kind: "eloqua" }>,
  issued: Redactor,
): BasicAuth | BearerAuth | OAuthAuth {
  const auth = target.auth;
  if (auth.type !== "oauth") return auth;
  const file = target.refreshTokenFile;
  return {
    ...auth,
    onTokens: (tokens: OAuthTokens) => {
      issued.add(tokens.accessToken);
      issued.add(tokens.refreshToken);
      if (file !== undefined) writeRefreshToken(file, tokens.refreshToken);
    },
  };
}

/** Whether the target's refresh token rotates with nowhere to keep the new one: a warning's matter. */
export function refreshTokenUnstored(target: Target): boolean {
  return target.kind === "eloqua" && target.auth.type === "oauth" && target.refreshTokenFile === undefined;
}

/** The OAuth target the environment names, if it names one (checked whole). */
function oauthTarget(
  env: Readonly<Record<string, string | undefined>>,
  baseUrl: string | undefined,
  flags: TargetFlags,
): Target | undefined {
  const file = nonEmpty(env.ELOQUA_REFRESH_TOKEN_FILE);
  const given = OAUTH_VARIABLES.filter((name) => nonEmpty(env[name]) !== undefined);
  if (given.length === 0 && file === undefined) return undefined;
  const basic = ["ELOQUA_SITE", "ELOQUA_USER", "ELOQUA_PASSWORD"].filter((name) => nonEmpty(env[name]));
  if (basic.length > 0) {
    throw new UsageError(
      `Both OAuth (${[...given, ...(file === undefined ? [] : ["ELOQUA_REFRESH_TOKEN_FILE"])].join(", ")}) and Basic credentials (${basic.join(", ")}) are in the environment: unset one kind.`,
    );
  }
  let refreshToken = nonEmpty(env.ELOQUA_REFRESH_TOKEN);
  if (refreshToken === undefined && file !== undefined) refreshToken = readRefreshToken(file);
  const missing = OAUTH_VARIABLES.filter(
    (name) => nonEmpty(env[name]) === undefined && !(name === "ELOQUA_REFRESH_TOKEN" && refreshToken),
  );
  if (missing.length > 0) {
    throw new UsageError(
      `OAuth needs a client id, a client secret and a refresh token (or ELOQUA_REFRESH_TOKEN_FILE): ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing.`,
    );
  }
  const clientId = env.ELOQUA_CLIENT_ID!;
  if (clientId.includes(":")) throw new UsageError('ELOQUA_CLIENT_ID must not contain ":".');
  const tokenUrl = nonEmpty(env.ELOQUA_TOKEN_URL);
  const auth: OAuthAuth = {
    type: "oauth",
    clientId,
    clientSecret: env.ELOQUA_CLIENT_SECRET!,
    refreshToken: refreshToken!,
    // A current access token, if one is at hand, saves the first refresh.
    ...(nonEmpty(env.ELOQUA_TOKEN) === undefined ? {} : { accessToken: env.ELOQUA_TOKEN! }),
    ...(tokenUrl === undefined ? {} : { tokenUrl: checkUrl("ELOQUA_TOKEN_URL", tokenUrl, flags) }),
  };
  return { kind: "eloqua", auth, baseUrl, ...(file === undefined ? {} : { refreshTokenFile: file }) };
}

/** The refresh token stored in `file` (its first line), or a usage error naming the file. */
function readRefreshToken(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ELOQUA_REFRESH_TOKEN_FILE ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"}): put the refresh token in it, or set ELOQUA_REFRESH_TOKEN.`,
    );
  }
  const token = text.split(/\r?\n/, 1)[0]!.trim();
  if (token === "")
    throw new UsageError(`ELOQUA_REFRESH_TOKEN_FILE ${file} is empty: put the refresh token in it.`);
  return token;
}

/** Replaces the token file's refresh token, readable by this user only, through a rename (never half written). */
function writeRefreshToken(file: string, token: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The Basic header value the token endpoint gets: base64 of `clientId:clientSecret`. */
function clientHeader(auth: OAuthAuth): string {
  const bytes = new TextEncoder().encode(`${auth.clientId}:${auth.clientSecret}`);
  return btoa(String.fromCharCode(...bytes));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function checkBaseUrl(text: string, flags: TargetFlags): string {
  return checkUrl("--base-url", text, flags);
}

/** An https:// URL (http:// for loopback hosts, or with --allow-insecure-http), without a trailing slash. */
function checkUrl(name: string, text: string, flags: TargetFlags): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${name} must be an absolute URL like https://secure.p03.eloqua.com: got ${JSON.stringify(text.slice(0, 80))}.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(`${name} must not hold credentials: pass them with --site, --user and --password.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      `${name} must be an https:// URL: got ${url.protocol}// in ${JSON.stringify(text)}.`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new UsageError(
      `${name} must have no query or fragment: got ${JSON.stringify(url.origin + url.pathname)}…`,
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !flags["allow-insecure-http"]) {
    throw new UsageError(
      `${name} ${url.origin} is plain http:// to a host that is not this machine, which would send the credentials in clear: use https://, or add --allow-insecure-http if you mean it.`,
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
