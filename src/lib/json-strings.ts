/**
 * A byte-level walk over a JSON body that never parses it whole: every string (keys and values) and
 * every number is handed to a visitor as byte offsets, with the member key it sits under, so a caller
 * can count text, spot media and read a few numbers without materialising the document.
 *
 * Cost: linear in the body. String ends and escapes are found with native `Buffer#indexOf` (a long
 * prompt or a 20 MB base64 image is skipped at memchr speed), the decoded UTF-8 length of a string is
 * computed from its escapes alone, and one cursor object is reused for every token, so nothing is
 * allocated per character or per string. Malformed input never throws: the walk reports what it saw
 * and `complete: false`.
 *
 * Blobs: a string value of at least `BLOB_MIN_BYTES` that is a `data:` URL or looks like base64
 * (only `[A-Za-z0-9+/=_-]`, plus `\` for escaped `\/` and line breaks, checked on samples) is flagged
 * `blob`; callers count such values by allowance (`blobInfo()` sniffs the media kind from the
 * MIME type or the payload's magic bytes) and never read their text.
 */
import { BLOB_MIN_BYTES, describeBlob, looksLikeBlob, startsWithAscii, type BlobInfo } from './json-blobs.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const OBJECT = 1;
const ARRAY = 2;
/** Per depth on the walk's stack: container kind, the key it sits under, its current member key. */
const FRAME = 5;
const KIND = 0;
const CTX_START = 1;
const CTX_END = 2;
const MEMBER_START = 3;
const MEMBER_END = 4;

/** Characters allowed after `\` (besides `u`, handled on its own). */
const VALID_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') VALID_ESCAPE[c.charCodeAt(0)] = 1;

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

export type JsonTokenKind = 'key' | 'string' | 'number';
export { BLOB_MIN_BYTES, describeBlob, type BlobInfo, type BlobKind } from './json-blobs.js';


/** The token being visited. One instance is reused for the whole walk: read it inside the visitor, copy what you keep. */
export class JsonCursor {
  kind: JsonTokenKind = 'string';
  /** Raw byte range: a string's content between its quotes (escapes not decoded), or a number's text. */
  start = 0;
  end = 0;
  /** A string's UTF-8 byte length once its escapes are decoded (for numbers: the raw length). */
  utf8Length = 0;
  /** The string's raw bytes hold backslash escapes. */
  escaped = false;
  /** A string value to be counted by allowance (see the module comment), never by its text. */
  blob = false;
  /** Containers around the token: 1 for the members of the top-level object. */
  depth = 0;
  /** Raw range of the member key this token sits under (an array's elements share the array's key); -1 when none. */
  keyStart = -1;
  keyEnd = -1;
  /** The key one level further out; -1 when none. */
  parentKeyStart = -1;
  parentKeyEnd = -1;

  constructor(readonly buf: Buffer) {}

  /** The member key is exactly `name` (ASCII, compared on raw bytes). */
  keyIs(name: string): boolean {
    return rawEquals(this.buf, this.keyStart, this.keyEnd, name);
  }

  /** The key one level out is exactly `name`. */
  parentKeyIs(name: string): boolean {
    return rawEquals(this.buf, this.parentKeyStart, this.parentKeyEnd, name);
  }

  /** The token's own raw bytes are exactly `value` (ASCII). */
  is(value: string): boolean {
    return rawEquals(this.buf, this.start, this.end, value);
  }

  /** The token's raw bytes start with `prefix` (ASCII). */
  startsWith(prefix: string): boolean {
    return startsWithAscii(this.buf, this.start, this.end, prefix);
  }

  /** The string's decoded text (allocates: call it only for what you really read). */
  text(): string {
    if (this.kind === 'number' || !this.escaped) return this.buf.toString('utf8', this.start, this.end);
    try {
      return JSON.parse(this.buf.toString('utf8', this.start - 1, this.end + 1)) as string;
    } catch {
      return this.buf.toString('utf8', this.start, this.end); // a broken escape: the raw text is close enough to count
    }
  }

  /** A number token's value (NaN when it is not a valid JSON number). */
  numberValue(): number {
    if (this.kind !== 'number') return Number.NaN;
    const text = this.buf.toString('latin1', this.start, this.end);
    return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  }

