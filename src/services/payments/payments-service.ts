import type { PaymentsSettings } from './settings.js';
import { badRequest, GatewayError, notFound } from '../../core/errors.js';
import { parseRublesToMicro } from '../../core/money.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../observability/log.js';
import type { OrderFilter, PaymentOrderRow, Store } from '../../store/index.js';
import { accountPage, type AccountPage } from '../history/account-views.js';
import { adminOrderView, orderView, type AdminOrderView, type OrderView } from './order-views.js';
import { PaymentProviderError, type PaymentProvider, type ProviderPayment } from './provider.js';

export interface TopupOptions {
  available: boolean;
  provider: string | null;
  min_micro: number;
  max_micro: number;
  presets_micro: number[];
  /** TOPUP_CONTACT: how to reach the operator (shown when there is no provider, and beside it). */
  contact: string | null;
}

/** What became of settling one payment; written as a notification's outcome. */
export type SettleOutcome = 'credited' | 'already_credited' | 'still_pending' | 'canceled' | 'unknown_payment' | `refused: ${string}`;

const KOPECK_MICRO = 10_000;
/** A page polling its pending order reads the payment back from the provider at most this often. */
const READ_BACK_EVERY_MS = 3_000;

/**
 * Customers' top-ups: an order is written before the provider is asked for a payment (its id is the
 * payment's idempotence key, so a retried create never makes a second payment), and it is credited only
 * after the payment has been read back from the provider — `succeeded`, `paid`, and with the order's
 * amount, currency, order id and user id — whatever a notification claimed.
 */
