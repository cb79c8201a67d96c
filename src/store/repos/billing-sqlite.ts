import type SQLite from 'better-sqlite3';
import { ChargeJournal, readJournal, type JournalAdmission } from '../charge-journal.js';
import { settlementLine } from '../settlement-line.js';
import type { SqliteWriter } from '../sqlite-writer.js';
import type { RequestRowToWrite } from './billing-repo.js';
import type { BillingRepo, OrphanHold, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './billing-repo.js';
import type { PendingCharge } from './billing-sqlite-writes.js';
import { KeyMoneyCache, type KeyMoney } from './key-money-cache.js';

interface Hold {
  userId: string;
  keyId: string;
  amount: number;
  expiresAt: number;
  /** The admission as journaled, rewritten when the journal is compacted while the call is in flight. */
  admission?: JournalAdmission;
}

/** A charge computed and not yet confirmed written, with its settlement line (what the journal and the writer get). */
interface Unwritten {
  charge: PendingCharge;
  line: string;
}

const FLUSH_AFTER_MS = 20;
const FLUSH_AT = 256;
/** Settlements a start-up replay of the journal writes per transaction (the writer's transactions stay short). */
const REPLAY_BATCH = 500;
/** A batch the store refused (a full disk, a read-only file) is tried again this often. */
const RETRY_AFTER_MS = 1000;
/** The journal is compacted (to the calls in flight) after a batch once it is this large. */
const COMPACT_JOURNAL_AT = 4 * 1024 * 1024;

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
 * - Charges (ledger row, history row, balance, key usage) are written to SQLite in batches by the
 *   writer (sqlite-writer.ts: a worker thread with its own connection for a file), one batch at a time:
 *   one transaction every 20 ms for everything settled since. A charge counts against the money in
 *   memory until the writer confirms its batch committed. A balance read while the batch is under way
 *   may or may not show it, so then the cached money of its keys and accounts is kept (not re-read when
 *   it ages) and, once the commit is confirmed, dropped before the pending amounts are: a read from before
 *   the commit is never combined with the pending amounts gone (an overspend), nor a read from after it
 *   with them still counted (an undercharge).
 * - A batch the store refuses is kept and retried every second; meanwhile `failing()` is true and new
 *   admissions are refused (the charges stay counted against the money in memory, and are logged whole
 *   if the process stops before they are written).
 */
export class SqliteBillingRepo implements BillingRepo {
  private readonly holds = new Map<string, Hold>();
  private readonly heldByUser = new Map<string, number>();
  private readonly heldByKey = new Map<string, number>();
  /** Settled, not yet sent to the writer. */
  private queued: Unwritten[] = [];
  /** The batch under way: sent to the writer, its commit not yet confirmed. */
  private sending: Unwritten[] = [];
  private readonly sendingUsers = new Set<string>();
  private readonly sendingKeys = new Set<string>();
  private writing: Promise<void> | undefined;
  /** Of every charge queued or under way. */
  private readonly pendingByUser = new Map<string, number>();
  private readonly pendingByKey = new Map<string, number>();
  private readonly pendingIds = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writesFailing = false;
  /** Counts refusals: a batch under way ends a failure only if none happened meanwhile. */
  private failures = 0;
  private readonly moneyCache: KeyMoneyCache;
  private readonly journal: ChargeJournal | undefined;

  private readonly charged: SQLite.Statement<[string], number>;

  /**
   * `db`: the main thread's connection (reads); `writer`: where the batches are written; `journalFile`:
   * where the charge journal lives (beside the database), none for an in-memory database.
   */
  constructor(
    db: SQLite.Database,
    private readonly writer: SqliteWriter,
    private readonly journalFile?: string,
  ) {
    this.moneyCache = new KeyMoneyCache(db);
    this.charged = db.prepare<[string], number>(`select 1 from ledger_entries where request_id = ? and kind = 'charge'`).pluck();
    this.journal = journalFile ? new ChargeJournal(journalFile) : undefined;
  }

  async reserve(a: ReserveArgs): Promise<ReserveOutcome> {
    if (this.holds.has(a.requestId)) throw new Error(`request ${a.requestId} already holds money`);
    if (this.writesFailing) throw new StoreWriteFailing();
    const key = this.money(a.keyId, a.userId, a.now);
    if (!key) return 'key_limit';
    const short = this.keyShortOf(key, a.keyId, a.period, a.amountMicro);
    if (short) return short;
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
    const line = settlementLine(pending);
    this.queued.push({ charge: pending, line });
    this.pendingIds.add(a.requestId);
    add(this.pendingByUser, a.userId, charge);
    add(this.pendingByKey, a.keyId, charge);
    const journaled = this.journal?.settledLine(line);
    if (this.queued.length >= FLUSH_AT && !this.writing) this.flushInBackground();
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
    for (let i = 0; i < settlements.length; i += REPLAY_BATCH) {
      await this.writer.run({ kind: 'charges', settlements: settlements.slice(i, i + REPLAY_BATCH).map(settlementLine) });
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
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.queued.length === 0 && !this.writesFailing) return;
    await this.writeBatch();
  }

  async heartbeat(): Promise<void> {}

  async orphanHolds(): Promise<OrphanHold[]> {
    return [];
  }

  unwritten(): Array<{ requestId: string; userId: string; keyId: string; costMicro: number; charge: number }> {
    return [...this.sending, ...this.queued].map(({ charge: c }) => ({ requestId: c.requestId, userId: c.userId, keyId: c.keyId, costMicro: c.costMicro, charge: c.charge }));
  }

  failing(): boolean {
    return this.writesFailing;
  }

  async checkWritable(now: number): Promise<void> {
    await this.writer.run({ kind: 'charges', settlements: [], probe: now });
  }

  forget(ids: { userId?: string; keyId?: string }): void {
    this.moneyCache.forget(ids);
  }

  localHolds(userId: string, keyId: string): { userMicro: number; keyMicro: number } {
    return { userMicro: this.heldByUser.get(userId) ?? 0, keyMicro: this.heldByKey.get(keyId) ?? 0 };
  }

  close(): void {
    this.journal?.close();
  }

  private flushInBackground(): void {
    // A refusal is retried every second; readiness and admission report it meanwhile.
    this.flush().catch(() => undefined);
  }

  /**
   * Sends every queued charge to the writer as one batch (after a failure, with a probe of the journal and
   * of the file, even with nothing queued: only a successful write ends the failure). Once it is confirmed,
   * compacts the journal if it grew large; when the store refuses it, its charges go back to the queue.
   */
  private writeBatch(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queued;
    this.queued = [];
    this.sending = batch;
    for (const { charge: c } of batch) {
      this.sendingUsers.add(c.userId);
      this.sendingKeys.add(c.keyId);
    }
    const failuresBefore = this.failures;
    const probing = this.writesFailing;
    this.writing = this.send(batch, probing)
      .then(
        () => this.committed(batch, failuresBefore),
        (err: unknown) => {
          this.queued = batch.concat(this.queued);
          this.failed();
          throw err;
        },
      )
      .finally(() => {
        this.writing = undefined;
        this.sending = [];
        this.sendingUsers.clear();
        this.sendingKeys.clear();
        this.scheduleNext();
      });
    return this.writing;
  }

  private async send(batch: readonly Unwritten[], probing: boolean): Promise<void> {
    if (probing) this.journal?.probe();
    await this.writer.run({ kind: 'charges', settlements: batch.map((u) => u.line), ...(probing ? { probe: Date.now() } : {}) });
  }

  /** The writer confirmed the batch: the money cached before the commit goes first, then the pending amounts that stood in for it. */
  private committed(batch: readonly Unwritten[], failuresBefore: number): void {
    if (this.failures === failuresBefore) this.writesFailing = false;
    for (const { charge: c } of batch) this.forget({ userId: c.userId, keyId: c.keyId });
    for (const { charge: c } of batch) {
      this.pendingIds.delete(c.requestId);
      add(this.pendingByUser, c.userId, -c.charge);
      add(this.pendingByKey, c.keyId, -c.charge);
    }
    if (this.journal && this.journal.size() > COMPACT_JOURNAL_AT) this.compactJournal();
  }

  /** After a batch: what was queued meanwhile goes at once if it is a full batch, else within 20 ms (a failure's retry timer stays). */
  private scheduleNext(): void {
    if (this.queued.length === 0 || this.timer) return;
    if (this.queued.length >= FLUSH_AT) {
      this.flushInBackground();
      return;
    }
    this.timer = setTimeout(() => this.flushInBackground(), FLUSH_AFTER_MS);
    this.timer.unref();
  }

  /** A write was refused: admissions stop, and a batch (or a probe) is tried again every second. */
  private failed(): void {
    this.writesFailing = true;
    this.failures++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushInBackground(), RETRY_AFTER_MS);
    this.timer.unref();
  }

  private compactJournal(): void {
    const inFlight = [...this.holds.values()].flatMap((hold) => (hold.admission ? [hold.admission] : []));
    try {
      // Called once a batch is confirmed: the queued charges are the only settlements not in SQLite.
      this.journal!.compact(inFlight, this.queued.map((u) => u.line));
    } catch {
      this.failed(); // the journal is unchanged; compaction is tried again after the next batch
    }
  }

  /** Cached while charges of the key or its account are under way: a read now might show them, or not. */
  private money(keyId: string, userId: string, now: number): KeyMoney | undefined {
    return this.moneyCache.get(keyId, userId, now, this.sendingKeys.has(keyId) || this.sendingUsers.has(userId));
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

  /** Which of the key's limits leaves less than `amount` (the budget named first), if any. */
  private keyShortOf(key: KeyMoney, keyId: string, period: string, amount: number): 'key_budget' | 'key_monthly' | undefined {
    const inFlight = (this.heldByKey.get(keyId) ?? 0) + (this.pendingByKey.get(keyId) ?? 0);
    if (key.budget_limit_micro !== null && key.budget_limit_micro - key.budget_used_micro - inFlight < amount) return 'key_budget';
    if (key.monthly_limit_micro !== null) {
      const used = key.monthly_period === period ? key.monthly_used_micro : 0;
      if (key.monthly_limit_micro - used - inFlight < amount) return 'key_monthly';
    }
    return undefined;
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
