import { badRequest, GatewayError, notFound } from '../../core/errors.js';
import { parseRublesToMicro } from '../../core/money.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../observability/log.js';
import type { RefundRow, Store } from '../../store/index.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import { PaymentProviderError, type PaymentProvider, type ProviderRefund } from './provider.js';

export interface RefundResult {
  refund_id: string;
  status: RefundRow['status'];
  amount_micro: number;
  balance_micro: number;
}

/**
 * Refunds of paid top-ups, started by an admin. The ledger is debited first (refunds-repo.ts), then the
 * provider asked with the refund's own id as idempotence key; a refund the provider refuses or cancels
 * gives the money back, one the provider left pending is finished by its notification or by reconciliation.
 */
export class RefundsService {
  constructor(
    private readonly store: Store,
    private readonly provider: PaymentProvider,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Refunds `amount` rubles of the order (all that is left when absent). */
  async refund(orderId: string, amount: string | undefined, actor: AuditActor, ip?: string | null): Promise<RefundResult> {
    const order = await this.store.payments.findOrder(orderId);
    if (!order) throw notFound(`Order ${orderId} not found.`);
    if (order.status !== 'succeeded' || order.payment_id === null) throw badRequest('Only a paid order can be refunded.', 'order');
    const amountMicro = amount === undefined ? order.amount_micro - order.refunded_micro : parseRublesToMicro(amount);
    if (amountMicro === undefined || amountMicro <= 0 || amountMicro % 10_000 !== 0) throw badRequest('The refund must be a positive amount of rubles with at most two decimals.', 'amount');
    const now = this.clock.now();
    const row: RefundRow = { id: newId('rfd', now), order_id: order.id, user_id: order.user_id, provider: order.provider, refund_id: null, amount_micro: amountMicro, status: 'pending', reason: null, created_by: actor.label, created_at: now, updated_at: now };
    await this.store.billing.flush();
    const started = await this.store.refunds.start(row, this.store.billing.localHolds(order.user_id, '').userMicro);
    if (!started.ok) throw refusal(started.reason);
    this.store.billing.forget({ userId: order.user_id });
    await this.audit.record({ actor, action: 'payment.refund', target: order.user_id, details: { order: order.id, refund: row.id, amount_micro: amountMicro }, ip: ip ?? null });
    const status = await this.ask(row, order.payment_id);
    return { refund_id: row.id, status, amount_micro: amountMicro, balance_micro: started.balanceMicro };
  }

  /** A refund notification: read the refund back and finish it. */
  async settleRefund(providerRefundId: string): Promise<string> {
    const row = await this.store.refunds.findByRefundId(this.provider.id, providerRefundId);
    if (!row) return 'unknown_refund';
    if (row.status !== 'pending') return `already_${row.status}`;
    return this.apply(row, await this.provider.getRefund(providerRefundId));
  }

  /** Pending refunds older than `cutoff`: asked again (same idempotence key) or read back. */
  async reconcile(cutoff: number): Promise<number> {
    let finished = 0;
    for (const row of await this.store.refunds.pendingBefore(cutoff, 100)) {
      const order = await this.store.payments.findOrder(row.order_id);
      try {
        const status = row.refund_id === null ? await this.ask(row, order!.payment_id!) : await this.apply(row, await this.provider.getRefund(row.refund_id));
        if (status !== 'pending') finished += 1;
      } catch (err) {
        this.log.warn({ err, refund: row.id }, 'reconciling a refund failed');
      }
    }
    return finished;
  }

  /** Asks the provider to refund (again, with the same key, when an earlier ask went unanswered). */
  private async ask(row: RefundRow, paymentId: string): Promise<RefundRow['status']> {
    let refund: ProviderRefund;
    try {
      refund = await this.provider.createRefund({ refundKey: row.id, paymentId, amountMicro: row.amount_micro, description: `Возврат по заказу ${row.order_id}` });
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      this.log.warn({ refund: row.id, status: err.status, code: err.code }, `refund request failed: ${err.message}`);
      if (!err.definite) return 'pending';
      await this.store.refunds.cancel(row.id, `refused by the provider: ${err.code ?? err.status}`, this.clock.now());
      this.store.billing.forget({ userId: row.user_id });
      throw new GatewayError('TG_ERR_CONFLICT', `The payment provider refused the refund (${err.code ?? err.status}); the money stays on the balance.`);
    }
    await this.store.refunds.attach(row.id, refund.id, 'pending', this.clock.now());
    return this.apply(row, refund);
  }

  private async apply(row: RefundRow, refund: ProviderRefund): Promise<RefundRow['status']> {
    if (refund.amountMicro !== row.amount_micro || refund.paymentId === undefined) return 'pending';
    if (refund.status === 'succeeded') await this.store.refunds.markSucceeded(row.id, this.clock.now());
    if (refund.status === 'canceled') {
      await this.store.refunds.cancel(row.id, 'canceled by the provider', this.clock.now());
      this.store.billing.forget({ userId: row.user_id });
    }
    return refund.status;
  }
}

function refusal(reason: 'no_order' | 'not_paid' | 'too_much' | 'insufficient'): GatewayError {
  if (reason === 'no_order') return notFound('Order not found.');
  if (reason === 'not_paid') return badRequest('Only a paid order can be refunded.', 'order');
  if (reason === 'too_much') return badRequest('The refund is larger than what is left of the payment.', 'amount');
  return badRequest('The balance (less money held for calls in flight) is smaller than the refund: the customer has spent it.', 'amount');
}
