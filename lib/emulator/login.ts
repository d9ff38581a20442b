import type { AuthService } from "./auth.ts";
import { jsonResponse } from "./responses.ts";

/**
 * `GET /id`, as on login.eloqua.com: who the caller is and where its instance lives. Eloqua answers bad
 * credentials with 200 and the JSON string "Not authenticated.", so clients must look at the body.
 */
export function handleIdentity(request: Request, auth: AuthService): Response {
  if (!auth.authenticate(request.headers)) return jsonResponse(200, "Not authenticated.");
  const base = new URL(request.url).origin;
  const { site, user } = auth.credentials;
  return jsonResponse(200, {
    site: { id: 42, name: site },
    user: {
      id: 7,
      username: user,
      displayName: "Emulator User",
      firstName: "Emulator",
      lastName: "User",
      emailAddress: `${user}@example.com`,
    },
    urls: {
      base,
      apis: {
        rest: {
          standard: `${base}/API/REST/{version}/`,
          data: `${base}/API/Data/{version}/`,
          bulk: `${base}/API/Bulk/{version}/`,
        },
      },
    },
  });
}

/**
 * `POST /auth/oauth2/token`: the client id and secret as Basic auth, the grant as a form or JSON body.
 * Supports `refresh_token` (the refresh token rotates: a used one answers 401) and `authorization_code`.
 */
export function handleToken(request: Request, body: string, auth: AuthService): Response {
  const params = readParams(request.headers, body);
  if (!auth.authenticateClient(request.headers)) return oauthError(401, "invalid_client");
  if (params === null) return oauthError(400, "invalid_request");
  const grantType = params.get("grant_type");
  if (grantType === "refresh_token") {
    const grant = auth.redeemRefreshToken(params.get("refresh_token") ?? "");
    return grant === null ? oauthError(401, "invalid_grant") : jsonResponse(200, grant);
  }
  if (grantType === "authorization_code") {
    const grant = auth.redeemAuthorizationCode(params.get("code") ?? "");
    return grant === null ? oauthError(401, "invalid_grant") : jsonResponse(200, grant);
  }
  if (grantType === "password") {
    const grant = auth.redeemPassword(params.get("username") ?? "", params.get("password") ?? "");
    return grant === null ? oauthError(400, "invalid_grant") : jsonResponse(200, grant);
  }
  return oauthError(400, "unsupported_grant_type");
}

function readParams(headers: Headers, text: string): Map<string, string> | null {
  const type = headers.get("content-type") ?? "";
  if (/^application\/json/i.test(type)) {
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
      return new Map(Object.entries(body).map(([key, value]) => [key, String(value)]));
    } catch {
      return null;
    }
  }
  return new Map(new URLSearchParams(text));
}

function oauthError(status: number, error: string): Response {
  return jsonResponse(status, { error });
}
