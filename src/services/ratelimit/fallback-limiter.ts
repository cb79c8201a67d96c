import type { Logger } from '../../observability/log.js';
import type { Admission, Decision, LimitStore } from './limit-store.js';
import { MemoryLimitStore } from './memory-limiter.js';
import type { RedisLimitStore } from './redis-limiter.js';

export interface LimitsStatus {
  /** Where the counts are kept: `redis` (shared by every node), `local` (this node only). */
  store: 'redis' | 'local';
  /** Set while Redis is configured but unreachable: this node counts alone, and says so. */
  degraded?: { since: string; error: string };
}

/**
 * Redis' counts, or this node's own while Redis cannot be reached: a call is then limited as if this node
 * were the only one (never let through unlimited, never refused for Redis' sake), the fact is logged once,
 * shown on /ready and in `tollgate_ratelimit_degraded`. The next admission that Redis answers ends it.
 */
export class FallbackLimitStore implements LimitStore {
  private readonly local = new MemoryLimitStore();
  private readonly counted = new WeakSet<Admission>();
  private degradedSince: number | undefined;
  private lastError = '';

  constructor(
    private readonly redis: RedisLimitStore,
    private readonly log: Logger,
  ) {}

  async admit(admission: Admission): Promise<Decision> {
    try {
      const decision = await this.redis.admit(admission);
      if (this.degradedSince !== undefined) {
        this.log.warn('rate limits: Redis answers again; limits are shared by every node');
        this.degradedSince = undefined;
      }
      return decision;
    } catch (err) {
      this.noteFailure(err, admission.now);
      const decision = this.local.admit(admission);
      if (decision.allowed) this.counted.add(admission);
      return decision;
    }
  }

  async finish(admission: Admission, usedTokens: number | undefined, now: number): Promise<void> {
    if (this.counted.has(admission)) {
      this.counted.delete(admission);
      this.local.finish(admission, usedTokens, now);
      return;
    }
    await this.redis.finish(admission, usedTokens).catch((err: unknown) => this.noteFailure(err, now));
  }

  status(): LimitsStatus {
    if (this.degradedSince === undefined) return { store: 'redis' };
    return { store: 'local', degraded: { since: new Date(this.degradedSince).toISOString(), error: this.lastError } };
  }

  close(): Promise<void> {
    return this.redis.close();
  }

  private noteFailure(err: unknown, now: number): void {
    this.lastError = (err as Error).message ?? String(err);
    if (this.degradedSince !== undefined) return;
    this.degradedSince = now;
    this.log.error({ err }, 'rate limits: Redis is unreachable; this node counts its own calls until it answers again');
  }
}
