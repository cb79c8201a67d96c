import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url (43 characters): session cookies and reset tokens. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `text` could be a secret of `newSecret`: anything else is refused without a database read. */
export function looksLikeSecret(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

/** What the database keeps of a secret. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
