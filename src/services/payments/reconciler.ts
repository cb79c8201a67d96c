import type { PaymentsSettings } from './settings.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/log.js';
import type { PaymentOrderRow, Store } from '../../store/index.js';
import type { PaymentsService, SettleOutcome } from './payments-service.js';
import type { RefundsService } from './refunds-service.js';

export interface ReconcileReport {
  checked: number;
  credited: number;
  canceled: number;
  expired: number;
  failed: number;
  refunds_finished: number;
}

const BATCH = 200;

/**
 * Makes good what notifications did not: every pending order older than PAYMENTS_RECONCILE_MINUTES is
 * read back from the provider and settled (credited once, closed, or left pending); one whose create never
 * got an answer is asked for again with the same idempotence key; one still unpaid after
 * PAYMENTS_EXPIRE_HOURS is closed as expired (and still credited should it be paid after all). Every node
 * may run it at once: settling is idempotent.
 */
export class PaymentsReconciler {
  private running: Promise<ReconcileReport> | undefined;

  constructor(
    private readonly store: Store,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly config: PaymentsSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** One pass; a pass already running on this node is joined, not doubled. */
  reconcile(options: { olderThanMs?: number } = {}): Promise<ReconcileReport> {
    this.running ??= this.pass(options.olderThanMs ?? this.config.reconcileAfterMs).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(olderThanMs: number): Promise<ReconcileReport> {
    const now = this.clock.now();
    const report: ReconcileReport = { checked: 0, credited: 0, canceled: 0, expired: 0, failed: 0, refunds_finished: 0 };
    for (const order of await this.store.payments.pendingBefore(now - olderThanMs, BATCH)) {
      report.checked += 1;
      try {
        const outcome = await this.settleOne(order, now);
        if (outcome === 'credited') report.credited += 1;
        else if (outcome === 'canceled') report.canceled += 1;
        else if (outcome === 'expired') report.expired += 1;
      } catch (err) {
        report.failed += 1;
        this.log.warn({ err, order: order.id }, 'reconciling a payment failed; the next pass retries');
      }
    }
    report.refunds_finished = await this.refunds.reconcile(now - olderThanMs);
    if (report.checked > 0 || report.refunds_finished > 0) this.log.info(report, 'payments reconciled');
    return report;
  }

  private async settleOne(order: PaymentOrderRow, now: number): Promise<SettleOutcome | 'expired'> {
    const tooOld = now - order.created_at > this.config.expireAfterMs;
    if (order.payment_id === null) {
      if (tooOld) return this.expire(order, 'the payment was never created');
      const payment = await this.payments.createPayment(this.payments.requireProvider(), order);
      order = { ...order, payment_id: payment.id };
    }
    const outcome = await this.payments.settle(order);
    if (outcome === 'still_pending' && tooOld) return this.expire(order, 'not paid in time');
    return outcome;
  }

  private async expire(order: PaymentOrderRow, reason: string): Promise<'expired'> {
    await this.store.payments.closeOrder(order.id, 'expired', reason, this.clock.now());
    return 'expired';
  }
}
