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
  return scanBrackets(typeof json === 'string' ? Buffer.from(json, 'utf8') : json, limit) === DEEPER;
}

const DEEPER = -2;
const UNBALANCED = -1;

/**
 * One pass over the brackets outside strings: `DEEPER` as soon as they nest deeper than `limit`,
 * `UNBALANCED` when a string or a bracket does not close (or closes one too many), else the index of
 * the bracket closing the top-level value (-3 when there is none: a bare scalar).
 */
function scanBrackets(bytes: Buffer, limit: number): number {
  let depth = 0;
  let last = -3;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return UNBALANCED;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return DEEPER;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      if (--depth < 0) return UNBALANCED;
      if (depth === 0) last = i;
    }
  }
  return depth === 0 ? last : UNBALANCED;
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

/**
 * True when these JSON bytes are one value whose arrays and objects all close (strings skipped): a body
 * cut short fails it. Not a full validation (the upstream produced it), only a cheap test of being whole.
 */
export function jsonCloses(bytes: Buffer): boolean {
  const last = scanBrackets(bytes, Number.MAX_SAFE_INTEGER);
  if (last === UNBALANCED) return false;
  for (let i = bytes.length - 1; i > last; i--) {
    const byte = bytes[i];
    // only whitespace may follow the top-level value's close (a bare string or number answer has none)
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return last < 0;
  }
  return true;
}
