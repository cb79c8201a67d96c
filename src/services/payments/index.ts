import type { PaymentsSettings } from './settings.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/log.js';
import type { Store } from '../../store/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import { PaymentNotifications } from './notifications.js';
import { PaymentsReconciler } from './reconciler.js';
import { PaymentsService } from './payments-service.js';
import { RefundsService } from './refunds-service.js';
import { YooKassaProvider } from './yookassa.js';

export type { OrderView, AdminOrderView } from './order-views.js';
export type { TopupOptions } from './payments-service.js';
export type { ReconcileReport } from './reconciler.js';
export type { RefundResult } from './refunds-service.js';
export { PaymentsService, PaymentNotifications, PaymentsReconciler, RefundsService };

/** Everything payments offer the HTTP layer and the CLI; only `orders` exists without a provider. */
export interface Payments {
  orders: PaymentsService;
  /** Present when a provider is configured. */
  notifications: PaymentNotifications | undefined;
  refunds: RefundsService | undefined;
  reconciler: PaymentsReconciler | undefined;
}

const RECONCILE_EVERY_MS = 60_000;

/** Builds the payments services for the configured provider and starts the reconciliation timer. */
export function startPayments(
  config: Readonly<PaymentsSettings>,
  deps: { store: Store; audit: AuditLog; clock: Clock; log: Logger; publicUrl: string | undefined; contact: string | null },
): { payments: Payments; stop: () => Promise<void> } {
  const { store, audit, clock, log } = deps;
  const provider = config.yookassa ? new YooKassaProvider(config.yookassa) : undefined;
  const orders = new PaymentsService(store, provider, config, clock, log, { publicUrl: deps.publicUrl, contact: deps.contact });
  if (!provider) return { payments: { orders, notifications: undefined, refunds: undefined, reconciler: undefined }, stop: async () => {} };
  const refunds = new RefundsService(store, provider, audit, clock, log);
  const notifications = new PaymentNotifications(store, provider, orders, refunds, clock, log);
  const reconciler = new PaymentsReconciler(store, orders, refunds, config, clock, log);
  const timer = setInterval(() => void reconciler.reconcile().catch((err: unknown) => log.warn({ err }, 'payments reconciliation failed')), RECONCILE_EVERY_MS);
  timer.unref();
  const stop = async () => {
    clearInterval(timer);
    await notifications.idle();
    await provider.close();
  };
  return { payments: { orders, notifications, refunds, reconciler }, stop };
}
