import type { Kysely, Selectable, Transaction } from 'kysely';
import { newId } from '../../lib/ids.js';
import { isUniqueViolation } from '../errors.js';
import type { Database, LedgerEntriesTable } from '../schema.js';

export type LedgerRow = Selectable<LedgerEntriesTable>;

export interface BalanceMove {
  userId: string;
  amountMicro: number;
  /** credit/debit by an operator; topup (a payment), refund (of a payment), promo (a redeemed code). */
  kind: 'credit' | 'debit' | 'topup' | 'refund' | 'promo';
  note: string | null;
  now: number;
  /** Money held for requests in flight outside the `held_micro` column (SQLite keeps holds in memory). */
  heldElsewhereMicro?: number;
  /** At most one move per user carries a given key; a second one moves nothing. */
  idempotencyKey?: string;
}

export type MoveResult =
  | { ok: true; balanceMicro: number; entry: LedgerRow }
  | { ok: false; reason: 'no_user' | 'insufficient' }
  /** The idempotency key was used before (perhaps by a concurrent request, on any node): its row. */
  | { ok: false; reason: 'key_used'; entry: LedgerRow };

export class LedgerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Moves a balance and appends its ledger row in one transaction; a debit never takes held money. With
   * an idempotency key, the row's unique index decides between concurrent moves: the loser's transaction
   * rolls back and it answers with the winner's row.
   */
  async move(move: BalanceMove): Promise<MoveResult> {
    const key = move.idempotencyKey;
    if (key === undefined) return this.moveOnce(move);
    const earlier = await this.findByIdempotencyKey(move.userId, key);
    if (earlier) return { ok: false, reason: 'key_used', entry: earlier };
    try {
      return await this.moveOnce(move);
    } catch (err) {
      const winner = isUniqueViolation(err) ? await this.findByIdempotencyKey(move.userId, key) : undefined;
      if (!winner) throw err;
      return { ok: false, reason: 'key_used', entry: winner };
    }
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<LedgerRow | undefined> {
    return this.db.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).where('idempotency_key', '=', key).executeTakeFirst();
  }

  private moveOnce(move: BalanceMove): Promise<MoveResult> {
    return this.db.transaction().execute((trx) => moveWithin(trx, move));
  }

  /**
   * Newest first, over the (user_id, created_at) index: ordered by (created_at, id), and an entry's id is
   * minted from its created_at, so the `beforeId` cursor's time bounds the index range and its id breaks ties.
   */
  async listByUser(userId: string, limit: number, beforeId?: string): Promise<LedgerRow[]> {
    let query = this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (beforeId) {
      const cursor = await this.db.selectFrom('ledger_entries').select('created_at').where('id', '=', beforeId).executeTakeFirst();
      if (cursor) query = query.where('created_at', '<=', cursor.created_at);
      query = query.where('id', '<', beforeId);
    }
    return query.execute();
  }

  async sumByUser(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_micro'), eb.lit(0)).as('total'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }
}

/**
 * One balance move and its ledger row inside the caller's transaction, so an order's or a promo code's
 * own row changes in the same commit as the money. A debit never takes held money.
 */
export async function moveWithin(trx: Transaction<Database>, move: BalanceMove): Promise<MoveResult> {
  const updated = await trx
    .updateTable('users')
    .set((eb) => ({ balance_micro: eb('balance_micro', '+', move.amountMicro), updated_at: move.now }))
    .where('id', '=', move.userId)
    // A debit may not take money held for requests in flight.
    .where((eb) =>
      move.amountMicro >= 0
        ? eb.lit(true)
        : eb(eb('balance_micro', '+', move.amountMicro - (move.heldElsewhereMicro ?? 0)), '>=', eb.ref('held_micro')),
    )
    .returning('balance_micro')
    .executeTakeFirst();
  if (!updated) {
    const exists = await trx.selectFrom('users').select('id').where('id', '=', move.userId).executeTakeFirst();
    return { ok: false, reason: exists ? 'insufficient' : 'no_user' } as const;
  }
  const entry: LedgerRow = {
    id: newId('led', move.now),
    user_id: move.userId,
    kind: move.kind,
    amount_micro: move.amountMicro,
    balance_after_micro: updated.balance_micro,
    request_id: null,
    key_id: null,
    note: move.note,
    created_at: move.now,
    cost_usd: null,
    usd_rub_rate: null,
    usd_nano: null,
    idempotency_key: move.idempotencyKey ?? null,
  };
  await trx.insertInto('ledger_entries').values(entry).execute();
  return { ok: true, balanceMicro: updated.balance_micro, entry } as const;
}
