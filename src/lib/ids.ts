import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[v % 32] + out;
    v = Math.floor(v / 32);
  }
  return out;
}

/** Random per process, so ids minted by several gateway nodes never collide. */
const NODE_TAG = Array.from(randomBytes(8), (b) => ALPHABET[b & 31]).join('');
let sequence = Math.floor(Math.random() * 32 ** 5);

/**
 * Time-ordered, URL-safe id with a readable prefix, e.g. `usr_01m80hj5h2…`: 10 characters of
 * milliseconds, the process tag, then a counter. No syscall per id (this runs on every request).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  sequence = (sequence + 1) % 32 ** 6;
  return `${prefix}_${base32(now, 10)}${NODE_TAG}${base32(sequence, 6)}`;
}

/**
 * The smallest id `newId(prefix, at)` can mint at or after `at`: ids of rows created from `at` on sort at or
 * above it, so a time range can be read over the primary key's index.
 */
export function idFloor(prefix: string, at: number): string {
  return `${prefix}_${base32(Math.max(0, Math.floor(at)), 10)}`;
}
