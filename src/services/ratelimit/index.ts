import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/log.js';
import { FallbackLimitStore, type LimitsStatus } from './fallback-limiter.js';
import type { FairUseDefaults } from './limits.js';
import { MemoryLimitStore } from './memory-limiter.js';
import { RateLimiter } from './rate-limiter.js';
import { RedisLimitStore } from './redis-limiter.js';

export type { LimitsStatus } from './fallback-limiter.js';
export type { FairUseDefaults, FairUseLimits } from './limits.js';

export interface RateLimits {
  limiter: RateLimiter;
  status(): LimitsStatus;
  close(): Promise<void>;
}

/** The rate-limit step with its counts in Redis when `redisUrl` is set (shared by every node), else in memory. */
export function createRateLimits(settings: { redisUrl: string | undefined; defaults: FairUseDefaults }, clock: Clock, log: Logger): RateLimits {
  if (settings.redisUrl === undefined) {
    const limiter = new RateLimiter(new MemoryLimitStore(), settings.defaults, clock);
    return { limiter, status: () => ({ store: 'local' }), close: async () => undefined };
  }
  const store = new FallbackLimitStore(new RedisLimitStore(settings.redisUrl), log);
  return { limiter: new RateLimiter(store, settings.defaults, clock), status: () => store.status(), close: () => store.close() };
}