  /** For a blob: its media kind (from the `data:` MIME type or the payload's magic bytes) and decoded size. */
  blobInfo(): BlobInfo {
    return describeBlob(this.buf, this.start, this.end);
  }
}

export interface JsonWalkResult {
  /** The body was one well-formed JSON value (structure checked, literals and numbers only delimited). */
  complete: boolean;
  strings: number;
  numbers: number;
  /** Objects and arrays opened. */
  containers: number;
}

// What the walk expects next.
const EXPECT_VALUE = 0; // a value (top level, after `:`, after `,` in an array, or first in an array)
const EXPECT_KEY = 1; // a key (after `,` in an object, or first in an object)
const EXPECT_COLON = 2;
const EXPECT_COMMA = 3; // `,` or the container's close
const EXPECT_END = 4; // the top-level value is done: only whitespace may follow

/**
 * Visits every key, string value and number of `buf` in document order. Never throws on bad input
 * (a visitor's own exception propagates); on bad input it keeps going as best it can and reports
 * `complete: false`.
 */
export function walkJson(buf: Buffer, visit: (token: JsonCursor) => void): JsonWalkResult {
  const cur = new JsonCursor(buf);
  const len = buf.length;
  let stack = new Int32Array(32 * FRAME);
  let depth = 0;
  let expect = EXPECT_VALUE;
  let fresh = false; // the current container was just opened (so it may close at once)
  let malformed = false;
  let strings = 0;
  let numbers = 0;
  let containers = 0;
  let nextBackslash = -1; // position of the next `\` at or after the scan point, `len` when none is left
  let pos = 0;

  const setKeyInfo = (): void => {
    if (depth === 0) {
      cur.keyStart = cur.keyEnd = cur.parentKeyStart = cur.parentKeyEnd = -1;
      return;
    }
    const f = depth * FRAME;
    if (stack[f + KIND] === OBJECT && cur.kind !== 'key') {
      cur.keyStart = stack[f + MEMBER_START]!;
      cur.keyEnd = stack[f + MEMBER_END]!;
      cur.parentKeyStart = stack[f + CTX_START]!;
      cur.parentKeyEnd = stack[f + CTX_END]!;
    } else {
      // array elements, and keys themselves: the container's own key, then the one above it
      cur.keyStart = stack[f + CTX_START]!;
      cur.keyEnd = stack[f + CTX_END]!;
      cur.parentKeyStart = depth > 1 ? stack[f - FRAME + CTX_START]! : -1;
      cur.parentKeyEnd = depth > 1 ? stack[f - FRAME + CTX_END]! : -1;
    }
  };
  /** A value (string, number, literal, or a container once closed) is complete. */
  const valueDone = (): void => {
    expect = depth === 0 ? EXPECT_END : EXPECT_COMMA;
    fresh = false;
  };

  while (pos < len) {
    const c = buf[pos]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      pos++;
      continue;
    }
    if (c === QUOTE) {
      // ---- a string: find its closing quote and account for its escapes
      const start = pos + 1;
      let q = buf.indexOf(QUOTE, start);
      let escaped = false;
      let shrink = 0; // raw bytes minus decoded UTF-8 bytes
      if (q < 0) q = len;
      if (nextBackslash < start) nextBackslash = indexOrEnd(buf, BACKSLASH, start);
      while (nextBackslash < q) {
        escaped = true;
        const b = nextBackslash;
        let next: number;
        if (buf[b + 1] === 0x75 /* u */ && b + 6 <= q) {
          const unit = hex4(buf, b + 2);
          if (unit < 0) {
            malformed = true;
            shrink += 1;
            next = b + 2;
          } else if (unit >= 0xd800 && unit <= 0xdbff && buf[b + 6] === BACKSLASH && buf[b + 7] === 0x75 && b + 12 <= q) {
            const low = hex4(buf, b + 8);
            if (low >= 0xdc00 && low <= 0xdfff) {
              shrink += 12 - 4; // a surrogate pair: one 4-byte character
              next = b + 12;
            } else {
              shrink += 6 - 3; // a lone surrogate becomes U+FFFD
              next = b + 6;
            }
          } else {
            shrink += 6 - (unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3);
            next = b + 6;
          }
        } else {
          if (VALID_ESCAPE[buf[b + 1] ?? 0] === 0) malformed = true; // includes a `\u` cut short by the quote
          shrink += 1;
          next = b + 2;
        }
        if (next > q) {
          // the escaped character was the quote we took for the end: look further
          q = next >= len ? len : buf.indexOf(QUOTE, next);
          if (q < 0) q = len;
        }
        nextBackslash = next >= len ? len : indexOrEnd(buf, BACKSLASH, next);
      }
      const isKey = expect === EXPECT_KEY;
      if (!isKey && expect !== EXPECT_VALUE) malformed = true;
      cur.kind = isKey ? 'key' : 'string';
      cur.start = start;
      cur.end = q;
      cur.escaped = escaped;
      cur.utf8Length = Math.max(0, q - start - shrink);
      cur.depth = depth;
      cur.blob = !isKey && q - start >= BLOB_MIN_BYTES && looksLikeBlob(buf, start, q);
      setKeyInfo();
      strings++;
      visit(cur);
      if (isKey) {
        stack[depth * FRAME + MEMBER_START] = start;
        stack[depth * FRAME + MEMBER_END] = q;
        expect = EXPECT_COLON;
        fresh = false;
      } else {
        valueDone();
      }
      if (q >= len) {
        malformed = true;
        break;
      }
      pos = q + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (expect !== EXPECT_VALUE) malformed = true;
      depth++;
      if ((depth + 1) * FRAME > stack.length) {
        const bigger = new Int32Array(stack.length * 2);
        bigger.set(stack);
        stack = bigger;
      }
      const f = depth * FRAME;
      const up = f - FRAME; // the parent frame; depth 0 holds only -1s
      const inObject = depth > 1 && stack[up + KIND] === OBJECT;
      stack[f + KIND] = c === OPEN_BRACE ? OBJECT : ARRAY;
      stack[f + CTX_START] = depth === 1 ? -1 : stack[up + (inObject ? MEMBER_START : CTX_START)]!;
      stack[f + CTX_END] = depth === 1 ? -1 : stack[up + (inObject ? MEMBER_END : CTX_END)]!;
      stack[f + MEMBER_START] = -1;
      stack[f + MEMBER_END] = -1;
      expect = c === OPEN_BRACE ? EXPECT_KEY : EXPECT_VALUE;
      fresh = true;
      containers++;
      pos++;
      continue;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      const kind = c === CLOSE_BRACE ? OBJECT : ARRAY;
      if (depth === 0 || stack[depth * FRAME + KIND] !== kind || !(expect === EXPECT_COMMA || fresh)) malformed = true;
      if (depth > 0) depth--;
      valueDone();
      pos++;
      continue;
    }
    if (c === COMMA) {
      if (expect !== EXPECT_COMMA) malformed = true;
      expect = depth > 0 && stack[depth * FRAME + KIND] === OBJECT ? EXPECT_KEY : EXPECT_VALUE;
      fresh = false;
      pos++;
      continue;
    }
    if (c === COLON) {
      if (expect !== EXPECT_COLON) malformed = true;
      expect = EXPECT_VALUE;
      pos++;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (expect !== EXPECT_VALUE) malformed = true;
      let end = pos + 1;
      while (end < len) {
        const d = buf[end]!;
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) end++;
        else break;
      }
      cur.kind = 'number';
      cur.start = pos;
      cur.end = end;
      cur.utf8Length = end - pos;
      cur.escaped = false;
      cur.blob = false;
      cur.depth = depth;
      setKeyInfo();
      numbers++;
      visit(cur);
      valueDone();
      pos = end;
      continue;
    }
    if (c >= 0x61 && c <= 0x7a) {
      // true / false / null (spelling not checked)
      if (expect !== EXPECT_VALUE) malformed = true;
      while (pos < len && buf[pos]! >= 0x61 && buf[pos]! <= 0x7a) pos++;
      valueDone();
      continue;
    }
    malformed = true;
    pos++;
  }
  return { complete: !malformed && expect === EXPECT_END, strings, numbers, containers };
}

function rawEquals(buf: Buffer, start: number, end: number, value: string): boolean {
  if (start < 0 || end - start !== value.length) return false;
  for (let i = 0; i < value.length; i++) if (buf[start + i] !== value.charCodeAt(i)) return false;
  return true;
}

function hex4(buf: Buffer, at: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const h = HEX_VALUE[buf[at + i]!]!;
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

function indexOrEnd(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at < 0 ? buf.length : at;
}
