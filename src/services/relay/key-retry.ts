import type { KeyPool } from '../../upstream/key-pool.js';

/** Answers another key may fix: rate limits, a rejected key, provider failures. */
export function retryable(status: number): boolean {
  return status === 429 || status === 401 || status >= 500;
}

const REST_AFTER_AUTH_FAILURE_MS = 5 * 60_000;
const REST_AFTER_RATE_LIMIT_MS = 30_000;
const MAX_REST_MS = 10 * 60_000;

/**
 * A key the provider refused (401) or throttled (429) is left out of rotation for a while; those and the
 * provider's 5xx answers are noted as the key's latest failure.
 */
export function restKey(pool: KeyPool, key: string, status: number, headers: Record<string, string | string[] | undefined>, now: number): void {
  if (status >= 500) pool.noteFailure(key, 'server_error', now);
  if (status === 401) {
    pool.rest(key, now + REST_AFTER_AUTH_FAILURE_MS);
    pool.noteFailure(key, 'unauthorized', now);
  }
  if (status !== 429) return;
  pool.noteFailure(key, 'rate_limited', now);
  const retryAfter = Number(headers['retry-after']);
  const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, MAX_REST_MS) : REST_AFTER_RATE_LIMIT_MS;
  pool.rest(key, now + ms);
}

/** A key its dialect's rule found refused in an error body (Gemini's 400 `API_KEY_INVALID`) rests as a 401 one does. */
export function restRejectedKey(pool: KeyPool, key: string, now: number): void {
  pool.rest(key, now + REST_AFTER_AUTH_FAILURE_MS);
  pool.noteFailure(key, 'unauthorized', now);
}
