import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Iso, Micro, Id, PageLimit, RateLimit } from './common.js';
import { CabinetBalance, CabinetKey } from './cabinet.js';

/**
 * The admin console's API (`/api/admin/*`): bodies, queries and answers. Money is integer micro-rubles
 * in `*_micro` fields, USD and rates are decimal strings, times ISO 8601. Answers are serialized through
 * these schemas, so a field that is not declared here never leaves the server. A user's requests and
 * ledger come in the cabinet's shapes (`RequestsQuery` → `RequestPage`, `LedgerQuery` → `LedgerPage`).
 */


export const AdminRole = Type.Union([Type.Literal('admin'), Type.Literal('user')]);
export type AdminRole = Static<typeof AdminRole>;

export const AdminIdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type AdminIdParams = Static<typeof AdminIdParams>;

// ── Users ─────────────────────────────────────────────────────────────────────────────────────────────

export const AdminUsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'a substring of the email' })),
    limit: Type.Optional(PageLimit),
    before: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type AdminUsersQuery = Static<typeof AdminUsersQuery>;

export const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: AdminRole,
  status: Type.Union([Type.Literal('active'), Type.Literal('blocked')]),
  balance_micro: Micro,
  created_at: Iso,
  /** Keys not revoked. */
  keys: Type.Integer(),
  last_request_at: Nullable(Iso),
  /** The account's own fair-use limits, for all its keys together; null: none of its own (the operator's default, if any). */
  rpm_limit: Nullable(RateLimit),
  tpm_limit: Nullable(RateLimit),
  concurrency_limit: Nullable(RateLimit),
});
export type AdminUser = Static<typeof AdminUser>;

export const AdminUserPage = Type.Object({
  data: Type.Array(AdminUser),
  has_more: Type.Boolean(),
  next_before: Nullable(Type.String()),
});
export type AdminUserPage = Static<typeof AdminUserPage>;

export const AdminUserDetail = Type.Object({
  user: AdminUser,
  /** The user's money as their own cabinet shows it (held, available, the month's spend). */
  balance: CabinetBalance,
  keys: Type.Array(CabinetKey),
});
export type AdminUserDetail = Static<typeof AdminUserDetail>;

