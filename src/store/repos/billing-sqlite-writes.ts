import type SQLite from 'better-sqlite3';
import { REQUEST_COLUMNS } from '../request-columns.js';
import type { SettleArgs } from './billing-repo.js';

/** A charge computed in memory (capped by what the key and account could pay), waiting for its commit. */
export interface PendingCharge extends SettleArgs {
  charge: number;
}

/** A pending charge as the writer receives it (settlement-line.ts): its history row as values, not as an object. */
export interface ChargeToWrite extends Omit<PendingCharge, 'request'> {
  /** The history row's values in `REQUEST_COLUMNS` order, when the charge has one; its cost is set to the charge. */
  values?: unknown[];
}

const COST_MICRO = REQUEST_COLUMNS.indexOf('cost_micro');
const CREATED_AT = REQUEST_COLUMNS.indexOf('created_at');

/** What one batch writes: charges with their history rows. */
export interface WriteBatch {
  charges: readonly ChargeToWrite[];
  /** Writes a row that proves the file takes writes (after a failure, and at start-up), at this time. */
  probe?: number;
}

/** Per charge: what was written (the capped amount), or `duplicate` when the request was charged before. */
export type BatchResult = Array<number | 'duplicate'>;

/**
 * The prepared statements of the SQLite billing store and the one transaction that writes a batch: each
 * charge's ledger row and history row, then one balance update per account and one usage update per key
 * and month. Charges are capped once more by the stored balance (a debit made by another process in the
 * meantime can never drive a balance below zero). A batch written twice (re-sent after the writer thread
 * died) changes nothing the second time: the ledger's unique (request, kind) index ignores the charge,
 * and only an inserted charge moves a balance or a key's use; history rows are upserts.
 */
export function prepareChargeWriter(db: SQLite.Database): SQLite.Transaction<(batch: WriteBatch) => BatchResult> {
  // Never moves the month back (see tollgate_settle): a late charge of last month counts in the budget only.
  const chargeKey = db.prepare<{ charge: number; period: string; keyId: string }>(`update api_keys set budget_used_micro = budget_used_micro + @charge,
    monthly_used_micro = case when monthly_period > @period then monthly_used_micro
                              when monthly_period = @period then monthly_used_micro + @charge else @charge end,
    monthly_period = case when monthly_period > @period then monthly_period else @period end where id = @keyId`);
  const touchKey = db.prepare<[number, string]>('update api_keys set last_used_at = max(coalesce(last_used_at, 0), ?) where id = ?');
  const balanceOf = db.prepare<[string], number>('select balance_micro from users where id = ?').pluck();
  const chargeUser = db.prepare<[number, number, string]>('update users set balance_micro = balance_micro - ?, updated_at = ? where id = ?');
  const insertCharge = db.prepare(`insert or ignore into ledger_entries (id, user_id, kind, amount_micro, balance_after_micro,
    request_id, key_id, note, created_at, cost_usd, usd_rub_rate, usd_nano)
    values (?, ?, 'charge', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const placeholders = REQUEST_COLUMNS.map(() => '?').join(', ');
  const upsertRequest = db.prepare(
    `insert into requests (${REQUEST_COLUMNS.join(', ')}) values (${placeholders})
     on conflict (id) do update set ${REQUEST_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );

  const probe = db.prepare<[string, number]>(`insert into settings (key, value, updated_at) values ('store_write_check', ?, ?)
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`);

  return db.transaction((batch: WriteBatch): BatchResult => {
    if (batch.probe !== undefined) probe.run(new Date(batch.probe).toISOString(), batch.probe);
    const balances = new Map<string, number>();
    const byUser = new Map<string, { total: number; now: number }>();
    const byKey = new Map<string, { total: number; period: string; keyId: string }>();
    const lastUse = new Map<string, number>();
    const results: BatchResult = [];
    for (const c of batch.charges) {
      let charge = 0;
      if (c.costMicro > 0) {
        let balance = balances.get(c.userId) ?? balanceOf.get(c.userId);
        if (balance === undefined) throw new Error(`charging ${c.requestId}: the account is missing`);
        charge = Math.min(c.charge, Math.max(0, balance));
        const capped = charge < c.costMicro ? `capped: cost ${c.costMicro} micro-RUB` : undefined;
        const note = [c.note, capped].filter(Boolean).join('; ') || null;
        const inserted = insertCharge.run(c.ledgerId, c.userId, -charge, balance - charge, c.requestId, c.keyId, note, c.now, c.costUsd, c.usdRubRate, c.usdNano);
        balances.set(c.userId, balance);
        if (inserted.changes === 0) {
          results.push('duplicate'); // charged before (a retried batch): never twice, and its row stays
          continue;
        }
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
      results.push(charge);
      if (c.values) {
        // History's cost is what the ledger charged, never what the usage would have cost.
        if (c.costMicro > 0) c.values[COST_MICRO] = charge;
        upsertRequest.run(c.values);
        lastUse.set(c.keyId, Math.max(lastUse.get(c.keyId) ?? 0, Number(c.values[CREATED_AT])));
      }
    }
    for (const [userId, user] of byUser) chargeUser.run(user.total, user.now, userId);
    for (const key of byKey.values()) chargeKey.run({ charge: key.total, period: key.period, keyId: key.keyId });
    for (const [keyId, at] of lastUse) touchKey.run(at, keyId);
    return results;
  });
}
