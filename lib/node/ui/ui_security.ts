import { randomBytes, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** A fresh token for the page's URL: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The page's headers on every response, refusals included: a Content-Security-Policy that allows only
 * the server's own files (no inline script, no other origin), no referrer (the token is in the URL),
 * no framing, no caching.
 */
export function pageHeaders(): MiddlewareHandler {
  const self = ["'self'"];
  const secure = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: self,
      scriptSrc: self,
      styleSrc: self,
      imgSrc: self,
      connectSrc: self,
      fontSrc: ["'none'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "no-referrer",
    // Plain http on loopback: a Strict-Transport-Security header would be meaningless here.
    strictTransportSecurity: false,
    xFrameOptions: "DENY",
    crossOriginResourcePolicy: "same-origin",
    crossOriginOpenerPolicy: "same-origin",
  });
  return async (c, next) => {
    await secure(c, async () => {
      await next();
      c.header("Cache-Control", "no-store");
    });
  };
}

/**
 * Refuses (403) every request without the token in its `token` query parameter, and every request
 * whose Host is not this server's address (a page of another site that rebinds its name to 127.0.0.1
 * would send its own Host): another local user or another page in the browser can neither drive the
 * import nor read its results.
 */
export function requireToken(token: string, port: () => number): MiddlewareHandler {
  const expected = Buffer.from(token);
  return async (c, next) => {
    const host = c.req.header("host") ?? "";
    const hosts = [`127.0.0.1:${port()}`, `localhost:${port()}`];
    const given = Buffer.from(c.req.query("token") ?? "");
    const tokenOk = given.length === expected.length && timingSafeEqual(given, expected);
    if (!hosts.includes(host) || !tokenOk) {
      return c.text(
        'Forbidden: open the page with the link that "eloqua-bulk ui" printed (it holds a token).\n',
        403,
      );
    }
    await next();
  };
}
