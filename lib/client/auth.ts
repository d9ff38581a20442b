import { InvalidOptionError } from "../errors.ts";
import { checkNonEmptyString, checkObject, checkSecret } from "./_options.ts";
import { base64Utf8 } from "./base64.ts";
import type { OAuthAuth } from "./oauth_options.ts";
import { Redactor } from "./redact.ts";

/** How the client authenticates; shown by `toJSON()` and `util.inspect` (never the secrets). */
export type AuthKind = "basic" | "bearer" | "oauth" | "provider";

/**
 * Supplies bearer tokens. `getToken` is called before every request (cache
 * inside); `refresh`, when present, is called once after a 401 and must
 * resolve with a new token. The client calls `refresh` at most once at a
 * time and shares the pending promise between concurrent 401s.
 */
export interface TokenProvider {
  getToken(): Promise<string>;
  refresh?(): Promise<string>;
}

/** HTTP Basic: `Authorization: Basic base64("Site\User:password")`. */
export interface BasicAuth {
  readonly type: "basic";
  /** The company (site) name used to log in to Eloqua, e.g. `"COMPANYX"`. */
  readonly site: string;
  /** The user name, e.g. `"user1"`. */
  readonly user: string;
  readonly password: string;
}

/** A fixed OAuth access token (no refresh: a 401 fails at once). */
export interface BearerAuth {
  readonly type: "bearer";
  readonly token: string;
}

/** Tokens from your own {@linkcode TokenProvider}. */
export interface ProviderAuth {
  readonly type: "provider";
  readonly provider: TokenProvider;
}

/** The `auth` option of the client. */
export type EloquaAuth = BasicAuth | BearerAuth | OAuthAuth | ProviderAuth;

/**
 * The `Authorization` header value for Basic auth, UTF-8 safe.
 *
 * @example
 * ```ts
 * import { basicAuthorization } from "./auth.ts";
 * basicAuthorization("COMPANYX", "user1", "password123");
 * // "Basic Q09NUEFOWVhcdXNlcjE6cGFzc3dvcmQxMjM="
 * ```
 */
export function basicAuthorization(site: string, user: string, password: string): string {
  return `Basic ${base64Utf8(`${site}\\${user}:${password}`)}`;
}

/** Visible ASCII only: anything else cannot travel in a header (and a runtime error would print it). */
export function isHeaderSafeToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}

/** What the HTTP layer needs from an auth method. Internal. */
export interface Authenticator {
  readonly kind: AuthKind;
  /** The `Authorization` header value for the next request. */
  authorization(): Promise<string>;
  /**
   * Called after a 401 on a request sent with `used`. Resolves true when a
   * retry may succeed (the token was refreshed, or changed meanwhile).
   */
  recover(used: string): Promise<boolean>;
  /** Replaces this auth's secrets in `text`. */
  redact(text: string): string;
  /** The message of the error for a final 401. */
  readonly rejectedMessage: string;
}

class StaticAuthenticator implements Authenticator {
  readonly kind: AuthKind;
  readonly rejectedMessage: string;
  #header: string;
  #redactor: Redactor;

  constructor(kind: AuthKind, header: string, redactor: Redactor, rejectedMessage: string) {
    this.kind = kind;
    this.#header = header;
    this.#redactor = redactor;
    this.rejectedMessage = rejectedMessage;
  }
  authorization(): Promise<string> {
    return Promise.resolve(this.#header);
  }
  recover(): Promise<boolean> {
    return Promise.resolve(false);
  }
  redact(text: string): string {
    return this.#redactor.redact(text);
  }
}

/** Wraps a {@linkcode TokenProvider}: one refresh at a time, shared by every 401 that arrives meanwhile. */
export class ProviderAuthenticator implements Authenticator {
  readonly kind: AuthKind;
  readonly rejectedMessage: string;
  #provider: TokenProvider;
  #redactor: Redactor;
  #refreshing: Promise<void> | undefined;
  #extraRedact: (text: string) => string;

  constructor(
    kind: AuthKind,
    provider: TokenProvider,
    redactor: Redactor,
    rejectedMessage: string,
    extraRedact: (text: string) => string = (text) => text,
  ) {
    this.kind = kind;
    this.#provider = provider;
    this.#redactor = redactor;
    this.rejectedMessage = rejectedMessage;
    this.#extraRedact = extraRedact;
  }

  async authorization(): Promise<string> {
    const token = await this.#provider.getToken();
    if (typeof token !== "string" || !isHeaderSafeToken(token)) {
      throw new TypeError(
        "The token provider returned a token that is not a non-empty string of visible ASCII",
      );
    }
    this.#redactor.add(token);
    return `Bearer ${token}`;
  }

  async recover(used: string): Promise<boolean> {
    const provider = this.#provider;
    if (typeof provider.refresh !== "function") return false;
    // Set synchronously so that every 401 arriving meanwhile joins this refresh.
    this.#refreshing ??= (async () => {
      const current = `Bearer ${await provider.getToken()}`;
      // Another request already refreshed since `used` was sent: just retry.
      if (current !== used) return;
      const token = await provider.refresh?.();
      if (typeof token === "string") this.#redactor.add(token);
    })().finally(() => {
      this.#refreshing = undefined;
    });
    await this.#refreshing;
    return true;
  }

  redact(text: string): string {
    return this.#extraRedact(this.#redactor.redact(text));
  }
}

/** Builds the authenticator for the basic, bearer and provider kinds (OAuth is built by the client). */
export function staticAuthenticator(
  where: string,
  auth: BasicAuth | BearerAuth | ProviderAuth,
): Authenticator {
  const redactor = new Redactor();
  switch (auth.type) {
    case "basic": {
      const site = checkNonEmptyString(where, "auth.site", auth.site);
      const user = checkNonEmptyString(where, "auth.user", auth.user);
      if (site.includes(":") || site.includes("\\")) {
        throw new InvalidOptionError(where, "auth.site", 'a site name without ":" or "\\"', site);
      }
      if (user.includes(":"))
        throw new InvalidOptionError(where, "auth.user", 'a user name without ":"', user);
      const password = checkSecret(where, "auth.password", auth.password);
      const header = basicAuthorization(site, user, password);
      redactor.add(password);
      redactor.add(header.slice("Basic ".length));
      return new StaticAuthenticator(
        "basic",
        header,
        redactor,
        "Eloqua did not accept the credentials: check site, user and password",
      );
    }
    case "bearer": {
      const token = checkSecret(where, "auth.token", auth.token);
      if (!isHeaderSafeToken(token)) {
        throw new InvalidOptionError(
          where,
          "auth.token",
          "a token of visible ASCII characters",
          "[redacted string]",
        );
      }
      redactor.add(token);
      return new StaticAuthenticator(
        "bearer",
        `Bearer ${token}`,
        redactor,
        "Eloqua did not accept the access token: it may have expired (they last 8 hours); pass a fresh one, or use OAuth with a refresh token",
      );
    }
    case "provider": {
      const provider = checkObject(where, "auth.provider", auth.provider) as unknown as TokenProvider;
      if (typeof provider.getToken !== "function") {
        throw new InvalidOptionError(where, "auth.provider", "an object with a getToken() method", provider);
      }
      const refresh = typeof provider.refresh === "function" ? ", even after refresh()" : "";
      return new ProviderAuthenticator(
        "provider",
        provider,
        redactor,
        `Eloqua did not accept the token from the token provider${refresh}: check the provider's credentials`,
      );
    }
    default:
      throw new InvalidOptionError(
        where,
        "auth.type",
        '"basic", "bearer", "oauth" or "provider"',
        (auth as { type?: unknown }).type,
      );
  }
}
