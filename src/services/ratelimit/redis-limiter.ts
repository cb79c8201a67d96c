import { Redis } from 'ioredis';
import type { Admission, AllowanceState, Decision, LimitKind, LimitStore } from './limit-store.js';
import { ADMIT_SCRIPT, FINISH_SCRIPT } from './redis-scripts.js';

const KINDS: Record<number, LimitKind> = { 1: 'rpm', 2: 'tpm', 3: 'concurrency' };

type Reply = [number, number, number, number, number, number, number, number, number, number];

interface LimitsRedis extends Redis {
  tgAdmit(...args: Array<string | number>): Promise<Reply>;
  tgFinish(...args: Array<string | number>): Promise<number>;
}

/**
 * The limits of every node in one Redis (REDIS_URL): one EVALSHA per admission (ioredis' defineCommand
 * sends the script's digest and loads it on a NOSCRIPT), one per finished call. Commands fail fast
 * while Redis is away (no offline queue, a short timeout), so fallback-limiter.ts can count locally.
 */
export class RedisLimitStore implements LimitStore {
  private readonly redis: LimitsRedis;

  constructor(url: string, private readonly prefix = 'tg:rl:', commandTimeoutMs = 200) {
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: commandTimeoutMs, lazyConnect: false });
    redis.on('error', () => undefined); // reported by the calls that fail, through the fallback
    redis.defineCommand('tgAdmit', { lua: ADMIT_SCRIPT });
    redis.defineCommand('tgFinish', { lua: FINISH_SCRIPT });
    this.redis = redis as LimitsRedis;
  }

  async admit({ scopes, tokens }: Admission): Promise<Decision> {
    const keys = scopes.map((s) => `${this.prefix}${s.scope}:${s.id}`);
    const args = scopes.flatMap((s) => [s.limits.rpm ?? 0, s.limits.tpm ?? 0, s.limits.concurrency ?? 0]);
    const [allowed, index, kind, retryAfter, rl, rr, rs, tl, tr, ts] = await this.redis.tgAdmit(keys.length, ...keys, tokens, ...args);
    const requests = state(rl, rr, rs);
    const tokenState = state(tl, tr, ts);
    const headers = { ...(requests ? { requests } : {}), ...(tokenState ? { tokens: tokenState } : {}) };
    if (allowed === 1) return { allowed: true, ...headers };
    return { allowed: false, scope: scopes[index - 1]!.scope, kind: KINDS[kind]!, retryAfterMs: retryAfter < 0 ? Infinity : retryAfter, ...headers };
  }

  async finish({ scopes, tokens }: Admission, usedTokens: number | undefined): Promise<void> {
    const keys = scopes.map((s) => `${this.prefix}${s.scope}:${s.id}`);
    const delta = usedTokens === undefined ? 0 : usedTokens - tokens;
    await this.redis.tgFinish(keys.length, ...keys, delta, ...scopes.map((s) => s.limits.tpm ?? 0));
  }

  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function state(limit: number, remaining: number, resetMs: number): AllowanceState | undefined {
  return limit > 0 ? { limit, remaining, resetMs } : undefined;
}
