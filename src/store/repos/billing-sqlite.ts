import type SQLite from 'better-sqlite3';
import type { BillingRepo, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './billing-repo.js';

interface KeyMoney {
  /** The owning account's balance, read in the same statement. */
  balance_micro: number;
  budget_limit_micro: number | null;
  budget_used_micro: number;
  monthly_limit_micro: number | null;
  monthly_used_micro: number;
  monthly_period: string | null;
}

interface Hold {
  userId: string;
  keyId: string;
  amount: number;
  expiresAt: number;
}

interface PendingCharge extends SettleArgs {
  charge: number;
}

const FLUSH_AFTER_MS = 20;
const FLUSH_AT = 256;
/** How long a key's limits and its account's balance are trusted from memory; a flush or a local change drops them sooner. */
const MONEY_TTL_MS = 1000;

interface CachedMoney {
  money: KeyMoney;
  userId: string;
  readAt: number;
}

/**
 * Admission and settlement on SQLite, where one gateway process owns the database file. The rules are
 * those of the PostgreSQL functions (migrations/pg-billing-functions.ts: keep the two in step); the
 * bookkeeping differs because a write transaction per request would cost more than the whole relay:
 *
 * - Holds live in this process's memory (they die with it, so a crash can leave no orphan). Admission
 *   reads the account's balance and the key's usage from the file (prepared statements, microseconds, so
 *   a credit made by the CLI counts within a second; one made through this process at once) and subtracts
 *   this process's holds and unwritten charges. The batch write caps each charge at the stored balance, so
 *   a debit made elsewhere in that second can never drive a balance below zero.
 * - Charges are computed at once (capped like PostgreSQL's) and written in batches: one transaction
 *   every 20 ms for everything settled since, each with its ledger row, balance and key usage. A crash can
 *   lose at most that window of charges (never an overspend); a graceful stop writes them all.
 */
export class SqliteBillingRepo implements BillingRepo {
  private readonly holds = new Map<string, Hold>();
  private readonly heldByUser = new Map<string, number>();
  private readonly heldByKey = new Map<string, number>();
  private pending: PendingCharge[] = [];
  private readonly pendingByUser = new Map<string, number>();
  private readonly pendingByKey = new Map<string, number>();
  private readonly pendingIds = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly moneyByKey = new Map<string, CachedMoney>();
  private readonly keysByUser = new Map<string, Set<string>>();

  private readonly keyMoney: SQLite.Statement<[string], KeyMoney>;
  private readonly charged: SQLite.Statement<[string], number>;
  private readonly writeBatch: (charges: readonly PendingCharge[]) => void;

  constructor(db: SQLite.Database) {
    this.keyMoney = db.prepare<[string], KeyMoney>(
      `select u.balance_micro, k.budget_limit_micro, k.budget_used_micro, k.monthly_limit_micro, k.monthly_used_micro, k.monthly_period
       from api_keys k join users u on u.id = k.user_id where k.id = ?`,
    );
    this.charged = db.prepare<[string], number>(`select 1 from ledger_entries where request_id = ? and kind = 'charge'`).pluck();
    // Never moves the month back (see tollgate_settle): a late charge of last month counts in the budget only.
    const chargeKey = db.prepare<{ charge: number; period: string; keyId: string }>(`update api_keys set budget_used_micro = budget_used_micro + @charge,
      monthly_used_micro = case when monthly_period > @period then monthly_used_micro
                                when monthly_period = @period then monthly_used_micro + @charge else @charge end,
      monthly_period = case when monthly_period > @period then monthly_period else @period end where id = @keyId`);
    const balanceOf = db.prepare<[string], number>('select balance_micro from users where id = ?').pluck();
    const chargeUser = db.prepare<[number, number, string]>('update users set balance_micro = balance_micro - ?, updated_at = ? where id = ?');
    const insertCharge = db.prepare(`insert or ignore into ledger_entries (id, user_id, kind, amount_micro, balance_after_micro,
      request_id, key_id, note, created_at, cost_usd, usd_rub_rate, usd_nano)
      values (@ledgerId, @userId, 'charge', @amount, @after, @requestId, @keyId, @note, @now, @costUsd, @usdRubRate, @usdNano)`);
    // One ledger row per charge; one balance update per account and one usage update per key and month.
    this.writeBatch = db.transaction((charges: readonly PendingCharge[]) => {
      const balances = new Map<string, number>();
      const byUser = new Map<string, { total: number; now: number }>();
      const byKey = new Map<string, { total: number; period: string; keyId: string }>();
      for (const c of charges) {
        let balance = balances.get(c.userId) ?? balanceOf.get(c.userId);
        if (balance === undefined) throw new Error(`charging ${c.requestId}: the account is missing`);
        const charge = Math.min(c.charge, Math.max(0, balance));
        const note = charge < c.costMicro ? `capped: cost ${c.costMicro} micro-RUB` : null;
        const inserted = insertCharge.run({ ...c, amount: -charge, after: balance - charge, note });
        balances.set(c.userId, balance);
        if (inserted.changes === 0) continue; // charged before (a retried batch): never twice
        balance -= charge;
        balances.set(c.userId, balance);
        const user = byUser.get(c.userId) ?? { total: 0, now: c.now };
        user.total += charge;
        user.now = Math.max(user.now, c.now);
        byUser.set(c.userId, user);
        const slot = `${c.keyId} ${c.period}`;
        const key = byKey.get(slot) ?? { total: 0, period: c.period, keyId: c.keyId };
        key.total += charge;
        byKey.set(slot, key);
      }
      for (const [userId, user] of byUser) chargeUser.run(user.total, user.now, userId);
      for (const key of byKey.values()) chargeKey.run({ charge: key.total, period: key.period, keyId: key.keyId });
    });
  }

  async reserve(a: ReserveArgs): Promise<ReserveOutcome> {
    if (this.holds.has(a.requestId)) throw new Error(`request ${a.requestId} already holds money`);
    const key = this.money(a.keyId, a.userId, a.now);
    if (!key || this.keyRoom(key, a.keyId, a.period) < a.amountMicro) return 'key_limit';
    if (this.userRoom(key.balance_micro, a.userId) < a.amountMicro) return 'balance';
    this.holds.set(a.requestId, { userId: a.userId, keyId: a.keyId, amount: a.amountMicro, expiresAt: a.expiresAt });
    add(this.heldByUser, a.userId, a.amountMicro);
    add(this.heldByKey, a.keyId, a.amountMicro);
    return 'ok';
  }

  async settle(a: SettleArgs): Promise<SettleOutcome> {
    const hold = this.takeHold(a.requestId);
    if (!hold && (this.pendingIds.has(a.requestId) || this.charged.get(a.requestId) !== undefined)) return 'duplicate';
    if (a.costMicro <= 0) return 0;
    const key = this.money(a.keyId, a.userId, a.now);
    if (!key) throw new Error(`settling ${a.requestId}: the key is missing`);
    const charge = Math.min(a.costMicro, this.keyRoom(key, a.keyId, a.period), this.userRoom(key.balance_micro, a.userId));
    this.pending.push({ ...a, charge });
    this.pendingIds.add(a.requestId);
    add(this.pendingByUser, a.userId, charge);
    add(this.pendingByKey, a.keyId, charge);
    if (this.pending.length >= FLUSH_AT) this.flushInBackground();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flushInBackground(), FLUSH_AFTER_MS);
      this.timer.unref(); // a graceful stop flushes explicitly
    }
    return charge;
  }

  async release(requestId: string): Promise<boolean> {
    return this.takeHold(requestId) !== undefined;
  }

  async staleHolds(filter: { expiredAt?: number; nodeId?: string; all?: boolean }, limit: number): Promise<string[]> {
    const stale: string[] = [];
    for (const [requestId, hold] of this.holds) {
      if (stale.length >= limit) break;
      if (filter.all || (filter.expiredAt !== undefined && hold.expiresAt < filter.expiredAt)) stale.push(requestId);
    }
    return stale;
  }

  async flush(): Promise<void> {
    this.flushNow();
  }

  forget(ids: { userId?: string; keyId?: string }): void {
    if (ids.keyId !== undefined) this.moneyByKey.delete(ids.keyId);
    if (ids.userId !== undefined) {
      for (const keyId of this.keysByUser.get(ids.userId) ?? []) this.moneyByKey.delete(keyId);
      this.keysByUser.delete(ids.userId);
    }
  }

  localHolds(userId: string, keyId: string): { userMicro: number; keyMicro: number } {
    return { userMicro: this.heldByUser.get(userId) ?? 0, keyMicro: this.heldByKey.get(keyId) ?? 0 };
  }

  /** Charges stay queued when a write fails (a locked file, a full disk) and are retried every second. */
  private flushInBackground(): void {
    try {
      this.flushNow();
    } catch {
      // reported by the next flush() (the service's idle/close), retried meanwhile
    }
  }

  /** Writes every computed charge in one transaction. */
  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    try {
      this.writeBatch(batch);
    } catch (err) {
      this.timer = setTimeout(() => this.flushInBackground(), 1000);
      this.timer.unref();
      throw err;
    }
    this.pending = [];
    for (const c of batch) {
      this.forget({ userId: c.userId, keyId: c.keyId });
      this.pendingIds.delete(c.requestId);
      add(this.pendingByUser, c.userId, -c.charge);
      add(this.pendingByKey, c.keyId, -c.charge);
    }
  }

  /** The key's limits and use with its account's balance, from memory when read less than a second ago. */
  private money(keyId: string, userId: string, now: number): KeyMoney | undefined {
    const cached = this.moneyByKey.get(keyId);
    if (cached && now - cached.readAt < MONEY_TTL_MS && now >= cached.readAt) return cached.money;
    const money = this.keyMoney.get(keyId);
    if (!money) return undefined;
    if (this.moneyByKey.size >= 100_000) {
      this.moneyByKey.clear();
      this.keysByUser.clear();
    }
    this.moneyByKey.set(keyId, { money, userId, readAt: now });
    let keys = this.keysByUser.get(userId);
    if (!keys) this.keysByUser.set(userId, (keys = new Set()));
    keys.add(keyId);
    return money;
  }

  private takeHold(requestId: string): Hold | undefined {
    const hold = this.holds.get(requestId);
    if (!hold) return undefined;
    this.holds.delete(requestId);
    add(this.heldByUser, hold.userId, -hold.amount);
    add(this.heldByKey, hold.keyId, -hold.amount);
    return hold;
  }

  /** What the key may still spend: each limit minus its use, the charges not yet written, and its holds. */
  private keyRoom(key: KeyMoney, keyId: string, period: string): number {
    const inFlight = (this.heldByKey.get(keyId) ?? 0) + (this.pendingByKey.get(keyId) ?? 0);
    let room = Number.MAX_SAFE_INTEGER;
    if (key.budget_limit_micro !== null) room = Math.min(room, key.budget_limit_micro - key.budget_used_micro - inFlight);
    if (key.monthly_limit_micro !== null) {
      const used = key.monthly_period === period ? key.monthly_used_micro : 0;
      room = Math.min(room, key.monthly_limit_micro - used - inFlight);
    }
    return Math.max(0, room);
  }

  private userRoom(balance: number, userId: string): number {
    return Math.max(0, balance - (this.heldByUser.get(userId) ?? 0) - (this.pendingByUser.get(userId) ?? 0));
  }
}

function add(totals: Map<string, number>, id: string, amount: number): void {
  const next = (totals.get(id) ?? 0) + amount;
  if (next === 0) totals.delete(id);
  else totals.set(id, next);
}
