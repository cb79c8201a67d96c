/**
 * Blobs inside JSON strings: base64 payloads and `data:` URLs (images, audio, video, PDFs) that are counted
 * by allowance, never tokenized. Used by the walker in `json-strings.ts`.
 */

const COMMA = 0x2c;
const BACKSLASH = 0x5c;

/** A string value at least this long (raw bytes) may be a blob. */
export const BLOB_MIN_BYTES = 1024;

/** Base64 / base64url alphabet, padding, and `\` (JSON escapes such as `\/` or `\n` inside MIME-style base64). */
const BASE64_LIKE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-\\') BASE64_LIKE[c.charCodeAt(0)] = 1;

/** Value of a base64 / base64url digit, 255 otherwise. */
const BASE64_VALUE = new Uint8Array(256).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  BASE64_VALUE[c.charCodeAt(0)] = i;
});
BASE64_VALUE[0x2d] = 62; // '-' (base64url)
BASE64_VALUE[0x5f] = 63; // '_' (base64url)

export type BlobKind = 'image' | 'audio' | 'video' | 'pdf' | 'unknown';

export interface BlobInfo {
  kind: BlobKind;
  /** Bytes of the payload once decoded (base64 → 3/4 of its characters). */
  bytes: number;
}

/** Kind and decoded size of the blob whose raw string content is `buf[start, end)`. */
export function describeBlob(buf: Buffer, start: number, end: number): BlobInfo {
  let payload = start;
  let base64 = true;
  let kind: BlobKind = 'unknown';
  if (startsWithAscii(buf, start, end, 'data:')) {
    const comma = buf.subarray(start, Math.min(end, start + 256)).indexOf(COMMA) + start;
    if (comma < start) return { kind: 'unknown', bytes: end - start };
    const header = buf.toString('latin1', start + 5, comma).toLowerCase();
    base64 = header.endsWith(';base64');
    if (header.startsWith('image/')) kind = 'image';
    else if (header.startsWith('audio/')) kind = 'audio';
    else if (header.startsWith('video/')) kind = 'video';
    else if (header.startsWith('application/pdf')) kind = 'pdf';
    payload = comma + 1;
  }
  const bytes = base64 ? Math.floor(((end - payload) * 3) / 4) : end - payload;
  if (kind === 'unknown' && base64) kind = sniffBase64(buf, payload, end);
  return { kind, bytes };
}

/** The media kind from the magic bytes at the start of a base64 payload. */
function sniffBase64(buf: Buffer, start: number, end: number): BlobKind {
  const head = new Uint8Array(12);
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end && n < head.length; i++) {
    const c = buf[i]!;
    if (c === BACKSLASH) continue; // `\/` as some encoders write `/`
    const v = BASE64_VALUE[c]!;
    if (v === 255) break;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      head[n++] = (acc >> bits) & 0xff;
    }
  }
  if (n < 4) return 'unknown';
  const at = (i: number, ascii: string): boolean => {
    for (let k = 0; k < ascii.length; k++) if (head[i + k] !== ascii.charCodeAt(k)) return false;
    return true;
  };
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image'; // JPEG
  if (head[0] === 0x89 && at(1, 'PNG')) return 'image';
  if (at(0, 'GIF8') || at(0, 'BM') || at(0, 'II*\u0000') || at(0, 'MM\u0000*')) return 'image';
  if (at(0, 'RIFF')) return at(8, 'WEBP') ? 'image' : at(8, 'WAVE') ? 'audio' : at(8, 'AVI ') ? 'video' : 'unknown';
  if (at(0, '%PDF')) return 'pdf';
  if (at(0, 'ID3') || at(0, 'OggS') || at(0, 'fLaC') || at(0, 'FORM') || at(0, '#!AMR')) return 'audio';
  if (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) return 'audio'; // MPEG audio / ADTS AAC frame sync
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'video'; // WebM / Matroska
  if (at(4, 'ftyp')) {
    if (at(8, 'heic') || at(8, 'heix') || at(8, 'mif1') || at(8, 'msf1') || at(8, 'avif')) return 'image';
    if (at(8, 'M4A ') || at(8, 'M4B ')) return 'audio';
    return 'video';
  }
  return 'unknown';
}

/** A long string value that is a `data:` URL or base64: checked on its ends and 16 spread samples, not every byte. */
export function looksLikeBlob(buf: Buffer, start: number, end: number): boolean {
  if (startsWithAscii(buf, start, end, 'data:')) return true;
  const length = end - start;
  if (!allBase64Like(buf, start, Math.min(end, start + 256)) || !allBase64Like(buf, Math.max(start, end - 256), end)) return false;
  const step = Math.floor(length / 17);
  for (let i = 1; i <= 16; i++) {
    const at = start + i * step;
    if (!allBase64Like(buf, at, Math.min(end, at + 64))) return false;
  }
  return true;
}

function allBase64Like(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (BASE64_LIKE[buf[i]!] === 0) return false;
  return true;
}

export function startsWithAscii(buf: Buffer, start: number, end: number, prefix: string): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix.charCodeAt(i)) return false;
  return true;
}
