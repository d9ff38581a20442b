import { InvalidOptionError } from "../errors.ts";
import { checkFunction, checkHttpUrl, checkInteger, checkNonEmptyString, checkSecret } from "./_options.ts";
import type { TokenProvider } from "./auth.ts";
import { isHeaderSafeToken } from "./auth.ts";
import { base64Utf8 } from "./base64.ts";
import { EloquaAuthError, isEloquaHttpError } from "./errors.ts";
import type { HttpSettings } from "./http.ts";
import { send } from "./http.ts";
import type { OAuthTokenProviderOptions, OAuthTokens } from "./oauth_options.ts";
import { Redactor } from "./redact.ts";
import { resolveRetryPolicy } from "./retry.ts";
import { systemTimers } from "./timers.ts";

/** Eloqua's token endpoint. */
export const DEFAULT_TOKEN_URL = "https://login.eloqua.com/auth/oauth2/token";

const WHERE = "OAuthTokenProvider";

/**
 * OAuth 2.0 tokens for Eloqua: hands out the access token, refreshes it with
 * the refresh token (one refresh at a time; concurrent callers share it),
 * rotates the refresh token and reports new tokens through `onTokens`.
 * Secrets live in private fields: `JSON.stringify` and `util.inspect` show
 * only the token URL.
 *
 * @example
 * ```ts
 * import { OAuthTokenProvider } from "./oauth.ts";
 *
 * const provider = new OAuthTokenProvider({
 *   clientId: "my-app",
 *   clientSecret: "…",
 *   refreshToken: "…",
 *   onTokens: (tokens) => saveRefreshToken(tokens.refreshToken),
 * });
 * declare function saveRefreshToken(token: string): Promise<void>;
 * ```
 */
export class OAuthTokenProvider implements TokenProvider {
  readonly tokenUrl: string;
  #clientAuthorization: string;
  #accessToken: string | undefined;
  #refreshToken: string;
  #expiresAt: number | undefined;
  #redirectUri: string | undefined;
  #scope: string;
  #bodyFormat: "json" | "form";
  #onTokens: ((tokens: OAuthTokens) => void | Promise<void>) | undefined;
  #marginMs: number;
  #timeoutMs: number;
  #http: HttpSettings;
  #redactor = new Redactor();
  #refreshing: Promise<string> | undefined;

