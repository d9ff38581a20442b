import type { Clock } from "./clock.ts";
import type { EmulatorCredentials } from "./options.ts";

/** What the OAuth token endpoint answers. */
export interface TokenGrant {
  readonly access_token: string;
  readonly token_type: "bearer";
  readonly expires_in: number;
  readonly refresh_token: string;
}

/** The tokens as `saveState` keeps them. */
export interface AuthState {
  /** Access tokens issued, with the time they expire (null: expired by `expireAccessTokens`). */
  readonly accessTokens: readonly (readonly [string, number | null])[];
  readonly refreshTokens: readonly string[];
  readonly staticTokenExpired: boolean;
  readonly codeUsed: boolean;
  readonly issued: number;
}

/** The user name and password of a Basic `Authorization` header. */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/** Decodes `Authorization: Basic base64(user:password)`; null when absent or malformed. */
export function parseBasic(header: string | null): BasicCredentials | null {
  const match = header === null ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return null;
  let decoded: string;
  try {
    const binary = atob(match[1]!);
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The value of `Authorization` for Eloqua Basic auth: `Basic base64("Site\User:password")`. */
export function basicAuthorization(site: string, user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${site}\\${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Who may call: Basic with the site, user and password; Bearer with the static token or a token issued
 * by the token endpoint and not yet expired. Refresh tokens rotate: each works once.
 */
export class AuthService {
  readonly credentials: EmulatorCredentials;
  readonly #clock: Clock;
  readonly #lifetimeSeconds: number;
  readonly #accessTokens = new Map<string, number>();
  readonly #refreshTokens = new Set<string>();
  #staticTokenExpired = false;
  #codeUsed = false;
  #issued = 0;

  constructor(credentials: EmulatorCredentials, clock: Clock, lifetimeSeconds: number) {
    this.credentials = credentials;
    this.#clock = clock;
    this.#lifetimeSeconds = lifetimeSeconds;
    this.reset();
  }

  /** Whether the `Authorization` header grants access to the Bulk API. */
  authenticate(headers: Headers): boolean {
    const header = headers.get("authorization");
    if (header === null) return false;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer !== null) return this.#tokenValid(bearer[1]!);
    const basic = parseBasic(header);
    if (basic === null) return false;
    const slash = basic.user.indexOf("\\");
    if (slash < 0) return false;
    const { site, user, password } = this.credentials;
    return (
      sameText(basic.user.slice(0, slash), site) &&
      sameText(basic.user.slice(slash + 1), user) &&
      basic.password === password
    );
  }

  /** Whether the Basic header carries the OAuth client id and secret. */
  authenticateClient(headers: Headers): boolean {
    const basic = parseBasic(headers.get("authorization"));
    return (
      basic !== null &&
      basic.user === this.credentials.clientId &&
      basic.password === this.credentials.clientSecret
    );
  }

  /** Trades a refresh token for new tokens; the refresh token stops working. Null if it is not valid. */
  redeemRefreshToken(refreshToken: string): TokenGrant | null {
    if (!this.#refreshTokens.delete(refreshToken)) return null;
    return this.#grant();
  }

  /** Trades the authorization code (once) for tokens. Null if it is wrong or used. */
  redeemAuthorizationCode(code: string): TokenGrant | null {
    if (this.#codeUsed || code !== this.credentials.authorizationCode) return null;
    this.#codeUsed = true;
    return this.#grant();
  }

  /**
   * The resource owner password grant Oracle documents: `username` is `Site\User`. Null when the site,
   * user or password is wrong.
   */
  redeemPassword(username: string, password: string): TokenGrant | null {
    const { site, user } = this.credentials;
    const slash = username.indexOf("\\");
    if (slash < 0 || password !== this.credentials.password) return null;
    if (!sameText(username.slice(0, slash), site) || !sameText(username.slice(slash + 1), user)) return null;
    return this.#grant();
  }

  /** Refresh tokens that work now (after rotation, the newest one). */
  refreshTokens(): readonly string[] {
    return [...this.#refreshTokens];
  }

  /** Every access token, the static one included, stops working; refresh tokens still work. */
  expireAccessTokens(): void {
    this.#staticTokenExpired = true;
    for (const token of this.#accessTokens.keys()) this.#accessTokens.set(token, Number.NEGATIVE_INFINITY);
  }

  /** Every refresh token stops working, so the next refresh fails with 401. */
  revokeRefreshTokens(): void {
    this.#refreshTokens.clear();
  }

  reset(): void {
    this.#accessTokens.clear();
    this.#refreshTokens.clear();
    this.#refreshTokens.add(this.credentials.refreshToken);
    this.#staticTokenExpired = false;
    this.#codeUsed = false;
    this.#issued = 0;
  }

  /** The tokens issued and their state, for `saveState`; an expired token's time is null. */
  save(): AuthState {
    return {
      accessTokens: [...this.#accessTokens].map(([token, at]) => [token, Number.isFinite(at) ? at : null]),
      refreshTokens: [...this.#refreshTokens],
      staticTokenExpired: this.#staticTokenExpired,
      codeUsed: this.#codeUsed,
      issued: this.#issued,
    };
  }

  /** Replaces the tokens and their state with saved ones. */
  load(state: AuthState): void {
    this.#accessTokens.clear();
    for (const [token, at] of state.accessTokens)
      this.#accessTokens.set(token, at ?? Number.NEGATIVE_INFINITY);
    this.#refreshTokens.clear();
    for (const token of state.refreshTokens) this.#refreshTokens.add(token);
    this.#staticTokenExpired = state.staticTokenExpired;
    this.#codeUsed = state.codeUsed;
    this.#issued = state.issued;
  }

  #tokenValid(token: string): boolean {
    if (token === this.credentials.token) return !this.#staticTokenExpired;
    const expiresAt = this.#accessTokens.get(token);
    return expiresAt !== undefined && this.#clock() < expiresAt;
  }

  #grant(): TokenGrant {
    this.#issued++;
    const accessToken = `emulator-access-${this.#issued}`;
    let refreshToken = `emulator-refresh-${this.#issued + 1}`;
    if (refreshToken === this.credentials.refreshToken) refreshToken += "b";
    this.#accessTokens.set(accessToken, this.#clock() + this.#lifetimeSeconds * 1000);
    this.#refreshTokens.add(refreshToken);
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: this.#lifetimeSeconds,
      refresh_token: refreshToken,
    };
  }
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
