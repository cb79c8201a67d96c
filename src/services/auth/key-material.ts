import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'tg-';
const DISPLAY_LENGTH = 12;

export interface NewKeyMaterial {
  /** Shown to the user once, never stored. */
  key: string;
  hash: string;
  /** What lists show so a user can tell keys apart. */
  displayPrefix: string;
}

export function generateApiKey(): NewKeyMaterial {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), displayPrefix: key.slice(0, DISPLAY_LENGTH) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
