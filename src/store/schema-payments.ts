/** The tables of top-ups and promo codes (migration 0010); `Database` in schema.ts includes them. */

export type PaymentOrderStatus = 'pending' | 'succeeded' | 'canceled' | 'expired';

export interface PaymentOrdersTable {
  /** tollgate's order id; also the Idempotence-Key of the payment's creation. */
  id: string;
  user_id: string;
  /** `yookassa`. */
  provider: string;
  amount_micro: number;
  currency: string;
  status: PaymentOrderStatus;
  /** The provider's payment id, once the payment is created (null while the create is unanswered). */
  payment_id: string | null;
  /** Where the customer pays (the provider's page). */
  confirmation_url: string | null;
  /** Where the provider's page sends the customer back (kept for a create asked again by reconciliation). */
  return_url: string;
  /** Why a payment did not go through (the provider's cancellation reason), or why the order expired. */
  failure_reason: string | null;
  refunded_micro: number;
  /** The email a 54-ФЗ receipt went to, when receipts are on. */
  receipt_email: string | null;
  /** The top-up's ledger row, once credited. */
  ledger_entry_id: string | null;
  created_at: number;
  updated_at: number;
  settled_at: number | null;
}

/** Every notification as it arrived, written before it is acted on. */
export interface PaymentEventsTable {
  id: string;
  provider: string;
  received_at: number;
  source_ip: string | null;
  /** e.g. `payment.succeeded`; null when the body could not be read. */
  event: string | null;
  /** The payment's or refund's id the notification names. */
  object_id: string | null;
  /** The body as received (cut at 64 KiB). */
  body: string;
  /** What came of it: `credited`, `no_change`, `refused: …`, `unknown_payment`, `error: …`. */
  outcome: string | null;
  processed_at: number | null;
}

export type PaymentRefundStatus = 'pending' | 'succeeded' | 'canceled';

export interface PaymentRefundsTable {
  /** tollgate's refund id; also the Idempotence-Key of the refund's creation. */
  id: string;
  order_id: string;
  user_id: string;
  provider: string;
  /** The provider's refund id, once created. */
  refund_id: string | null;
  amount_micro: number;
  status: PaymentRefundStatus;
  reason: string | null;
  /** Who refunded (an admin's email, `admin-token` or `cli`). */
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface PromoCodesTable {
  id: string;
  /** As the customer types it, stored upper-case. */
  code: string;
  amount_micro: number;
  max_uses: number;
  uses: number;
  /** 1: only accounts created after the code may redeem it. */
  new_users_only: number;
  expires_at: number | null;
  disabled_at: number | null;
  note: string | null;
  created_by: string;
  created_at: number;
}

export interface PromoRedemptionsTable {
  id: string;
  code_id: string;
  user_id: string;
  amount_micro: number;
  ledger_entry_id: string;
  created_at: number;
}
