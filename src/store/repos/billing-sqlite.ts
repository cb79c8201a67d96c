import type SQLite from 'better-sqlite3';
import { isUniqueViolation } from '../errors.js';
import type { BillingRepo, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './billing-repo.js';

interface KeyMoney {
  budget_limit_micro: number | null;
  budget_used_micro: number;
  monthly_limit_micro: number | null;
  monthly_used_micro: number;
  monthly_period: string | null;
  held_micro: number;
}

/**
 * Admission and settlement on SQLite, step for step the logic of the PostgreSQL functions
 * (migrations/pg-billing-functions.ts: keep the two in step). Prepared statements in one synchronous
 * transaction each: a few microseconds, atomic within the process and, through SQLite's write lock,
 * across processes sharing the file.
 */
export class SqliteBillingRepo implements BillingRepo {
  private readonly reserveTx: (a: ReserveArgs) => ReserveOutcome;
  private readonly settleTx: (a: SettleArgs) => SettleOutcome;
  private readonly releaseTx: (requestId: string) => boolean;
  private readonly db: SQLite.Database;

  constructor(db: SQLite.Database) {
    this.db = db;
    const holdKey = db.prepare(`update api_keys set held_micro = held_micro + @amountMicro
      where id = @keyId
        and (budget_limit_micro is null or budget_limit_micro - budget_used_micro - held_micro >= @amountMicro)
        and (monthly_limit_micro is null
             or monthly_limit_micro - (case when monthly_period = @period then monthly_used_micro else 0 end) - held_micro >= @amountMicro)`);
    const holdUser = db.prepare(`update users set held_micro = held_micro + @amountMicro
      where id = @userId and balance_micro - held_micro >= @amountMicro`);
    const insertHold = db.prepare(`insert into holds (request_id, user_id, key_id, amount_micro, node_id, created_at, expires_at)
      values (@requestId, @userId, @keyId, @amountMicro, @nodeId, @now, @expiresAt)`);
    this.reserveTx = db.transaction((a: ReserveArgs): ReserveOutcome => {
      if (holdKey.run(a).changes === 0) return 'key_limit';
      if (holdUser.run(a).changes === 0) throw new Refused(); // rolls the key's hold back
      insertHold.run(a);
      return 'ok';
    });

    const takeHold = db.prepare<[string], { user_id: string; key_id: string; amount_micro: number }>(
      'delete from holds where request_id = ? returning user_id, key_id, amount_micro',
    );
    const charged = db.prepare<[string]>(`select 1 from ledger_entries where request_id = ? and kind = 'charge'`).pluck();
    const keyMoney = db.prepare<[string], KeyMoney>(
      'select budget_limit_micro, budget_used_micro, monthly_limit_micro, monthly_used_micro, monthly_period, held_micro from api_keys where id = ?',
    );
    const userMoney = db.prepare<[string], { balance_micro: number; held_micro: number }>('select balance_micro, held_micro from users where id = ?');
    const unholdKey = db.prepare<[number, string]>('update api_keys set held_micro = held_micro - ? where id = ?');
    const unholdUser = db.prepare<[number, string]>('update users set held_micro = held_micro - ? where id = ?');
    const chargeKey = db.prepare(`update api_keys set held_micro = held_micro - @hold, budget_used_micro = budget_used_micro + @charge,
      monthly_used_micro = @monthUsed + @charge, monthly_period = @period where id = @keyId`);
    const chargeUser = db.prepare<{ hold: number; charge: number; now: number; userId: string }, { balance_micro: number }>(
      `update users set held_micro = held_micro - @hold, balance_micro = balance_micro - @charge, updated_at = @now
       where id = @userId returning balance_micro`,
    );
    const insertCharge = db.prepare(`insert into ledger_entries (id, user_id, kind, amount_micro, balance_after_micro, request_id,
      key_id, note, created_at, cost_usd, usd_rub_rate, usd_nano)
      values (@ledgerId, @userId, 'charge', @amount, @after, @requestId, @keyId, @note, @now, @costUsd, @usdRubRate, @usdNano)`);
    this.settleTx = db.transaction((a: SettleArgs): SettleOutcome => {
      const held = takeHold.get(a.requestId);
      const hold = held?.amount_micro ?? 0;
      if (!held && charged.get(a.requestId) !== undefined) return 'duplicate';
      if (a.costMicro <= 0) {
        unholdKey.run(hold, a.keyId);
        unholdUser.run(hold, a.userId);
        return 0;
      }
      const key = keyMoney.get(a.keyId);
      const user = userMoney.get(a.userId);
      if (!key || !user) throw new Error(`settling ${a.requestId}: key or account is missing`);
      const monthUsed = key.monthly_period === a.period ? key.monthly_used_micro : 0;
      const otherKeyHolds = key.held_micro - hold;
      let charge = a.costMicro;
      if (key.budget_limit_micro !== null) charge = Math.min(charge, Math.max(0, key.budget_limit_micro - key.budget_used_micro - otherKeyHolds));
      if (key.monthly_limit_micro !== null) charge = Math.min(charge, Math.max(0, key.monthly_limit_micro - monthUsed - otherKeyHolds));
      charge = Math.min(charge, Math.max(0, user.balance_micro - (user.held_micro - hold)));
      chargeKey.run({ hold, charge, monthUsed, period: a.period, keyId: a.keyId });
      const after = chargeUser.get({ hold, charge, now: a.now, userId: a.userId })!.balance_micro;
      insertCharge.run({
        ledgerId: a.ledgerId,
        userId: a.userId,
        amount: -charge,
        after,
        requestId: a.requestId,
        keyId: a.keyId,
        note: charge < a.costMicro ? `capped: cost ${a.costMicro} micro-RUB` : null,
        now: a.now,
        costUsd: a.costUsd,
        usdRubRate: a.usdRubRate,
        usdNano: a.usdNano,
      });
      return charge;
    });

    this.releaseTx = db.transaction((requestId: string): boolean => {
      const held = takeHold.get(requestId);
      if (!held) return false;
      unholdKey.run(held.amount_micro, held.key_id);
      unholdUser.run(held.amount_micro, held.user_id);
      return true;
    });
  }

  async reserve(args: ReserveArgs): Promise<ReserveOutcome> {
    try {
      return this.reserveTx(args);
    } catch (err) {
      if (err instanceof Refused) return 'balance';
      throw err;
    }
  }

  async settle(args: SettleArgs): Promise<SettleOutcome> {
    try {
      return this.settleTx(args);
    } catch (err) {
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  async release(requestId: string): Promise<boolean> {
    return this.releaseTx(requestId);
  }

  async staleHolds(filter: { expiredAt?: number; nodeId?: string; all?: boolean }, limit: number): Promise<string[]> {
    const clauses: string[] = [];
    const params: Array<string | number> = [];
    if (filter.expiredAt !== undefined) {
      clauses.push('expires_at < ?');
      params.push(filter.expiredAt);
    }
    if (filter.nodeId !== undefined) {
      clauses.push('node_id = ?');
      params.push(filter.nodeId);
    }
    if (!filter.all && clauses.length === 0) return [];
    const where = filter.all ? '' : `where ${clauses.join(' or ')}`;
    return this.db.prepare(`select request_id from holds ${where} order by created_at limit ?`).pluck().all(...params, limit) as string[];
  }
}

class Refused extends Error {}
