import type { Config } from '../config/index.js';
import { GatewayError } from '../core/errors.js';
import { systemClock } from '../lib/clock.js';
import { createLogger } from '../observability/log.js';
import { AuditLog, CLI_ACTOR } from '../services/audit/audit-log.js';
import { startPayments } from '../services/payments/index.js';
import type { AccountsService } from '../services/accounts/accounts-service.js';
import type { PaymentOrderStatus, Store } from '../store/index.js';
import { required } from './args.js';

export const PAYMENTS_COMMANDS = new Set(['payments list', 'payments reconcile', 'payments refund']);

export const PAYMENTS_USAGE = `  tollgate payments list [--user ID|EMAIL] [--status pending|succeeded|canceled|expired] [--limit N]
  tollgate payments reconcile [--older-than-minutes N]
                                                   (reads pending orders back from the provider and settles them;
                                                   0 minutes: every pending order)
  tollgate payments refund --order ORDER_ID [--amount RUB]
                                                   (debits the balance first, then refunds at the provider; all
                                                   that is left of the payment without --amount)`;

interface PaymentsValues {
  user?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
  order?: string | undefined;
  amount?: string | undefined;
  'older-than-minutes'?: string | undefined;
}

const STATUSES = new Set<PaymentOrderStatus>(['pending', 'succeeded', 'canceled', 'expired']);

/**
 * `payments list | reconcile | refund`: the operator's hand on top-ups, from the shell, through the same
 * services the server uses (a reconciliation here and one on a running node at once still credit once).
 */
export async function paymentsCommand(action: string, values: PaymentsValues, store: Store, accounts: AccountsService, config: Readonly<Config>, out: (value: unknown) => void): Promise<number> {
  const audit = new AuditLog(store, systemClock);
  const { payments, stop } = startPayments(config.payments, {
    store,
    audit,
    clock: systemClock,
    log: createLogger('warn'),
    publicUrl: config.dashboard.publicUrl,
    contact: config.dashboard.topupContact ?? null,
  });
  try {
    if (action === 'payments list') {
      const status = values.status;
      if (status !== undefined && !STATUSES.has(status as PaymentOrderStatus)) throw new GatewayError('TG_ERR_BAD_REQUEST', '--status must be pending, succeeded, canceled or expired.');
      const userId = values.user === undefined ? undefined : await accounts.userId(values.user);
      out(await payments.orders.adminOrders({ limit: Number(values.limit ?? 50), userId, status: status as PaymentOrderStatus | undefined }));
      return 0;
    }
    if (!payments.reconciler || !payments.refunds) throw new GatewayError('TG_ERR_FORBIDDEN', 'PAYMENTS_PROVIDER is not set: there is no provider to ask.');
    if (action === 'payments reconcile') {
      const minutes = values['older-than-minutes'] === undefined ? undefined : Number(values['older-than-minutes']);
      if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 0)) throw new GatewayError('TG_ERR_BAD_REQUEST', '--older-than-minutes must be a whole number of minutes.');
      const report = await payments.reconciler.reconcile(minutes === undefined ? {} : { olderThanMs: minutes * 60_000 });
      await audit.record({ actor: CLI_ACTOR, action: 'payments.reconcile', details: { ...report } });
      out(report);
      return 0;
    }
    out(await payments.refunds.refund(required(values.order, '--order'), values.amount, CLI_ACTOR));
    return 0;
  } finally {
    await stop();
  }
}

