import { createHash } from 'node:crypto';
import type { UsageRecount } from '../../core/dialect.js';

export interface RecountTarget {
  baseUrl: string;
  /** The upstream auth headers for a path. */
  headers(path: string): Record<string, string>;
}

export interface UsageRecounterOptions {
  /** How long the counts of one call may take in all; past it the call is billed by its bound. */
  timeoutMs?: number;
  /** Counts kept, by the SHA-256 of the count request (the same text embedded again costs no call). */
  cacheEntries?: number;
  fetch?: typeof fetch;
}

/**
 * Runs a call's `UsageRecount` (Gemini's countTokens for embeddings) against its upstream: every count
 * must answer within the time bound, else the call has no count (undefined) and keeps its bound. Counts
 * are cached by request digest in a bounded LRU (a Map in insertion order).
 */
export class UsageRecounter {
  private readonly cache = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly cacheEntries: number;
  private readonly fetch: typeof fetch;

  constructor(options: UsageRecounterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.cacheEntries = options.cacheEntries ?? 10_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** The summed count, or undefined when any count failed, was refused or took too long. Never throws. */
  async count(target: RecountTarget, recount: UsageRecount): Promise<number | undefined> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const counts = await Promise.all(recount.requests.map((request) => this.one(target, recount, request, signal)));
      return counts.some((n) => n === undefined) ? undefined : counts.reduce<number>((sum, n) => sum + n!, 0);
    } catch {
      return undefined;
    }
  }

  private async one(target: RecountTarget, recount: UsageRecount, request: { path: string; body: Buffer }, signal: AbortSignal): Promise<number | undefined> {
    const digest = createHash('sha256').update(request.path).update('\n').update(request.body).digest('base64');
    const cached = this.cache.get(digest);
    if (cached !== undefined) {
      this.cache.delete(digest); // most recently used goes last
      this.cache.set(digest, cached);
      return cached;
    }
    const res = await this.fetch(target.baseUrl.replace(/\/+$/, '') + request.path, {
      method: 'POST',
      headers: { ...target.headers(request.path), 'content-type': 'application/json' },
      body: request.body.toString('utf8'),
      signal,
    });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    const tokens = recount.tokens(await res.json());
    if (tokens === undefined) return undefined;
    this.cache.set(digest, tokens);
    if (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
    return tokens;
  }
}
