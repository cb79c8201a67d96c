import type { Generated } from 'kysely';
import type { PaymentEventsTable, PaymentOrdersTable, PaymentRefundsTable, PromoCodesTable, PromoRedemptionsTable } from './schema-payments.js';

/** Row shapes as stored. Money columns end in `_micro` (integer micro-rubles); times are epoch milliseconds. */
export interface UsersTable {
  id: string;
  email: string;
  password_hash: string | null;
  status: string;
  /** `admin` or `user` (migration 0009): admins may use the dashboard's admin console. */
  role: Generated<string>;
  balance_micro: number;
  /** Money held for requests in flight; available = balance − held. */
  held_micro: Generated<number>;
  created_at: number;
  updated_at: number;
  /** Fair-use limits of the account, for all its keys together (migration 0011); null: the operator's default. */
  rpm_limit: Generated<number | null>;
  tpm_limit: Generated<number | null>;
  concurrency_limit: Generated<number | null>;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  key_hash: string;
  prefix: string;
  name: string | null;
  status: string;
  allow_balance: number;
  budget_limit_micro: number | null;
  budget_used_micro: Generated<number>;
  models: string | null;
  monthly_limit_micro: number | null;
  monthly_used_micro: Generated<number>;
  /** The month (`YYYY-MM`, UTC) `monthly_used_micro` counts; another month means nothing used yet. */
  monthly_period: string | null;
  /** Money held for this key's requests in flight; counts against both the budget and the monthly limit. */
  held_micro: Generated<number>;
  expires_at: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Fair-use limits of this key (migration 0011); null: the operator's default, if any. */
  rpm_limit: Generated<number | null>;
  tpm_limit: Generated<number | null>;
  concurrency_limit: Generated<number | null>;
}

export interface LedgerEntriesTable {
  id: string;
  user_id: string;
  kind: string;
  amount_micro: number;
  balance_after_micro: number;
  request_id: string | null;
  key_id: string | null;
  note: string | null;
  created_at: number;
  /** Charges only: the exact USD cost, the rate that converted it, and the cost in billionths of a USD. */
  cost_usd: string | null;
  usd_rub_rate: string | null;
  usd_nano: number | null;
  /** Admin credits and debits: the client's `Idempotency-Key`, unique per user (migration 0006). */
  idempotency_key: string | null;
}

/** Money reserved for one request in flight; released when it settles, fails, or expires. */
export interface HoldsTable {
  request_id: string;
  user_id: string;
  key_id: string;
  amount_micro: number;
  node_id: string;
  created_at: number;
  expires_at: number;
}

export interface RequestsTable {
  id: string;
  user_id: string | null;
  key_id: string | null;
  surface: string;
  provider: string | null;
  model: string | null;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  error: string | null;
  upstream_request_id: string | null;
  stream: number;
  created_at: number;
  input_tokens: number | null;
  cached_tokens: number | null;
  cache_write_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  /**
   * reported: the provider's usage; partial: a cut stream's usage so far; counted: the delivered text's
   * tokens plus the estimated input; request: billed from the request (speech, images); capped: reported
   * above what the request allowed (see reported_usage); estimated: the admission's input estimate (in
   * flight, or interrupted by a crash); none: nothing billable.
   */
  usage_source: string | null;
  cost_micro: number | null;
  cost_usd: string | null;
  usd_rub_rate: string | null;
  price_version: string | null;
  /** Set when the provider's usage was above what the request allowed and was capped: what it reported (JSON). */
  reported_usage: string | null;
}

/** A gateway node's lease on PostgreSQL: a node whose lease ran out is dead, and any other settles its holds. */
export interface NodesTable {
  id: string;
  started_at: number;
  /** Epoch ms on the database's clock (all nodes compare against the same clock). */
  lease_until: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface ModelOverridesTable {
  provider: string;
  model: string;
  /** The model object in the catalog's wire form (JSON). */
  data: string;
  updated_at: number;
}

/** A stored Responses API response of a bridged provider (migration 0008). */
export interface ResponsesTable {
  /** `resp_…`; its output items' ids derive from it (`msg_<suffix>`, `fc_<suffix>_<n>`). */
  id: string;
  key_id: string;
  user_id: string;
  model: string;
  created_at: number;
  expires_at: number;
  /** Bytes of `data`. */
  size_bytes: number;
  /** JSON `StoredResponseData` (repos/responses-repo.ts). */
  data: string;
}

/** A dashboard session (migration 0009): the cookie holds a random secret, the row only its sha256. */
export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  /** The secret @fastify/csrf derives this session's CSRF tokens from; never leaves the server. */
  csrf_secret: string;
  created_at: number;
  /** Updated at most once a minute; the sliding expiry moves with it. */
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  /** Set by a logout, a password change or reset, a block: the session is over on every node. */
  revoked_at: number | null;
}

/** A one-time password reset link's token (sha256 of it); `used_at` set once it was used. */
export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Who issued it: `self` (the forgot-password form), `admin:<user id>`, `cli`. */
  created_by: string | null;
}

/** Failed logins per scope (`acct:<email>` or `ip:<address>`): the throttle's state, shared by every node. */
export interface LoginFailuresTable {
  scope_key: string;
  failures: number;
  /** Epoch ms until which every attempt in this scope is refused; 0 when none is. */
  locked_until: Generated<number>;
  updated_at: number;
}

/** One admin action (migration 0009). */
export interface AuditLogTable {
  id: string;
  /** The acting user, when a dashboard admin acted; null for the admin token and the CLI. */
  actor_user_id: string | null;
  /** Who acted, as shown: the admin's email, `admin-token` or `cli`. */
  actor: string;
  /** What was done, e.g. `user.credit`, `user.block`, `catalog.put`. */
  action: string;
  /** What it was done to, e.g. a user id or `openai/gpt-4o`. */
  target: string | null;
  /** JSON object with the action's particulars (never a secret). */
  details: string | null;
  ip: string | null;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  ledger_entries: LedgerEntriesTable;
  requests: RequestsTable;
  settings: SettingsTable;
  model_overrides: ModelOverridesTable;
  holds: HoldsTable;
  nodes: NodesTable;
  responses: ResponsesTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  payment_orders: PaymentOrdersTable;
  payment_events: PaymentEventsTable;
  payment_refunds: PaymentRefundsTable;
  promo_codes: PromoCodesTable;
  promo_redemptions: PromoRedemptionsTable;
}