  constructor(options: OAuthTokenProviderOptions) {
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionError(WHERE, "options", "an object", options);
    }
    const clientId = checkNonEmptyString(WHERE, "clientId", options.clientId);
    if (clientId.includes(":"))
      throw new InvalidOptionError(WHERE, "clientId", 'a client id without ":"', clientId);
    const clientSecret = checkSecret(WHERE, "clientSecret", options.clientSecret);
    this.#refreshToken = checkSecret(WHERE, "refreshToken", options.refreshToken);
    if (options.accessToken !== undefined) {
      const token = checkSecret(WHERE, "accessToken", options.accessToken);
      if (!isHeaderSafeToken(token)) {
        throw new InvalidOptionError(
          WHERE,
          "accessToken",
          "a token of visible ASCII characters",
          "[redacted string]",
        );
      }
      this.#accessToken = token;
    }
    if (options.expiresAt !== undefined)
      checkInteger(WHERE, "expiresAt", options.expiresAt, 0, Number.MAX_SAFE_INTEGER);
    this.#expiresAt = options.expiresAt;
    this.#redirectUri =
      options.redirectUri === undefined
        ? undefined
        : checkNonEmptyString(WHERE, "redirectUri", options.redirectUri);
    this.#scope = options.scope === undefined ? "full" : checkNonEmptyString(WHERE, "scope", options.scope);
    this.tokenUrl =
      options.tokenUrl === undefined ? DEFAULT_TOKEN_URL : checkHttpUrl(WHERE, "tokenUrl", options.tokenUrl);
    const format = options.bodyFormat ?? "json";
    if (format !== "json" && format !== "form") {
      throw new InvalidOptionError(WHERE, "bodyFormat", '"json" or "form"', format);
    }
    this.#bodyFormat = format;
    this.#onTokens =
      options.onTokens === undefined ? undefined : checkFunction(WHERE, "onTokens", options.onTokens);
    this.#marginMs =
      options.refreshMarginMs === undefined
        ? 60_000
        : checkInteger(WHERE, "refreshMarginMs", options.refreshMarginMs, 0, 86_400_000);
    this.#timeoutMs =
      options.timeoutMs === undefined
        ? 30_000
        : checkInteger(WHERE, "timeoutMs", options.timeoutMs, 1, 2_147_483_647);
    const fetch = options.fetch === undefined ? undefined : checkFunction(WHERE, "fetch", options.fetch);
    this.#http = {
      fetch: fetch ?? ((input, init) => globalThis.fetch(input, init)),
      timers: options.timers ?? systemTimers,
      random: options.random === undefined ? Math.random : checkFunction(WHERE, "random", options.random),
      retry: resolveRetryPolicy(WHERE, options.retry),
      onRetry: undefined,
      redact: (text) => this.#redactor.redact(text),
    };
    this.#clientAuthorization = `Basic ${base64Utf8(`${clientId}:${clientSecret}`)}`;
    for (const secret of [
      clientSecret,
      this.#refreshToken,
      this.#accessToken,
      this.#clientAuthorization.slice(6),
    ]) {
      this.#redactor.add(secret);
    }
  }

  /** The current tokens (secrets: handle with care). */
  get tokens(): OAuthTokens {
    return { accessToken: this.#accessToken, refreshToken: this.#refreshToken, expiresAt: this.#expiresAt };
  }

  /** The access token, refreshed first when missing or about to expire. */
  getToken(): Promise<string> {
    const token = this.#accessToken;
    const expiring =
      this.#expiresAt !== undefined && this.#http.timers.now() >= this.#expiresAt - this.#marginMs;
    if (token !== undefined && !expiring) return Promise.resolve(token);
    return this.refresh();
  }

  /** Gets new tokens now; concurrent calls share one request. */
  refresh(): Promise<string> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Replaces this provider's secrets in `text` with "[redacted]". */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  toJSON(): { kind: "oauth"; tokenUrl: string } {
    return { kind: "oauth", tokenUrl: this.tokenUrl };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `OAuthTokenProvider { tokenUrl: ${JSON.stringify(this.tokenUrl)} }`;
  }

  async #refresh(): Promise<string> {
    const fields: Record<string, string> = { grant_type: "refresh_token", refresh_token: this.#refreshToken };
    if (this.#redirectUri !== undefined) fields.redirect_uri = this.#redirectUri;
    fields.scope = this.#scope;
    const json = this.#bodyFormat === "json";
    let answer: unknown;
    try {
      const result = await send(this.#http, {
        method: "POST",
        url: this.tokenUrl,
        operation: "token",
        timeoutMs: this.#timeoutMs,
        body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
        contentType: json ? "application/json" : "application/x-www-form-urlencoded",
        authorization: this.#clientAuthorization,
      });
      answer = result.json;
    } catch (error) {
      throw refreshFailed(error);
    }
    const body = (typeof answer === "object" && answer !== null ? answer : {}) as Record<string, unknown>;
    const access = body.access_token;
    if (typeof access !== "string" || !isHeaderSafeToken(access)) {
      throw new EloquaAuthError(
        "ELOQUA_TOKEN_REFRESH_FAILED",
        "Eloqua's token endpoint answered without a usable access_token: check tokenUrl points at Eloqua's /auth/oauth2/token",
      );
    }
    const refresh =
      typeof body.refresh_token === "string" && body.refresh_token !== "" ? body.refresh_token : undefined;
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in);
    this.#accessToken = access;
    if (refresh !== undefined) this.#refreshToken = refresh;
    this.#expiresAt = Number.isFinite(expiresIn) ? this.#http.timers.now() + expiresIn * 1000 : undefined;
    this.#redactor.add(access);
    this.#redactor.add(refresh);
    await this.#onTokens?.(this.tokens);
    return access;
  }
}

function refreshFailed(error: unknown): unknown {
  if (!isEloquaHttpError(error)) {
    // Network errors and timeouts: the token endpoint was unreachable.
    const retryable = (error as { retryable?: unknown } | null)?.retryable === true;
    if (!retryable) return error;
    return new EloquaAuthError(
      "ELOQUA_TOKEN_REFRESH_FAILED",
      "Could not reach Eloqua's token endpoint to refresh the access token: check the network, then retry",
      { retryable: true, cause: error },
    );
  }
  const refused = error.status === 400 || error.status === 401;
  return new EloquaAuthError(
    "ELOQUA_TOKEN_REFRESH_FAILED",
    refused
      ? `Eloqua's token endpoint refused the refresh token (HTTP ${error.status}): it may have expired or been used already (refresh tokens rotate on every use: keep the newest one from onTokens); authorize the app again`
      : `Eloqua's token endpoint failed (HTTP ${error.status}): retry later`,
    { status: error.status, retryable: error.retryable, cause: error },
  );
}
