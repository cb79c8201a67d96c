import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/index.js';
import { LoginThrottledError } from '../sessions/login-throttle.js';

export interface RedeemThrottleOptions {
  /** Failed redemptions a user may make before being locked out for `firstLockMs` (doubling after each further failure). */
  freeFailures: number;
  firstLockMs: number;
  maxLockMs: number;
  /** A user without a failure for this long starts again from nothing. */
  forgetAfterMs: number;
}

export const DEFAULT_REDEEM_THROTTLE: Readonly<RedeemThrottleOptions> = Object.freeze({
  freeFailures: 10,
  firstLockMs: 60_000,
  maxLockMs: 60 * 60_000,
  forgetAfterMs: 60 * 60_000,
});

/** A 429 with `retry-after` (the session plugin sets the header for every LoginThrottledError). */
export class RedeemThrottledError extends LoginThrottledError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    this.message = `Too many failed promo code attempts. Try again in ${retryAfterSeconds} s.`;
  }
}

/**
 * Failed promo code redemptions per user, against guessing codes: counted in the sign-in throttle's table
 * (`login_failures`, scope `promo:<user id>`, pruned with it), so the limit holds across nodes. Past the
 * free failures the user is locked out, a right code too (else the lock would tell a guesser when it hit).
 */
export class RedeemThrottle {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: Readonly<RedeemThrottleOptions> = DEFAULT_REDEEM_THROTTLE,
  ) {}

  async check(userId: string): Promise<void> {
    const [row] = await this.store.loginFailures.find([scopeOf(userId)]);
    const wait = (row?.locked_until ?? 0) - this.clock.now();
    if (wait > 0) throw new RedeemThrottledError(Math.ceil(wait / 1000));
  }

  async fail(userId: string): Promise<void> {
    const now = this.clock.now();
    const { freeFailures, firstLockMs, maxLockMs, forgetAfterMs } = this.options;
    const row = await this.store.loginFailures.fail(scopeOf(userId), now, now - forgetAfterMs);
    if (row.failures < freeFailures) return;
    const doublings = Math.min(row.failures - freeFailures, 30);
    await this.store.loginFailures.lock(scopeOf(userId), now + Math.min(firstLockMs * 2 ** doublings, maxLockMs));
  }

  async succeed(userId: string): Promise<void> {
    await this.store.loginFailures.clear(scopeOf(userId));
  }
}

const scopeOf = (userId: string) => `promo:${userId}`;
