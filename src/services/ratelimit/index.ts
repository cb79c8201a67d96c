import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/log.js';
import { FallbackLimitStore, type LimitsStatus } from './fallback-limiter.js';
import { FairShare } from './fair-share.js';
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
export interface RateLimitSettings {
  redisUrl: string | undefined;
  defaults: FairUseDefaults;
  /** UPSTREAM_CONNECTIONS, UPSTREAM_SHARE and FAIR_SHARE_WAIT_MS (fair-share.ts). */
  connectionsPerProvider: number;
  upstreamShare: number;
  fairShareWaitMs: number;
}

export function createRateLimits(settings: RateLimitSettings, clock: Clock, log: Logger): RateLimits {
  const fairShare = new FairShare({ connectionsPerProvider: settings.connectionsPerProvider, share: settings.upstreamShare, maxWaitMs: settings.fairShareWaitMs });
  if (settings.redisUrl === undefined) {
    const limiter = new RateLimiter(new MemoryLimitStore(), settings.defaults, clock, fairShare);
    return { limiter, status: () => ({ store: 'local' }), close: async () => undefined };
  }
  const store = new FallbackLimitStore(new RedisLimitStore(settings.redisUrl), log);
  return { limiter: new RateLimiter(store, settings.defaults, clock, fairShare), status: () => store.status(), close: () => store.close() };
}
