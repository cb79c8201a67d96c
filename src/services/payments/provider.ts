/**
 * What tollgate needs from a payment provider: create a payment, read it back, refund it, and make sense of
 * a notification. The ledger, the orders and the webhook's rules live in payments-service.ts and never see
 * a provider's wire format, so another provider (CloudPayments, Robokassa, Stripe) is one more file here.
 */
export interface PaymentProvider {
  readonly id: string;
  /** Creates the payment; the same `orderId` (the idempotence key) never makes a second one. */
  createPayment(request: PaymentRequest): Promise<ProviderPayment>;
  getPayment(paymentId: string): Promise<ProviderPayment>;
  /** Refunds part or all of a paid payment; the same `refundKey` never refunds twice. */
  createRefund(request: RefundRequest): Promise<ProviderRefund>;
  getRefund(refundId: string): Promise<ProviderRefund>;
  /** Whether a notification may have come from the provider (its published addresses). */
  acceptsNotificationFrom(ip: string): boolean;
  /** Reads a notification body as received: what it is about. Never trusted: the payment is read back before any credit. */
  parseNotification(rawBody: string): ProviderNotification | undefined;
}

export interface PaymentRequest {
  orderId: string;
  userId: string;
  amountMicro: number;
  returnUrl: string;
  description: string;
  /** A 54-ФЗ receipt goes to this email when the provider is set to send receipts. */
  receiptEmail: string | undefined;
}

export type PaymentStatus = 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';

export interface ProviderPayment {
  id: string;
  status: PaymentStatus;
  paid: boolean;
  amountMicro: number;
  currency: string;
  /** tollgate's order and user ids, as sent with the create. */
  orderId: string | undefined;
  userId: string | undefined;
  confirmationUrl: string | undefined;
  /** Why it was canceled (`expired_on_confirmation`, `card_expired`, …). */
  cancellationReason: string | undefined;
  refundedMicro: number;
}

export interface RefundRequest {
  refundKey: string;
  paymentId: string;
  amountMicro: number;
  description: string;
}

export interface ProviderRefund {
  id: string;
  paymentId: string;
  status: 'pending' | 'succeeded' | 'canceled';
  amountMicro: number;
}

export type ProviderNotification =
  | { kind: 'payment'; event: string; objectId: string }
  | { kind: 'refund'; event: string; objectId: string; paymentId: string | undefined };

/**
 * A provider's answer that is an error. `definite`: the provider refused the request as such (4xx: it did
 * nothing); otherwise (5xx, timeout, connection) the outcome is unknown and the call is retried later.
 */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly definite: boolean,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PaymentProviderError';
  }
}
