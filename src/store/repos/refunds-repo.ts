import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation } from '../errors.js';
import type { Database } from '../schema.js';
import type { PaymentRefundsTable } from '../schema-payments.js';
import { moveWithin } from './ledger-repo.js';

export type RefundRow = Selectable<PaymentRefundsTable>;

export type RefundStart =
  | { ok: true; refund: RefundRow; balanceMicro: number }
  | { ok: false; reason: 'no_order' | 'not_paid' | 'too_much' | 'insufficient' };

/**
 * Refunds of paid top-ups. The money leaves the balance *before* the provider is asked to return it:
 * starting a refund debits the ledger (`refund:<id>`) and raises the order's refunded sum in one
 * transaction, so a customer cannot spend what is being refunded, and two refunds at once can never
 * return more than was paid. A refund the provider cancels gives the money back, once (`refund-reversal:<id>`).
 */
export class RefundsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async start(refund: RefundRow, heldElsewhereMicro: number): Promise<RefundStart> {
    return this.db.transaction().execute(async (trx) => {
      const order = await trx.selectFrom('payment_orders').select(['status', 'user_id']).where('id', '=', refund.order_id).executeTakeFirst();
      if (!order) return { ok: false, reason: 'no_order' } as const;
      if (order.status !== 'succeeded') return { ok: false, reason: 'not_paid' } as const;
      const raised = await trx
        .updateTable('payment_orders')
        .set((eb) => ({ refunded_micro: eb('refunded_micro', '+', refund.amount_micro), updated_at: refund.created_at }))
        .where('id', '=', refund.order_id)
        .where((eb) => eb(eb('refunded_micro', '+', refund.amount_micro), '<=', eb.ref('amount_micro')))
        .executeTakeFirst();
      if (Number(raised.numUpdatedRows) === 0) return { ok: false, reason: 'too_much' } as const;
      const moved = await moveWithin(trx, {
        userId: refund.user_id,
        amountMicro: -refund.amount_micro,
        kind: 'refund',
        note: `Refund of order ${refund.order_id}`,
        now: refund.created_at,
        heldElsewhereMicro,
        idempotencyKey: `refund:${refund.id}`,
      });
      if (!moved.ok) throw new NotEnoughBalance();
      await trx.insertInto('payment_refunds').values(refund).execute();
      return { ok: true, refund, balanceMicro: moved.balanceMicro } as const;
    }).catch((err: unknown) => {
      if (err instanceof NotEnoughBalance) return { ok: false, reason: 'insufficient' } as const;
      throw err;
    });
  }

  async attach(id: string, refundId: string, status: RefundRow['status'], now: number): Promise<void> {
    await this.db.updateTable('payment_refunds').set({ refund_id: refundId, status, updated_at: now }).where('id', '=', id).where('status', '=', 'pending').execute();
  }

  async markSucceeded(id: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('payment_refunds').set({ status: 'succeeded', updated_at: now }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The provider refused or canceled it: the refund ends and its money comes back to the balance, once. */
  async cancel(id: string, reason: string, now: number): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const refund = await trx
          .updateTable('payment_refunds')
          .set({ status: 'canceled', reason, updated_at: now })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .returning(['order_id', 'user_id', 'amount_micro'])
          .executeTakeFirst();
        if (!refund) return false;
        await trx
          .updateTable('payment_orders')
          .set((eb) => ({ refunded_micro: eb('refunded_micro', '-', refund.amount_micro), updated_at: now }))
          .where('id', '=', refund.order_id)
          .execute();
        const moved = await moveWithin(trx, { userId: refund.user_id, amountMicro: refund.amount_micro, kind: 'refund', note: `Refund of order ${refund.order_id} canceled: ${reason}`.slice(0, 500), now, idempotencyKey: `refund-reversal:${id}` });
        if (!moved.ok) throw new Error(`refund ${id} could not be reversed: ${moved.reason}`);
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async find(id: string): Promise<RefundRow | undefined> {
    return this.db.selectFrom('payment_refunds').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByRefundId(provider: string, refundId: string): Promise<RefundRow | undefined> {
    return this.db.selectFrom('payment_refunds').selectAll().where('provider', '=', provider).where('refund_id', '=', refundId).executeTakeFirst();
  }

  async forOrder(orderId: string): Promise<RefundRow[]> {
    return this.db.selectFrom('payment_refunds').selectAll().where('order_id', '=', orderId).orderBy('created_at').execute();
  }

  async pendingBefore(cutoff: number, limit: number): Promise<RefundRow[]> {
    return this.db.selectFrom('payment_refunds').selectAll().where('status', '=', 'pending').where('created_at', '<', cutoff).orderBy('created_at').limit(limit).execute();
  }
}

class NotEnoughBalance extends Error {}