export const AdminCreditBody = Type.Object(
  {
    amount_micro: Type.Integer({ not: { const: 0 }, minimum: -1e15, maximum: 1e15, description: 'signed: negative debits' }),
    note: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type AdminCreditBody = Static<typeof AdminCreditBody>;

export const AdminCreditHeaders = Type.Object({
  'idempotency-key': Type.String({ minLength: 1, maxLength: 200, description: 'a retry with the same key credits once' }),
});
export type AdminCreditHeaders = Static<typeof AdminCreditHeaders>;

export const AdminCreditAnswer = Type.Object({ balance_micro: Micro, entry_id: Type.String() });
export type AdminCreditAnswer = Static<typeof AdminCreditAnswer>;

/** All three are set at once: null removes the account's own limit. */
export const AdminLimitsBody = Type.Object(
  { rpm_limit: Nullable(RateLimit), tpm_limit: Nullable(RateLimit), concurrency_limit: Nullable(RateLimit) },
  { additionalProperties: false },
);
export type AdminLimitsBody = Static<typeof AdminLimitsBody>;

export const AdminRoleBody = Type.Object({ role: AdminRole }, { additionalProperties: false });
export type AdminRoleBody = Static<typeof AdminRoleBody>;

export const AdminResetLink = Type.Object({ url: Type.String(), expires_at: Iso });
export type AdminResetLink = Static<typeof AdminResetLink>;

// ── Models, prices and billing settings ───────────────────────────────────────────────────────────────

/** USD prices as the catalog holds them (`input_per_mtok`, …, `per_image`), decimal strings. */
const Prices = Type.Record(Type.String(), Type.Unknown());

export const AdminModel = Type.Object({
  id: Type.String({ description: 'provider/model' }),
  provider: Type.String(),
  model: Type.String(),
  aliases: Type.Array(Type.String()),
  ops: Type.Array(Type.String()),
  context_window: Nullable(Type.Integer()),
  max_output_tokens: Nullable(Type.Integer()),
  prices: Prices,
  tiers: Type.Array(Type.Unknown()),
  /** The same prices in rubles at the current rate × markup (what a client is charged), decimal strings; null without a rate. */
  rub_prices: Nullable(Type.Record(Type.String(), Type.String())),
  enabled: Type.Boolean(),
  fallbacks: Type.Array(Type.String()),
  deprecated: Nullable(Type.Object({ date: Nullable(Type.String()), replacement: Nullable(Type.String()) })),
  origin: Type.Union([Type.Literal('seed'), Type.Literal('listed'), Type.Literal('override'), Type.Literal('admin')]),
  price_version: Type.String(),
});
export type AdminModel = Static<typeof AdminModel>;

export const AdminModelList = Type.Object({
  usd_rub_rate: Nullable(Type.String()),
  markup: Type.String(),
  data: Type.Array(AdminModel),
});
export type AdminModelList = Static<typeof AdminModelList>;

export const AdminModelParams = Type.Object({ '*': Type.String({ minLength: 3, maxLength: 300, description: 'provider/model' }) });
export type AdminModelParams = Static<typeof AdminModelParams>;

/** A change to a model (or a new one): only the fields given change; the catalog checks each one. */
export const AdminModelPut = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    prices: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    tiers: Type.Optional(Type.Array(Type.Unknown())),
    ops: Type.Optional(Type.Array(Type.String())),
    aliases: Type.Optional(Type.Array(Type.String())),
    context_window: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    max_output_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    fallbacks: Type.Optional(Type.Array(Type.String(), { maxItems: 4 })),
    deprecated: Type.Optional(Type.Union([Type.Boolean(), Type.String(), Type.Null()])),
    replacement: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AdminModelPut = Static<typeof AdminModelPut>;

export const AdminSettings = Type.Object({
  usd_rub_rate: Nullable(Type.String()),
  /** `admin` (set here), `env` (USD_RUB_RATE) or `shipped` (tollgate's default). */
  usd_rub_rate_source: Nullable(Type.Union([Type.Literal('admin'), Type.Literal('env'), Type.Literal('shipped')])),
  markup: Type.String(),
  allow_unpriced_models: Type.Boolean(),
});
export type AdminSettings = Static<typeof AdminSettings>;

const PositiveDecimal = Type.String({ pattern: '^[0-9]+(\\.[0-9]{1,6})?$', maxLength: 30 });

export const AdminSettingsPut = Type.Object(
  {
    usd_rub_rate: Type.Optional(PositiveDecimal),
    markup: Type.Optional(PositiveDecimal),
    allow_unpriced_models: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AdminSettingsPut = Static<typeof AdminSettingsPut>;

// ── Upstreams ─────────────────────────────────────────────────────────────────────────────────────────

export const AdminUpstreamKey = Type.Object({
  /** `…abcd`: the last 4 characters, never the whole key. */
  label: Type.String(),
  resting_until: Nullable(Iso),
  last_error: Nullable(
    Type.Union([Type.Literal('unauthorized'), Type.Literal('rate_limited'), Type.Literal('server_error'), Type.Literal('timeout'), Type.Literal('unreachable')]),
  ),
  last_error_at: Nullable(Iso),
});
export type AdminUpstreamKey = Static<typeof AdminUpstreamKey>;

export const AdminUpstream = Type.Object({
  provider: Type.String(),
  base_url: Type.String(),
  dialect: Type.String(),
  mounts: Type.Array(Type.String()),
  configured: Type.Boolean(),
  keys: Type.Array(AdminUpstreamKey),
});
export type AdminUpstream = Static<typeof AdminUpstream>;

export const AdminUpstreamList = Type.Object({ data: Type.Array(AdminUpstream) });
export type AdminUpstreamList = Static<typeof AdminUpstreamList>;

// ── Overview ──────────────────────────────────────────────────────────────────────────────────────────

export const AdminOverviewQuery = Type.Object(
  { days: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(30), Type.Literal(90)], { default: 30 })) },
  { additionalProperties: false },
);
export type AdminOverviewQuery = Static<typeof AdminOverviewQuery>;

export const AdminOverview = Type.Object({
  from: Iso,
  to: Iso,
  /** Every UTC day of the period, oldest first, zeros included. */
  days: Type.Array(
    Type.Object({ date: Type.String({ description: 'YYYY-MM-DD' }), requests: Type.Integer(), errors: Type.Integer(), cost_micro: Micro, users_active: Type.Integer() }),
  ),
  top_users: Type.Array(Type.Object({ id: Type.String(), email: Type.String(), cost_micro: Micro, requests: Type.Integer() })),
  top_models: Type.Array(Type.Object({ model: Nullable(Type.String()), cost_micro: Micro, requests: Type.Integer() })),
});
export type AdminOverview = Static<typeof AdminOverview>;

// ── Audit log ─────────────────────────────────────────────────────────────────────────────────────────

export const AdminAuditQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    before: Type.Optional(Id),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    target: Type.Optional(
      Type.String({ maxLength: 200, description: 'Exact match on what was acted on: a user id, a key id, `openai/gpt-4o`; a user’s email means that user’s id.' }),
    ),
  },
  { additionalProperties: false },
);
export type AdminAuditQuery = Static<typeof AdminAuditQuery>;

export const AdminAuditEntry = Type.Object({
  id: Type.String(),
  created_at: Iso,
  /** The admin's email, `admin-token` (the bearer token on /admin/*) or `cli`. */
  actor: Type.String(),
  actor_user_id: Nullable(Type.String()),
  /** e.g. `user.credit`, `user.block`, `model.update`, `settings.update`, `key.revoke`. */
  action: Type.String(),
  target: Nullable(Type.String()),
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  ip: Nullable(Type.String()),
});
export type AdminAuditEntry = Static<typeof AdminAuditEntry>;

export const AdminAuditPage = Type.Object({
  data: Type.Array(AdminAuditEntry),
  has_more: Type.Boolean(),
  next_before: Nullable(Type.String()),
});
export type AdminAuditPage = Static<typeof AdminAuditPage>;
