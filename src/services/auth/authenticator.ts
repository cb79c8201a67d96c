import { GatewayError, unauthorized } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { KeyWithOwner, Store } from '../../store/index.js';
import { hashApiKey } from './key-material.js';
import type { FairUseLimits } from '../ratelimit/limits.js';

/** Who is calling, as every later pipeline step needs it. */
export interface Principal {
  keyId: string;
  /** The key's public prefix (`tg-AbCd…`), what logs name it by; never the secret. */
  keyPrefix: string;
  userId: string;
  allowBalance: boolean;
  budgetLimitMicro: number | null;
  monthlyLimitMicro: number | null;
  models: readonly string[] | null;
  expiresAt: number | null;
  /** The key's own fair-use limits, and its account's (for all its keys together); null fields: the defaults. */
  keyLimits: FairUseLimits;
  accountLimits: FairUseLimits;
}

interface CacheEntry {
  row: KeyWithOwner | undefined;
  principal: Principal | undefined;
  fetchedAt: number;
  refreshing?: Promise<void>;
}

const MAX_ENTRIES = 100_000;

/**
 * Key → principal, from memory. An entry is trusted for `ttlMs` (≤ 1 s, so a key revoked on another node
 * stops working within a second); past half of that it is refreshed in the background; a change made on
 * this node drops the entry at once.
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly hashByKeyId = new Map<string, string>();
  /** Bumped by every invalidation, so a read that started before it can never write back a stale row. */
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async authenticate(rawKey: string | undefined): Promise<Principal> {
    if (!rawKey) throw unauthorized('Missing API key. Send it as "Authorization: Bearer <key>".');
    const hash = hashApiKey(rawKey);
    const now = this.clock.now();
    let entry = this.cache.get(hash);
    if (!entry || now - entry.fetchedAt >= this.ttlMs) {
      entry = await this.load(hash);
    } else if (now - entry.fetchedAt >= this.ttlMs / 2 && !entry.refreshing) {
      const stale = entry;
      stale.refreshing = this.load(hash).then(
        () => undefined,
        () => { stale.refreshing = undefined; },
      );
    }
    return this.check(entry, now);
  }

  /** Forget a key so its next use reads the store. */
  invalidate(keyId: string): void {
    this.generation++;
    const hash = this.hashByKeyId.get(keyId);
    if (hash !== undefined) {
      this.cache.delete(hash);
      this.hashByKeyId.delete(keyId);
    }
  }

  /** Forget every key of a user (blocked or unblocked), so each one's next use reads the store. */
  invalidateUser(userId: string): void {
    this.generation++;
    for (const [hash, entry] of this.cache) {
      if (entry.row?.user_id !== userId) continue;
      this.cache.delete(hash);
      this.hashByKeyId.delete(entry.row.id);
    }
  }

  private async load(hash: string): Promise<CacheEntry> {
    const generation = this.generation;
    const row = await this.store.keys.findByHash(hash);
    const entry: CacheEntry = { row, principal: row && toPrincipal(row), fetchedAt: this.clock.now() };
    if (generation !== this.generation) return entry; // answer this caller, but cache nothing stale
    if (this.cache.size >= MAX_ENTRIES) {
      this.cache.clear();
      this.hashByKeyId.clear();
    }
    this.cache.set(hash, entry);
    if (row) this.hashByKeyId.set(row.id, hash);
    return entry;
  }

  private check({ row, principal }: CacheEntry, now: number): Principal {
    if (!row || !principal) throw unauthorized('Invalid API key.');
    // Paused is the owner's choice and can be undone: 403 (PermissionDenied in the OpenAI SDKs, not retried)
    // keeps clients from treating the key as invalid and asking for a new one, as many do on a 401.
    if (row.status === 'paused') throw new GatewayError('TG_ERR_FORBIDDEN', 'This API key is paused. Resume it in the dashboard to use it again.');
    if (row.status !== 'active') throw unauthorized('This API key has been revoked.');
    if (row.expires_at !== null && row.expires_at <= now) throw unauthorized('This API key has expired.');
    if (row.user_status !== 'active') throw new GatewayError('TG_ERR_FORBIDDEN', 'This account is disabled.');
    return principal;
  }
}

function toPrincipal(row: KeyWithOwner): Principal {
  return {
      keyId: row.id,
      keyPrefix: row.prefix,
      userId: row.user_id,
      allowBalance: row.allow_balance === 1,
      budgetLimitMicro: row.budget_limit_micro,
      monthlyLimitMicro: row.monthly_limit_micro,
      models: row.models === null ? null : (JSON.parse(row.models) as string[]),
      expiresAt: row.expires_at,
      keyLimits: { rpm: row.rpm_limit, tpm: row.tpm_limit, concurrency: row.concurrency_limit },
      accountLimits: { rpm: row.user_rpm_limit, tpm: row.user_tpm_limit, concurrency: row.user_concurrency_limit },
  };
}
