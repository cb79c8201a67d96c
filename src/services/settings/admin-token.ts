import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/index.js';

const SETTING = 'admin_token_sha256';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Checks admin bearer tokens in constant time; only the token's hash is ever stored. */
export class AdminTokenVerifier {
  constructor(private readonly expectedHash: Buffer) {}

  verify(presented: string | undefined): boolean {
    if (!presented) return false;
    return timingSafeEqual(sha256(presented), this.expectedHash);
  }
}

/**
 * The configured ADMIN_TOKEN wins. Without one, the first start generates a token, stores its hash and
 * returns the token so it can be printed once; later starts reuse the stored hash.
 */
export async function resolveAdminToken(
  store: Store,
  clock: Clock,
  configured: string | undefined,
): Promise<{ verifier: AdminTokenVerifier; generated?: string }> {
  if (configured) return { verifier: new AdminTokenVerifier(sha256(configured)) };
  const stored = await store.settings.get(SETTING);
  if (stored) return { verifier: new AdminTokenVerifier(Buffer.from(stored, 'hex')) };
  const token = 'tga-' + randomBytes(24).toString('base64url');
  const wrote = await store.settings.setIfAbsent(SETTING, sha256(token).toString('hex'), clock.now());
  if (!wrote) return resolveAdminToken(store, clock, configured); // another node won the race
  return { verifier: new AdminTokenVerifier(sha256(token)), generated: token };
}
