import { GatewayError } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/index.js';

/** How many failures a scope may make before it is locked, and the first lock (each further failure doubles it). */
export interface ThrottleScope {
  freeFailures: number;
  firstLockMs: number;
}

export interface ThrottleOptions {
  /** Per account (email), whichever address guesses. */
  account: ThrottleScope;
  /** Per client address (an IPv4 address or an IPv6 /64), whichever account it guesses. */
  address: ThrottleScope;
  maxLockMs: number;
  /** A scope without a failure for this long starts again from nothing. */
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE: Readonly<ThrottleOptions> = Object.freeze({
  account: { freeFailures: 5, firstLockMs: 30_000 },
  address: { freeFailures: 20, firstLockMs: 60_000 },
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
});

/** A 429 that says when to come back (the route sends it as `retry-after`). */
export class LoginThrottledError extends GatewayError {
  constructor(readonly retryAfterSeconds: number) {
    super('TG_ERR_RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} s.`);
  }
}

/**
 * Failed password checks per account and per client address, kept in the database (login_failures) so
 * the limit holds across every node: past the free failures a scope is locked, each further failure
 * doubling the lock up to `maxLockMs`. While locked every attempt is refused, a right password too
 * (else the lock would tell a guesser when it guessed right). A success clears the account's count only:
 * an address guessing many accounts is not let off by signing in to its own.
 */
export class LoginThrottle {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: Readonly<ThrottleOptions> = DEFAULT_THROTTLE,
  ) {}

  /** Throws LoginThrottledError while the account or the address is locked. */
  async check(email: string, address: string): Promise<void> {
    const now = this.clock.now();
    const rows = await this.store.loginFailures.find([accountScope(email), addressScope(address)]);
    const wait = Math.max(0, ...rows.map((r) => r.locked_until - now));
    if (wait > 0) throw new LoginThrottledError(Math.ceil(wait / 1000));
  }

  /** Counts a failed check against both scopes, locking the ones past their free failures. */
  async fail(email: string, address: string): Promise<void> {
    await Promise.all([this.count(accountScope(email), this.options.account), this.count(addressScope(address), this.options.address)]);
  }

  async succeed(email: string): Promise<void> {
    await this.store.loginFailures.clear(accountScope(email));
  }

  /** Forgets scopes that have been quiet and unlocked for a while. */
  async prune(): Promise<void> {
    const now = this.clock.now();
    await this.store.loginFailures.prune(now - this.options.forgetAfterMs, now);
  }

  private async count(scopeKey: string, scope: ThrottleScope): Promise<void> {
    const now = this.clock.now();
    const row = await this.store.loginFailures.fail(scopeKey, now, now - this.options.forgetAfterMs);
    if (row.failures < scope.freeFailures) return;
    const doublings = Math.min(row.failures - scope.freeFailures, 30);
    await this.store.loginFailures.lock(scopeKey, now + Math.min(scope.firstLockMs * 2 ** doublings, this.options.maxLockMs));
  }
}

const accountScope = (email: string) => `acct:${email.trim().toLowerCase()}`;
const addressScope = (address: string) => `ip:${address}`;
