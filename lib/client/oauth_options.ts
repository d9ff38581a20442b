import type { RetryPolicy } from "./retry.ts";
import type { Timers } from "./timers.ts";
import type { FetchLike } from "./transport.ts";

/** The current tokens; persist `refreshToken` after each change: the old one stops working. */
export interface OAuthTokens {
  /** `undefined` until the first refresh when none was given. */
  readonly accessToken: string | undefined;
  readonly refreshToken: string;
  /** When the access token expires (epoch ms), if known. */
  readonly expiresAt: number | undefined;
}

/** The OAuth settings shared by {@linkcode OAuthTokenProvider} and the client's `auth: { type: "oauth" }`. */
export interface OAuthSettings {
  /** The app's client id (sent as the Basic auth user to the token endpoint). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The refresh token; it rotates on every refresh (see `onTokens`). */
  readonly refreshToken: string;
  /**
   * A current access token.
   * @default undefined: the first request gets one with the refresh token
   */
  readonly accessToken?: string;
  /**
   * When `accessToken` expires (epoch ms); a token that expires within
   * `refreshMarginMs` is refreshed before use.
   * @default undefined: used until Eloqua answers 401
   */
  readonly expiresAt?: number;
  /**
   * The app's redirect URI, sent as `redirect_uri`.
   * @default undefined: not sent
   */
  readonly redirectUri?: string;
  /**
   * The `scope` sent with a refresh.
   * @default "full"
   */
  readonly scope?: string;
  /**
   * The token endpoint.
   * @default "https://login.eloqua.com/auth/oauth2/token" (for the client: `${loginUrl}/auth/oauth2/token`)
   */
  readonly tokenUrl?: string;
  /**
   * How the refresh request's body is encoded. Oracle's examples send JSON;
   * RFC 6749 clients send a form; Eloqua is reported to accept both.
   * @default "json"
   */
  readonly bodyFormat?: "json" | "form";
  /**
   * Called (and awaited) with the new tokens after every refresh: store the
   * refresh token here. If it throws, the request that caused the refresh
   * fails with that error; the new tokens are kept and used.
   * @default undefined
   */
  readonly onTokens?: (tokens: OAuthTokens) => void | Promise<void>;
  /**
   * Refresh this long before `expiresAt`.
   * @default 60000
   */
  readonly refreshMarginMs?: number;
}

/** The client's `auth` option for OAuth 2.0 with refresh. */
export interface OAuthAuth extends OAuthSettings {
  readonly type: "oauth";
}

/** Options of {@linkcode OAuthTokenProvider}. */
export interface OAuthTokenProviderOptions extends OAuthSettings {
  /**
   * The transport.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike;
  /**
   * The clock for retry delays and timeouts.
   * @default systemTimers
   */
  readonly timers?: Timers;
  /**
   * Random numbers in [0, 1) for jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Retries of the token request (statuses and network errors).
   * @default DEFAULT_RETRY_POLICY
   */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Per-request timeout of the token request.
   * @default 30000
   */
  readonly timeoutMs?: number;
}
