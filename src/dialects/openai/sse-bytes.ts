/** Byte-level helpers for OpenAI-style SSE: find events and usage objects without decoding whole streams. */
const LF = 0x0a;
const CR = 0x0d;
const USAGE_KEY = Buffer.from('"usage"');

/** Index just past the blank line that ends the event starting at `from` (before `limit`), or -1. */
export function eventEnd(data: Buffer, from: number, limit = data.length): number {
  for (let lf = data.indexOf(LF, from); lf >= 0 && lf < limit; lf = data.indexOf(LF, lf + 1)) {
    if (lf + 1 < limit && data[lf + 1] === LF) return lf + 2;
    if (lf + 2 < limit && data[lf + 1] === CR && data[lf + 2] === LF) return lf + 3;
  }
  return -1;
}

/** True when the bytes hold a non-null `"usage": {…}` (compact or spaced JSON). */
export function hasUsageObject(raw: Buffer): boolean {
  for (let at = raw.indexOf(USAGE_KEY); at >= 0; at = raw.indexOf(USAGE_KEY, at + USAGE_KEY.length)) {
    let i = skipSpace(raw, at + USAGE_KEY.length);
    if (raw[i] !== 0x3a) continue;
    i = skipSpace(raw, i + 1);
    if (raw[i] === 0x7b) return true;
  }
  return false;
}

function skipSpace(raw: Buffer, i: number): number {
  while (raw[i] === 0x20 || raw[i] === 0x09 || raw[i] === LF || raw[i] === CR) i++;
  return i;
}
