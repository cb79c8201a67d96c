/**
 * One spelling per path, so that what the gateway meters is what the upstream serves. Servers decode
 * percent-escapes, resolve `.` and `..` and often collapse `//` or ignore a trailing `/`; a gateway that
 * matched the raw text would meter one path and forward another. Canonical form (RFC 3986 §6.2.2):
 *
 * - every percent-escape is decoded and re-encoded only where the byte is not allowed in a path
 *   segment, with upper-case hex (`%63hat` → `chat`, `%2e` → `.`, `%3A` → `:`, a space → `%20`);
 * - empty segments are dropped (`//` and a trailing `/`), `.` segments removed, `..` removes the
 *   segment before it and may never climb above the root it is resolved under;
 * - refused: an escape that is not `%` + two hex digits, a segment that decodes to `/` or `\`
 *   (servers disagree on those), a raw `\`, and control bytes.
 */

/** Bytes left as they are in a segment: unreserved, sub-delims, `:` and `@` (RFC 3986 `pchar`). */
const LITERAL = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@") LITERAL[c.charCodeAt(0)] = 1;

const HEX = '0123456789ABCDEF';

export type CanonicalPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * The canonical form of `raw` (a path without its query, starting with `/` or empty), resolved under
 * a root nothing may climb out of: `canonicalPath('/./chat//completions/')` → `/chat/completions`.
 */
export function canonicalPath(raw: string): CanonicalPath {
  const out: string[] = [];
  for (const rawSegment of raw.split('/')) {
    if (rawSegment === '') continue;
    const segment = canonicalSegment(rawSegment);
    if (typeof segment !== 'string') return segment;
    if (segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return { ok: false, reason: 'The path climbs above its API version with "..".' };
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return { ok: true, path: out.length === 0 ? '' : '/' + out.join('/') };
}

/** True when `raw` is already canonical: the common case, checked without allocating. */
export function isCanonicalPath(raw: string): boolean {
  let segmentStart = 0;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      if (i > 0) {
        const length = i - segmentStart;
        if (length === 0) return false; // `//` or a trailing `/`
        if (raw.charCodeAt(segmentStart) === 0x2e && (length === 1 || (length === 2 && raw.charCodeAt(segmentStart + 1) === 0x2e))) return false;
      }
      segmentStart = i + 1;
      continue;
    }
    if (c >= 128 || LITERAL[c] !== 1) return false; // an escape (decoded and re-encoded), or a byte to encode
  }
  return raw.length === 0 || raw.charCodeAt(0) === 0x2f;
}

function canonicalSegment(raw: string): string | { ok: false; reason: string } {
  const bytes = decodeSegment(raw);
  if (!Array.isArray(bytes)) return bytes;
  let out = '';
  for (const byte of bytes) {
    if (byte < 0x20 || byte === 0x7f) return { ok: false, reason: 'The path holds a control character.' };
    if (byte === 0x2f || byte === 0x5c) return { ok: false, reason: 'The path holds an encoded "/" or a "\\".' };
    out += byte < 128 && LITERAL[byte] === 1 ? String.fromCharCode(byte) : '%' + HEX[byte >> 4]! + HEX[byte & 15]!;
  }
  return out;
}

/** The segment's bytes with its escapes decoded (characters above U+00FF as UTF-8). */
function decodeSegment(raw: string): number[] | { ok: false; reason: string } {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return { ok: false, reason: 'The path holds a "%" that is not a percent-escape.' };
      bytes.push((hi << 4) | lo);
      i += 2;
    } else if (c < 256) {
      bytes.push(c);
    } else {
      const char = String.fromCodePoint(raw.codePointAt(i)!);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length - 1;
    }
  }
  return bytes;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
