import type { Authenticator } from "./auth.ts";
import { EloquaHttpError } from "./errors.ts";
import type { HttpSettings } from "./http.ts";
import { send } from "./http.ts";

/** Where Eloqua tells each instance its base URL. */
export const DEFAULT_LOGIN_URL = "https://login.eloqua.com";

const NOT_AUTHENTICATED = "Not authenticated.";

/** The Bulk API 2.0 root under an instance's base URL. */
export function bulkRootFor(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/bulk/2.0`;
}

/**
 * Asks `GET {loginUrl}/id` for the instance's base URL (e.g.
 * `https://secure.p03.eloqua.com`), with the same credentials as the API
 * calls. Eloqua answers bad credentials with a 200 whose body is the JSON
 * string "Not authenticated.": that becomes an `EloquaAuthError`.
 */
export async function discoverBaseUrl(
  http: HttpSettings,
  auth: Authenticator,
  loginUrl: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  const url = `${loginUrl}/id`;
  // Eloqua answers refused credentials with 200 "Not authenticated.": `send` treats it as a 401.
  const result = await send(http, {
    method: "GET",
    url,
    operation: "discovery",
    timeoutMs,
    signal,
    auth,
    isRefusal: (answer) => answer.json === NOT_AUTHENTICATED || answer.text.trim() === NOT_AUTHENTICATED,
  });
  const path = new URL(url).pathname;
  const urls = (result.json as { urls?: { base?: unknown } } | undefined)?.urls;
  const base = urls?.base;
  if (typeof base === "string") {
    try {
      const parsed = new URL(base);
      if (parsed.protocol === "https:" || parsed.protocol === "http:")
        return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, "");
    } catch {
      // Reported below.
    }
  }
  throw new EloquaHttpError({
    status: result.status,
    method: "GET",
    path,
    operation: "discovery",
    attempts: 1,
    code: "ELOQUA_UNEXPECTED_RESPONSE",
    hint: "the answer has no urls.base with an http(s) URL: check loginUrl points at Eloqua's login service, or pass baseUrl",
  });
}
