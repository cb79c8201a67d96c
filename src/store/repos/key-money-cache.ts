import type SQLite from 'better-sqlite3';

/** A key's limits and use, with its owning account's balance, as one statement reads them. */
export interface KeyMoney {
  balance_micro: number;
  budget_limit_micro: number | null;
  budget_used_micro: number;
  monthly_limit_micro: number | null;
  monthly_used_micro: number;
  monthly_period: string | null;
}

interface CachedMoney {
  money: KeyMoney;
  userId: string;
  readAt: number;
}

/** How long a key's limits and its account's balance are trusted from memory; a batch or a local change drops them sooner. */
const MONEY_TTL_MS = 1000;
const MAX_KEYS = 100_000;

/**
 * The SQLite billing store's memory of what keys and accounts have (one prepared read on the main
 * thread's connection when missing or older than a second), so admission reads the file about once a
 * second per key rather than on every call.
 */
export class KeyMoneyCache {
  private readonly byKey = new Map<string, CachedMoney>();
  private readonly keysByUser = new Map<string, Set<string>>();
  private readonly read: SQLite.Statement<[string], KeyMoney>;

  constructor(db: SQLite.Database) {
    this.read = db.prepare<[string], KeyMoney>(
      `select u.balance_micro, k.budget_limit_micro, k.budget_used_micro, k.monthly_limit_micro, k.monthly_used_micro, k.monthly_period
       from api_keys k join users u on u.id = k.user_id where k.id = ?`,
    );
  }

  /** From memory when read less than a second ago, or whatever its age when `keepOld` (a read now could not be trusted either). */
  get(keyId: string, userId: string, now: number, keepOld: boolean): KeyMoney | undefined {
    const cached = this.byKey.get(keyId);
    if (cached && (keepOld || (now - cached.readAt < MONEY_TTL_MS && now >= cached.readAt))) return cached.money;
    const money = this.read.get(keyId);
    if (!money) return undefined;
    if (this.byKey.size >= MAX_KEYS) {
      this.byKey.clear();
      this.keysByUser.clear();
    }
    this.byKey.set(keyId, { money, userId, readAt: now });
    let keys = this.keysByUser.get(userId);
    if (!keys) this.keysByUser.set(userId, (keys = new Set()));
    keys.add(keyId);
    return money;
  }

  /** Drops a key's entry, or every entry of an account's keys. */
  forget(ids: { userId?: string; keyId?: string }): void {
    if (ids.keyId !== undefined) this.byKey.delete(ids.keyId);
    if (ids.userId !== undefined) {
      for (const keyId of this.keysByUser.get(ids.userId) ?? []) this.byKey.delete(keyId);
      this.keysByUser.delete(ids.userId);
    }
  }
}
