import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../lib/ids.js';
import { isUniqueViolation } from '../errors.js';
import type { Database } from '../schema.js';
import type { PaymentEventsTable, PaymentOrdersTable, PaymentOrderStatus } from '../schema-payments.js';
import { moveWithin } from './ledger-repo.js';

export type PaymentOrderRow = Selectable<PaymentOrdersTable>;
export type PaymentEventRow = Selectable<PaymentEventsTable>;

export interface OrderFilter {
  limit: number;
  before?: string | undefined;
  userId?: string | undefined;
  status?: PaymentOrderStatus | undefined;
}

export type CreditOutcome =
  | { credited: true; balanceMicro: number; entryId: string }
  /** Credited before (by another notification, node or reconciliation): nothing moved now. */
  | { credited: false; reason: 'already_credited' | 'no_order' };

/**
 * Payment orders and the notification log (migration 0010). A top-up's credit is one transaction: the
 * order turns `succeeded` only if it was not already, and the ledger row carries `payment:<provider>:<id>`
 * under the ledger's unique (user_id, idempotency_key) index, so two nodes settling one payment at once
 * credit it once: the second waits for the first's row lock and then finds nothing left to change.
 */
export class PaymentsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insertOrder(row: PaymentOrderRow): Promise<void> {
    await this.db.insertInto('payment_orders').values(row).execute();
  }

  async findOrder(id: string): Promise<PaymentOrderRow | undefined> {
    return this.db.selectFrom('payment_orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByPaymentId(provider: string, paymentId: string): Promise<PaymentOrderRow | undefined> {
    return this.db.selectFrom('payment_orders').selectAll().where('provider', '=', provider).where('payment_id', '=', paymentId).executeTakeFirst();
  }

  /** The provider's payment id and page, once its create answered; a second answer (a retried create) changes nothing. */
  async attachPayment(orderId: string, paymentId: string, confirmationUrl: string | null, now: number): Promise<void> {
    await this.db
      .updateTable('payment_orders')
      .set({ payment_id: paymentId, confirmation_url: confirmationUrl, updated_at: now })
      .where('id', '=', orderId)
      .where('payment_id', 'is', null)
      .execute();
  }

  /** A pending order that will not be paid: the provider canceled it, or it never got a payment. */
  async closeOrder(orderId: string, status: 'canceled' | 'expired', reason: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('payment_orders')
      .set({ status, failure_reason: reason, updated_at: now, settled_at: now })
      .where('id', '=', orderId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Credits a paid order once (see the class comment); an order closed as expired is still credited if it was paid after all. */
  async creditOrder(orderId: string, provider: string, paymentId: string, now: number): Promise<CreditOutcome> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const order = await trx
          .updateTable('payment_orders')
          .set({ status: 'succeeded', failure_reason: null, updated_at: now, settled_at: now })
          .where('id', '=', orderId)
          .where('status', '!=', 'succeeded')
          .returning(['user_id', 'amount_micro'])
          .executeTakeFirst();
        if (!order) return { credited: false, reason: (await trx.selectFrom('payment_orders').select('id').where('id', '=', orderId).executeTakeFirst()) ? 'already_credited' : 'no_order' } as const;
        const moved = await moveWithin(trx, {
          userId: order.user_id,
          amountMicro: order.amount_micro,
          kind: 'topup',
          note: `Top-up: ${provider} payment ${paymentId}`,
          now,
          idempotencyKey: `payment:${provider}:${paymentId}`,
        });
        if (!moved.ok) throw new Error(`top-up of order ${orderId} could not be credited: ${moved.reason}`);
        await trx.updateTable('payment_orders').set({ ledger_entry_id: moved.entry.id }).where('id', '=', orderId).execute();
        return { credited: true, balanceMicro: moved.balanceMicro, entryId: moved.entry.id } as const;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { credited: false, reason: 'already_credited' };
      throw err;
    }
  }

  async listOrders(filter: OrderFilter): Promise<PaymentOrderRow[]> {
    let query = this.db.selectFrom('payment_orders').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.before) query = query.where('id', '<', filter.before);
    if (filter.userId) query = query.where('user_id', '=', filter.userId);
    if (filter.status) query = query.where('status', '=', filter.status);
    return query.execute();
  }

  /** Pending orders created before `cutoff`, oldest first: what reconciliation re-reads. */
  async pendingBefore(cutoff: number, limit: number): Promise<PaymentOrderRow[]> {
    return this.db.selectFrom('payment_orders').selectAll().where('status', '=', 'pending').where('created_at', '<', cutoff).orderBy('created_at').limit(limit).execute();
  }

  /** Writes a notification as received, before anything is done with it; returns its id. */
  async logEvent(event: Omit<PaymentEventRow, 'id' | 'outcome' | 'processed_at'>): Promise<string> {
    const id = newId('pev', event.received_at);
    await this.db.insertInto('payment_events').values({ ...event, id, outcome: null, processed_at: null }).execute();
    return id;
  }

  async finishEvent(id: string, outcome: string, now: number): Promise<void> {
    await this.db.updateTable('payment_events').set({ outcome: outcome.slice(0, 500), processed_at: now }).where('id', '=', id).execute();
  }

  async eventsFor(objectId: string): Promise<PaymentEventRow[]> {
    return this.db.selectFrom('payment_events').selectAll().where('object_id', '=', objectId).orderBy('received_at').execute();
  }
}
