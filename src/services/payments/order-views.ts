import type { PaymentEventRow, PaymentOrderRow, RefundRow } from '../../store/index.js';

/** An order as the cabinet and the console show it (never the provider's secrets or the raw notifications). */
export interface OrderView {
  id: string;
  provider: string;
  amount_micro: number;
  currency: string;
  status: PaymentOrderRow['status'];
  /** Where to pay, while the order waits for payment. */
  confirmation_url: string | null;
  failure_reason: string | null;
  refunded_micro: number;
  /** The email the 54-ФЗ receipt goes to (the fiscal operator mails it); null without receipts. */
  receipt_email: string | null;
  created_at: string;
  settled_at: string | null;
}

export interface RefundView {
  id: string;
  amount_micro: number;
  status: RefundRow['status'];
  reason: string | null;
  created_by: string;
  created_at: string;
}

export interface EventView {
  id: string;
  received_at: string;
  source_ip: string | null;
  event: string | null;
  outcome: string | null;
}

/** What the console adds: whose order, the provider's payment id, refunds and every notification received. */
export interface AdminOrderView extends OrderView {
  user_id: string;
  payment_id: string | null;
  refunds: RefundView[];
  events: EventView[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function orderView(row: PaymentOrderRow): OrderView {
  return {
    id: row.id,
    provider: row.provider,
    amount_micro: row.amount_micro,
    currency: row.currency,
    status: row.status,
    confirmation_url: row.status === 'pending' ? row.confirmation_url : null,
    failure_reason: row.failure_reason,
    refunded_micro: row.refunded_micro,
    receipt_email: row.receipt_email,
    created_at: iso(row.created_at)!,
    settled_at: iso(row.settled_at),
  };
}

export function adminOrderView(row: PaymentOrderRow, refunds: RefundRow[], events: PaymentEventRow[]): AdminOrderView {
  return {
    ...orderView(row),
    user_id: row.user_id,
    payment_id: row.payment_id,
    refunds: refunds.map((r) => ({ id: r.id, amount_micro: r.amount_micro, status: r.status, reason: r.reason, created_by: r.created_by, created_at: iso(r.created_at)! })),
    events: events.map((e) => ({ id: e.id, received_at: iso(e.received_at)!, source_ip: e.source_ip, event: e.event, outcome: e.outcome })),
  };
}
