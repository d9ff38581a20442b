const encoder = new TextEncoder();

/**
 * Base64 of the UTF-8 bytes of `text`. `btoa` alone throws on characters
 * past U+00FF (a password with "é" is fine, one with "€" or "密" is not), so
 * the text is encoded to UTF-8 first.
 *
 * @example
 * ```ts
 * import { base64Utf8 } from "./base64.ts";
 * base64Utf8("COMPANYX\\user1:password123"); // "Q09NUEFOWVhcdXNlcjE6cGFzc3dvcmQxMjM="
 * ```
 */
export function base64Utf8(text: string): string {
  const bytes = encoder.encode(text);
  let binary = "";
  // Chunks keep String.fromCharCode's argument count far below engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
