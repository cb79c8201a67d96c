import type { Clock } from '../../lib/clock.js';

export interface FailureBudgetOptions {
  /** Failures a client may make within `windowMs` before it is locked out. */
  maxFailures: number;
  windowMs: number;
  /** The first lock; each further one doubles, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
  /** Clients remembered at once; past it the least recently failing one is forgotten. */
  maxClients: number;
}

export const DEFAULT_FAILURE_BUDGET: Readonly<FailureBudgetOptions> = Object.freeze({
  maxFailures: 10,
  windowMs: 10 * 60_000,
  lockMs: 60_000,
  maxLockMs: 60 * 60_000,
  maxClients: 10_000,
});

interface ClientState {
  windowStart: number;
  failures: number;
  lockedUntil: number;
  /** How many times this client was locked; doubles the next lock. */
  locks: number;
  lastFailure: number;
}

/**
 * Failed attempts per client (an address), for credentials that can be guessed: after `maxFailures` in
 * a window the client is locked out, each lock twice as long as the one before. While locked, every
 * attempt is refused, a right one too (else the lock would tell a guesser when it guessed right); a
 * success never shortens a lock. Memory is bounded by `maxClients`.
 */
export class FailureBudget {
  private readonly clients = new Map<string, ClientState>();
  private readonly options: Readonly<FailureBudgetOptions>;

  constructor(
    private readonly clock: Clock,
    options: Partial<FailureBudgetOptions> = {},
  ) {
    this.options = { ...DEFAULT_FAILURE_BUDGET, ...options };
  }

  /** How long (ms) this client must wait before it may try at all; 0 when it may now. */
  lockedFor(client: string): number {
    const state = this.clients.get(client);
    if (!state) return 0;
    const wait = state.lockedUntil - this.clock.now();
    if (wait <= 0) return 0;
    this.touch(client, state); // one hammering while locked stays remembered
    return wait;
  }

  /** Records a failed attempt; answers the lock (ms) it started, or 0. */
  fail(client: string): number {
    const now = this.clock.now();
    const state = this.current(client, now);
    if (state.lockedUntil > now) return state.lockedUntil - now;
    if (now - state.windowStart >= this.options.windowMs) {
      state.windowStart = now;
      state.failures = 0;
    }
    state.failures++;
    state.lastFailure = now;
    this.touch(client, state);
    if (state.failures < this.options.maxFailures) return 0;
    const lock = Math.min(this.options.lockMs * 2 ** state.locks, this.options.maxLockMs);
    state.locks++;
    state.lockedUntil = now + lock;
    state.failures = 0;
    state.windowStart = now + lock;
    return lock;
  }

  /** Clients remembered now (for tests and metrics). */
  get size(): number {
    return this.clients.size;
  }

  /** This client's state; a fresh one when it is unknown or has been quiet for longer than the longest lock. */
  private current(client: string, now: number): ClientState {
    const known = this.clients.get(client);
    if (known && (known.lockedUntil > now || now - Math.max(known.lastFailure, known.lockedUntil) < this.options.maxLockMs)) return known;
    return { windowStart: now, failures: 0, lockedUntil: 0, locks: 0, lastFailure: now };
  }

  /** Re-inserts the client as the most recent one, forgetting the least recent past `maxClients`. */
  private touch(client: string, state: ClientState): void {
    this.clients.delete(client);
    this.clients.set(client, state);
    while (this.clients.size > this.options.maxClients) {
      const oldest = this.clients.keys().next().value as string;
      this.clients.delete(oldest);
    }
  }
}
