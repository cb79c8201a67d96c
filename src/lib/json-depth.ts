/**
 * How deep JSON may nest on `/v1` (arrays and objects). JSON.parse itself is iterative, but the gateway
 * walks requests recursively (translators, schema conversion, JSON.stringify), a few stack frames per
 * level, and a ~1 MB stack overflows at some thousands of levels: 100,000 `[` would be a 500. Real
 * requests stay far below 128: OpenAI's structured outputs cap schemas at 10 levels of objects (≈ 20 JSON
 * levels with `properties`), and a chat body adds about 6 around it. 128 keeps a wide margin above that
 * while every recursive walk stays a few hundred frames deep.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * True when arrays and objects nest deeper than `limit` anywhere in these JSON bytes, strings excepted
 * (brackets inside them do not count). Byte-level and allocation-free: string contents, usually most of
 * a body, are skipped with `indexOf`. Meant to run before parsing; on invalid JSON the answer is a bound.
 */
export function jsonNestsDeeperThan(json: Buffer | string, limit: number): boolean {
  const bytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return false;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote closing the string opened at `open`, or -1 when it never closes. */
function closingQuote(bytes: Buffer, open: number): number {
  let at = open;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
