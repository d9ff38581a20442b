/**
 * White space as `String.prototype.trim` removes it (WhiteSpace and
 * LineTerminator of ECMA-262), by UTF-16 code unit.
 */
export function isTrimmedSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** The string of `bytes[start, end)`, which are ASCII (one character per byte). */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let out = "";
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }
  return decoder.decode(bytes.subarray(start, end));
}

const NO_VIEW = new DataView(new ArrayBuffer(0));

/**
 * A DataView of exactly the bytes of `bytes`, for reading or writing four bytes a step. An empty array
 * (also one whose buffer was transferred away, as a batch's chunk can be once its spans are all strings)
 * gets an empty view.
 */
export function viewOf(bytes: Uint8Array): DataView {
  return bytes.byteLength === 0 ? NO_VIEW : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
