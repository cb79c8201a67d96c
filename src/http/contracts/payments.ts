import { Type, type Static } from '@sinclair/typebox';
import { Id, Iso, Micro, Nullable, PageLimit } from './common.js';

/**
 * Top-ups (`/api/topup`, `/api/payments`, `/api/admin/payments`): the customer pays the provider
 * (YooKassa) in rubles; the balance is credited once the payment, read back from the provider, is paid.
 */

export const TopupOptions = Type.Object({
  /** Whether online payment is enabled (PAYMENTS_PROVIDER); when not, `contact` says how to top up. */
  available: Type.Boolean(),
  provider: Nullable(Type.String()),
  min_micro: Micro,
  max_micro: Micro,
  presets_micro: Type.Array(Micro),
  contact: Nullable(Type.String()),
});
export type TopupOptions = Static<typeof TopupOptions>;

export const OrderStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('canceled'), Type.Literal('expired')]);
export type OrderStatus = Static<typeof OrderStatus>;

const orderFields = {
  id: Type.String(),
  provider: Type.String(),
  amount_micro: Micro,
  currency: Type.String(),
  status: OrderStatus,
  /** The provider's payment page, while the order waits for payment. */
  confirmation_url: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  refunded_micro: Micro,
  /** Where the 54-ФЗ receipt is mailed by the shop's fiscal service, when receipts are on. */
  receipt_email: Nullable(Type.String()),
  created_at: Iso,
  settled_at: Nullable(Iso),
};

export const Order = Type.Object(orderFields);
export type Order = Static<typeof Order>;

export const CreateOrderBody = Type.Object(
  { amount: Type.String({ pattern: '^\\d{1,9}(\\.\\d{1,2})?$', description: 'rubles, at most two decimals, e.g. "500" or "499.90"' }) },
  { additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const OrderIdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type OrderIdParams = Static<typeof OrderIdParams>;

export const OrdersQuery = Type.Object({ limit: Type.Optional(PageLimit), before: Type.Optional(Id) }, { additionalProperties: false });
export type OrdersQuery = Static<typeof OrdersQuery>;

export const OrderPage = Type.Object({ data: Type.Array(Order), has_more: Type.Boolean(), next_before: Nullable(Type.String()) });
export type OrderPage = Static<typeof OrderPage>;

// ── Admin ──────────────────────────────────────────────────────────────────────────────────────────────

export const AdminOrdersQuery = Type.Object(
  { limit: Type.Optional(PageLimit), before: Type.Optional(Id), user_id: Type.Optional(Id), status: Type.Optional(OrderStatus) },
  { additionalProperties: false },
);
export type AdminOrdersQuery = Static<typeof AdminOrdersQuery>;

const adminOrderFields = { ...orderFields, user_id: Type.String(), payment_id: Nullable(Type.String()) };

export const AdminOrderPage = Type.Object({ data: Type.Array(Type.Object(adminOrderFields)), has_more: Type.Boolean(), next_before: Nullable(Type.String()) });
export type AdminOrderPage = Static<typeof AdminOrderPage>;

export const AdminOrder = Type.Object({
  ...adminOrderFields,
  refunds: Type.Array(
    Type.Object({
      id: Type.String(),
      amount_micro: Micro,
      status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('canceled')]),
      reason: Nullable(Type.String()),
      created_by: Type.String(),
      created_at: Iso,
    }),
  ),
  /** Every notification that named this payment, as received, and what came of it. */
  events: Type.Array(Type.Object({ id: Type.String(), received_at: Iso, source_ip: Nullable(Type.String()), event: Nullable(Type.String()), outcome: Nullable(Type.String()) })),
});
export type AdminOrder = Static<typeof AdminOrder>;

export const RefundBody = Type.Object(
  { amount: Type.Optional(Type.String({ pattern: '^\\d{1,9}(\\.\\d{1,2})?$', description: 'rubles; all that is left when absent' })) },
  { additionalProperties: false },
);
export type RefundBody = Static<typeof RefundBody>;

export const RefundAnswer = Type.Object({
  refund_id: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('canceled')]),
  amount_micro: Micro,
  balance_micro: Micro,
});
export type RefundAnswer = Static<typeof RefundAnswer>;

export const ReconcileAnswer = Type.Object({
  checked: Type.Integer(),
  credited: Type.Integer(),
  canceled: Type.Integer(),
  expired: Type.Integer(),
  failed: Type.Integer(),
  refunds_finished: Type.Integer(),
});
export type ReconcileAnswer = Static<typeof ReconcileAnswer>;