export class PaymentsService {
  private readonly readBackAt = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly provider: PaymentProvider | undefined,
    private readonly config: PaymentsSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: { publicUrl: string | undefined; contact: string | null },
  ) {}

  topupOptions(): TopupOptions {
    return {
      available: this.provider !== undefined,
      provider: this.provider?.id ?? null,
      min_micro: this.config.minMicro,
      max_micro: this.config.maxMicro,
      presets_micro: [...this.config.presetsMicro],
      contact: this.options.contact,
    };
  }

  /**
   * Creates the order and its payment; answers where the customer pays. `origin`: the cabinet's origin as
   * the customer's browser loaded it, where the payment page sends them back unless PUBLIC_URL says otherwise.
   */
  async createOrder(account: { id: string; email: string }, amount: string, origin: string): Promise<OrderView> {
    const provider = this.requireProvider();
    const amountMicro = this.checkedAmount(amount);
    const now = this.clock.now();
    const id = newId('ord', now);
    const base = this.config.returnUrl ?? `${this.options.publicUrl ?? origin}/topup`;
    const order: PaymentOrderRow = {
      id,
      user_id: account.id,
      provider: provider.id,
      amount_micro: amountMicro,
      currency: 'RUB',
      status: 'pending',
      payment_id: null,
      confirmation_url: null,
      return_url: `${base}${base.includes('?') ? '&' : '?'}order=${encodeURIComponent(id)}`,
      failure_reason: null,
      refunded_micro: 0,
      receipt_email: this.config.yookassa?.receipts ? account.email : null,
      ledger_entry_id: null,
      created_at: now,
      updated_at: now,
      settled_at: null,
    };
    await this.store.payments.insertOrder(order);
    try {
      await this.createPayment(provider, order);
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      this.log.warn({ order: order.id, status: err.status, code: err.code }, `creating a payment failed: ${err.message}`);
      if (err.definite) {
        await this.store.payments.closeOrder(order.id, 'canceled', `the payment could not be created: ${err.code ?? err.status}`, this.clock.now());
        throw new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'The payment provider refused to create the payment. Try another amount or contact support.');
      }
      throw new GatewayError('TG_ERR_UNAVAILABLE', 'The payment provider did not answer. Nothing was charged; try again in a minute.');
    }
    return orderView((await this.store.payments.findOrder(order.id))!);
  }

  /** The customer's orders, newest first, a page of `limit`. */
  async listOrders(userId: string, limit: number, before?: string): Promise<AccountPage<OrderView>> {
    return accountPage((await this.store.payments.listOrders({ userId, limit: limit + 1, before })).map(orderView), limit);
  }

  /**
   * One order of the customer's. A pending one is read back from the provider first, so the page the
   * customer returns to shows the outcome without waiting for the notification.
   */
  async order(userId: string, orderId: string): Promise<OrderView> {
    let row = await this.store.payments.findOrder(orderId);
    if (!row || row.user_id !== userId) throw notFound(`Order ${orderId} not found.`);
    if (row.status === 'pending' && row.payment_id !== null && this.provider && this.mayReadBack(orderId)) {
      await this.settle(row).catch((err: unknown) => this.log.warn({ err, order: orderId }, 'reading a payment back failed'));
      row = (await this.store.payments.findOrder(orderId))!;
    }
    return orderView(row);
  }

  /** The console's list: every customer's orders, newest first. */
  async adminOrders(filter: OrderFilter): Promise<AccountPage<OrderView & { user_id: string; payment_id: string | null }>> {
    const rows = await this.store.payments.listOrders({ ...filter, limit: filter.limit + 1 });
    return accountPage(rows.map((row) => ({ ...orderView(row), user_id: row.user_id, payment_id: row.payment_id })), filter.limit);
  }

  /** One order with its refunds and every notification that named its payment. */
  async adminOrder(orderId: string): Promise<AdminOrderView> {
    const row = await this.store.payments.findOrder(orderId);
    if (!row) throw notFound(`Order ${orderId} not found.`);
    const [refunds, events] = await Promise.all([this.store.refunds.forOrder(row.id), row.payment_id ? this.store.payments.eventsFor(row.payment_id) : []]);
    return adminOrderView(row, refunds, events);
  }

  /** Reads the payment back and credits, closes or leaves the order as the provider's answer says. */
  async settle(order: PaymentOrderRow): Promise<SettleOutcome> {
    const provider = this.requireProvider();
    if (order.payment_id === null) return 'still_pending';
    const payment = await provider.getPayment(order.payment_id);
    const mismatch = mismatchOf(order, payment);
    if (mismatch) {
      this.log.error({ order: order.id, payment: payment.id }, `payment does not match its order (${mismatch}): not credited`);
      return `refused: ${mismatch}`;
    }
    if (payment.status === 'succeeded' && payment.paid) {
      const outcome = await this.store.payments.creditOrder(order.id, provider.id, payment.id, this.clock.now());
      if (!outcome.credited) return outcome.reason === 'no_order' ? 'unknown_payment' : 'already_credited';
      this.store.billing.forget({ userId: order.user_id });
      this.log.info({ order: order.id, user: order.user_id, amount_micro: order.amount_micro }, 'top-up credited');
      return 'credited';
    }
    if (payment.status === 'canceled') {
      await this.store.payments.closeOrder(order.id, 'canceled', payment.cancellationReason ?? 'canceled', this.clock.now());
      return 'canceled';
    }
    return 'still_pending';
  }

  /** Settles the order of a provider's payment id (a notification names one); unknown ids change nothing. */
  async settlePayment(paymentId: string): Promise<SettleOutcome> {
    const order = await this.store.payments.findByPaymentId(this.requireProvider().id, paymentId);
    if (!order) return 'unknown_payment';
    if (order.status === 'succeeded') return 'already_credited';
    return this.settle(order);
  }

  /** Asks for the order's payment again with the same idempotence key: the provider answers the one it made. */
  async createPayment(provider: PaymentProvider, order: PaymentOrderRow): Promise<ProviderPayment> {
    const payment = await provider.createPayment({
      orderId: order.id,
      userId: order.user_id,
      amountMicro: order.amount_micro,
      returnUrl: order.return_url,
      description: `Пополнение баланса, заказ ${order.id}`,
      receiptEmail: order.receipt_email ?? undefined,
    });
    await this.store.payments.attachPayment(order.id, payment.id, payment.confirmationUrl ?? null, this.clock.now());
    return payment;
  }

  private mayReadBack(orderId: string): boolean {
    const now = this.clock.now();
    if (now - (this.readBackAt.get(orderId) ?? 0) < READ_BACK_EVERY_MS) return false;
    if (this.readBackAt.size > 10_000) this.readBackAt.clear();
    this.readBackAt.set(orderId, now);
    return true;
  }

  requireProvider(): PaymentProvider {
    if (!this.provider) throw new GatewayError('TG_ERR_FORBIDDEN', 'Online top-ups are not enabled on this gateway (PAYMENTS_PROVIDER is not set).');
    return this.provider;
  }

  private checkedAmount(amount: string): number {
    const micro = parseRublesToMicro(amount);
    if (micro === undefined || micro % KOPECK_MICRO !== 0) throw badRequest('The amount must be rubles with at most two decimals, e.g. "500" or "499.90".', 'amount');
    const { minMicro, maxMicro } = this.config;
    if (micro < minMicro || micro > maxMicro) throw badRequest(`The amount must be from ${minMicro / 1_000_000} to ${maxMicro / 1_000_000} ₽.`, 'amount');
    return micro;
  }
}

/** Why a payment read back cannot be this order's, or undefined when it is. */
function mismatchOf(order: PaymentOrderRow, payment: ProviderPayment): string | undefined {
  if (payment.id !== order.payment_id) return 'another payment id';
  if (payment.orderId !== order.id) return 'metadata names another order';
  if (payment.userId !== order.user_id) return 'metadata names another user';
  if (payment.currency !== order.currency) return `currency ${payment.currency}`;
  if (payment.amountMicro !== order.amount_micro) return `amount ${payment.amountMicro} instead of ${order.amount_micro}`;
  return undefined;
}
