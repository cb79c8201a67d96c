import type SQLite from 'better-sqlite3';
import { ChargeJournal, readJournal, type JournalAdmission } from '../charge-journal.js';
import type { RequestRowToWrite } from './billing-repo.js';
import type { BillingRepo, OrphanHold, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './billing-repo.js';
import { prepareBatchWriter, type BatchResult, type PendingCharge, type WriteBatch } from './billing-sqlite-writes.js';

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
  /** The admission as journaled, rewritten when the journal is compacted while the call is in flight. */
  admission?: JournalAdmission;
}

const FLUSH_AFTER_MS = 20;
const FLUSH_AT = 256;
/** A batch the store refused (a full disk, a read-only file) is tried again this often. */
const RETRY_AFTER_MS = 1000;
/** The journal is compacted (to the calls in flight) after a batch once it is this large. */
const COMPACT_JOURNAL_AT = 4 * 1024 * 1024;
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
 * bookkeeping differs because a write transaction per request would cost more than the whole relay
 * (~50 µs a commit here):
 *
 * - Holds live in this process's memory (they die with it, so a crash leaves no orphan hold). Admission
 *   reads the account's balance and the key's usage from the file (prepared statements, microseconds, so
 *   a credit made by the CLI counts within a second; one made through this process at once) and
 *   subtracts this process's holds and unwritten charges.
 * - Every admission and every settlement is first appended to the charge journal (charge-journal.ts),
 *   synchronously: before the call is forwarded, and before its answer ends. That line survives the
 *   process dying; the next start replays what the batches had not written, and settles the admissions
 *   without a settlement as interrupted calls.
 * - Charges (ledger row, history row, balance, key usage) are written to SQLite in batches: one
 *   transaction every 20 ms for everything settled since. A batch the store refuses is kept and retried
 *   every second; meanwhile `failing()` is true and new admissions are refused (the charges stay counted
 *   against the money in memory, and are logged whole if the process stops before they are written).
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
  private writesFailing = false;
  private readonly moneyByKey = new Map<string, CachedMoney>();
  private readonly keysByUser = new Map<string, Set<string>>();
  private readonly journal: ChargeJournal | undefined;

  private readonly keyMoney: SQLite.Statement<[string], KeyMoney>;
  private readonly charged: SQLite.Statement<[string], number>;
  private readonly writeBatch: (batch: WriteBatch) => BatchResult;

  /** `journalFile`: where the charge journal lives (beside the database); none for an in-memory database. */
  constructor(db: SQLite.Database, private readonly journalFile?: string) {
    this.keyMoney = db.prepare<[string], KeyMoney>(
      `select u.balance_micro, k.budget_limit_micro, k.budget_used_micro, k.monthly_limit_micro, k.monthly_used_micro, k.monthly_period
       from api_keys k join users u on u.id = k.user_id where k.id = ?`,
    );
    this.charged = db.prepare<[string], number>(`select 1 from ledger_entries where request_id = ? and kind = 'charge'`).pluck();
    this.writeBatch = prepareBatchWriter(db);
    this.journal = journalFile ? new ChargeJournal(journalFile) : undefined;
  }

  async reserve(a: ReserveArgs): Promise<ReserveOutcome> {
    if (this.holds.has(a.requestId)) throw new Error(`request ${a.requestId} already holds money`);
    if (this.writesFailing) throw new StoreWriteFailing();
    const key = this.money(a.keyId, a.userId, a.now);
    if (!key || this.keyRoom(key, a.keyId, a.period) < a.amountMicro) return 'key_limit';
    if (this.userRoom(key.balance_micro, a.userId) < a.amountMicro) return 'balance';
    const admission = a.request ? { requestId: a.requestId, userId: a.userId, keyId: a.keyId, amountMicro: a.amountMicro, row: a.request } : undefined;
    this.holds.set(a.requestId, { userId: a.userId, keyId: a.keyId, amount: a.amountMicro, expiresAt: a.expiresAt, ...(admission ? { admission } : {}) });
    add(this.heldByUser, a.userId, a.amountMicro);
    add(this.heldByKey, a.keyId, a.amountMicro);
    if (admission && this.journal) {
      // Nothing is forwarded before the admission is journaled: a crash leaves it as an interrupted call.
      try {
        await this.journal.admitted(admission);
      } catch (err) {
        this.takeHold(a.requestId);
        this.failed();
        throw err;
      }
    }
    return 'ok';
  }

  async settle(a: SettleArgs): Promise<SettleOutcome> {
    const hold = this.takeHold(a.requestId);
    if (!hold && (this.pendingIds.has(a.requestId) || this.charged.get(a.requestId) !== undefined)) return 'duplicate';
    if (a.costMicro <= 0 && !a.request) return 0;
    let charge = 0;
    if (a.costMicro > 0) {
      const key = this.money(a.keyId, a.userId, a.now);
      if (!key) throw new Error(`settling ${a.requestId}: the key is missing`);
      charge = Math.min(a.costMicro, this.keyRoom(key, a.keyId, a.period), this.userRoom(key.balance_micro, a.userId));
    }
    // Built field by field: an object spread of this size costs V8 microseconds per call.
    const pending: PendingCharge = {
      requestId: a.requestId,
      userId: a.userId,
      keyId: a.keyId,
      costMicro: a.costMicro,
      costUsd: a.costUsd,
      usdNano: a.usdNano,
      usdRubRate: a.usdRubRate,
      period: a.period,
      ledgerId: a.ledgerId,
      now: a.now,
      charge,
      ...(a.request ? { request: a.request } : {}),
      ...(a.note ? { note: a.note } : {}),
    };
    this.pending.push(pending);
    this.pendingIds.add(a.requestId);
    add(this.pendingByUser, a.userId, charge);
    add(this.pendingByKey, a.keyId, charge);
    const journaled = this.journal?.settled(pending);
    if (this.pending.length >= FLUSH_AT) this.flushInBackground();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flushInBackground(), FLUSH_AFTER_MS);
      this.timer.unref(); // a graceful stop flushes explicitly
    }
    if (!journaled) return charge;
    try {
      // Journaled before the answer ends: a delivered answer's charge survives the process dying.
      await journaled;
      return charge;
    } catch {
      this.failed(); // kept in memory, counted against the money, written by the next batch that succeeds
      return 'queued';
    }
  }

  /**
   * At start-up: writes the journal's settlements the last batches did not (the ledger's unique request id
   * makes a written one a no-op) and returns the admissions no settlement followed: the interrupted calls.
   */
  async interruptedOnStart(): Promise<RequestRowToWrite[]> {
    if (!this.journalFile) return [];
    const { settlements, unsettled } = readJournal(this.journalFile);
    if (settlements.length > 0) {
      this.writeBatch({ charges: settlements });
    }
    return unsettled.map((admission) => admission.row);
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

  async heartbeat(): Promise<void> {}

  async orphanHolds(): Promise<OrphanHold[]> {
    return [];
  }

  unwritten(): Array<{ requestId: string; userId: string; keyId: string; costMicro: number; charge: number }> {
    return this.pending.map(({ requestId, userId, keyId, costMicro, charge }) => ({ requestId, userId, keyId, costMicro, charge }));
  }

  failing(): boolean {
    return this.writesFailing;
  }

  async checkWritable(now: number): Promise<void> {
    this.writeBatch({ charges: [], probe: now });
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

  close(): void {
    this.journal?.close();
  }

  private flushInBackground(): void {
    try {
      this.flushNow();
    } catch {
      // retried every second; readiness and admission report it meanwhile
    }
  }

  /**
   * Writes every computed charge in one transaction, then compacts the journal if it grew large (every
   * settlement in it is now in SQLite). When the store refuses the batch, the charges stay queued and the
   * batch is retried every second; after a failure a batch writes even with nothing queued, since only a
   * successful write ends the failure.
   */
  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 && !this.writesFailing) return;
    const batch = this.pending;
    try {
      if (this.writesFailing) this.journal?.probe();
      this.writeBatch({ charges: batch, ...(this.writesFailing ? { probe: Date.now() } : {}) });
    } catch (err) {
      this.failed();
      throw err;
    }
    this.writesFailing = false;
    this.pending = [];
    for (const c of batch) {
      this.forget({ userId: c.userId, keyId: c.keyId });
      this.pendingIds.delete(c.requestId);
      add(this.pendingByUser, c.userId, -c.charge);
      add(this.pendingByKey, c.keyId, -c.charge);
    }
    if (this.journal && this.journal.size() > COMPACT_JOURNAL_AT) this.compactJournal();
  }

  /** A write was refused: admissions stop, and a batch (or a probe) is tried again every second. */
  private failed(): void {
    this.writesFailing = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushInBackground(), RETRY_AFTER_MS);
    this.timer.unref();
  }

  private compactJournal(): void {
    const inFlight = [...this.holds.values()].flatMap((hold) => (hold.admission ? [hold.admission] : []));
    try {
      this.journal!.compact(inFlight);
    } catch {
      this.failed(); // the journal is unchanged; compaction is tried again after the next batch
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

/** The store refused the last write (a full disk, a read-only file): nothing new is admitted until one succeeds. */
export class StoreWriteFailing extends Error {
  readonly code = 'TG_STORE_WRITE_FAILING';
  constructor() {
    super('the database refused the last write');
  }
}

function add(totals: Map<string, number>, id: string, amount: number): void {
  const next = (totals.get(id) ?? 0) + amount;
  if (next === 0) totals.delete(id);
  else totals.set(id, next);
}
