import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Iso, Micro, Id } from './common.js';

/**
 * Promo codes (issue #13): the customer's `POST /api/promo/redeem` and the admin console's
 * `/api/admin/promo-codes…`. Amounts are given in rubles as decimal strings when a code is created and
 * answered in micro-rubles; codes are case-insensitive (stored upper-case).
 */

const CodeText = Type.String({ minLength: 1, maxLength: 100 });

export const PromoRedeemBody = Type.Object({ code: CodeText }, { additionalProperties: false });
export type PromoRedeemBody = Static<typeof PromoRedeemBody>;

export const PromoRedeemed = Type.Object({
  /** Credited by this redemption. */
  amount_micro: Micro,
  /** The balance after it. */
  balance_micro: Micro,
});
export type PromoRedeemed = Static<typeof PromoRedeemed>;

export const PromoStatus = Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('expired'), Type.Literal('used_up')]);
export type PromoStatus = Static<typeof PromoStatus>;

export const PromoCode = Type.Object({
  id: Type.String(),
  code: Type.String(),
  amount_micro: Micro,
  max_uses: Type.Integer(),
  uses: Type.Integer(),
  new_users_only: Type.Boolean(),
  expires_at: Nullable(Iso),
  disabled_at: Nullable(Iso),
  status: PromoStatus,
  note: Nullable(Type.String()),
  /** The admin who created it (their email, `admin-token` or `cli`). */
  created_by: Type.String(),
  created_at: Iso,
});
export type PromoCode = Static<typeof PromoCode>;

export const PromoCodeList = Type.Object({ data: Type.Array(PromoCode) });
export type PromoCodeList = Static<typeof PromoCodeList>;

export const PromoCreateBody = Type.Object(
  {
    /** Optional: a readable random `TG-XXXX-XXXX` when absent. */
    code: Type.Optional(Nullable(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]*$' }))),
    amount: Type.String({ pattern: '^\\d{1,13}(\\.\\d{1,6})?$', description: 'rubles, a decimal string' }),
    max_uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e9, default: 1 })),
    expires_at: Type.Optional(Nullable(Iso)),
    new_users_only: Type.Optional(Type.Boolean()),
    note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);
export type PromoCreateBody = Static<typeof PromoCreateBody>;

export const PromoIdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type PromoIdParams = Static<typeof PromoIdParams>;

export const PromoRedemption = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  email: Type.String(),
  amount_micro: Micro,
  ledger_entry_id: Type.String(),
  created_at: Iso,
});
export type PromoRedemption = Static<typeof PromoRedemption>;

export const PromoCodeDetail = Type.Object({ code: PromoCode, redemptions: Type.Array(PromoRedemption) });
export type PromoCodeDetail = Static<typeof PromoCodeDetail>;
