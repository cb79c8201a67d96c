import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Iso, Micro, Id, PageLimit, RateLimit } from './common.js';

/**
 * The customer cabinet's API (`/api/balance`, `/api/keys`, `/api/requests`, `/api/usage`, `/api/ledger`,
 * `/api/models`, `/api/quickstart`): bodies, queries and answers, always about the signed-in account.
 * Money is integer micro-rubles in `*_micro` fields, USD, rates and ruble prices are exact decimal
 * strings, times ISO 8601. Answers are serialized through these schemas, so a column that is not
 * declared here (a key's hash, above all) never leaves the server.
 */

const Limit = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'micro-rubles; null: no limit' });
const DecimalText = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' });
const ModelPattern = Type.String({ pattern: '^[A-Za-z0-9._:/*@-]{1,200}$' });

// ── Balance ────────────────────────────────────────────────────────────────────────────────────────────

export const CabinetBalance = Type.Object({
  balance_micro: Micro,
  /** Held for calls in flight; available = balance − held (never below 0). */
  held_micro: Micro,
  available_micro: Micro,
  /** The available money in USD at the rate and markup calls are charged at (rounded down); null without a rate. */
  usd: Nullable(DecimalText),
  usd_rub_rate: Nullable(DecimalText),
  /** Charged in the current UTC month. */
  month_spend_micro: Micro,
  topup: Type.Object({ available: Type.Boolean(), contact: Nullable(Type.String()) }),
});
export type CabinetBalance = Static<typeof CabinetBalance>;

// ── Keys ───────────────────────────────────────────────────────────────────────────────────────────────

export const CabinetKeyStatus = Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('revoked'), Type.Literal('expired')]);
export type CabinetKeyStatus = Static<typeof CabinetKeyStatus>;

export const CabinetKey = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  /** The key's first characters (`tg-AbCd…`), what it is recognised by; the secret is never shown again. */
  prefix: Type.String(),
  /** `expired`: active, but its `expires_at` has passed. */
  status: CabinetKeyStatus,
  allow_balance: Type.Boolean(),
  budget_limit_micro: Nullable(Micro),
  budget_used_micro: Micro,
  monthly_limit_micro: Nullable(Micro),
  /** This UTC month's charges (0 when the key has not been charged this month). */
  monthly_used_micro: Micro,
  models: Nullable(Type.Array(Type.String())),
  expires_at: Nullable(Iso),
  created_at: Iso,
  last_used_at: Nullable(Iso),
  /** Everything charged through the key, ever. */
  spend_micro: Micro,
  /** Fair-use limits of the key alone (the account's own apply too); null: none. */
  rpm_limit: Nullable(RateLimit),
  tpm_limit: Nullable(RateLimit),
  concurrency_limit: Nullable(RateLimit),
});
export type CabinetKey = Static<typeof CabinetKey>;

export const CabinetKeyList = Type.Object({ data: Type.Array(CabinetKey) });
export type CabinetKeyList = Static<typeof CabinetKeyList>;

const keySettings = {
  name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  budget_limit_micro: Type.Optional(Nullable(Limit)),
  monthly_limit_micro: Type.Optional(Nullable(Limit)),
  /** Model names or patterns (`gpt-4o*`, `anthropic/*`); null: every model. */
  models: Type.Optional(Nullable(Type.Array(ModelPattern, { maxItems: 500 }))),
  expires_at: Type.Optional(Nullable(Iso)),
  /** May the key read the account's balance (`/proxyapi/balance`, `/v1/requests?scope=account`); off by default. */
  allow_balance: Type.Optional(Type.Boolean()),
  /** Requests per minute, tokens per minute, calls in flight; null: no limit of the key's own. */
  rpm_limit: Type.Optional(Nullable(RateLimit)),
  tpm_limit: Type.Optional(Nullable(RateLimit)),
  concurrency_limit: Type.Optional(Nullable(RateLimit)),
};

export const CreateKeyBody = Type.Object(keySettings, { additionalProperties: false });
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const UpdateKeyBody = Type.Object(
  { ...keySettings, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused')], { description: 'pause or resume' })) },
  { additionalProperties: false },
);
export type UpdateKeyBody = Static<typeof UpdateKeyBody>;

export const CreatedKey = Type.Object({
  key: CabinetKey,
  /** The secret `tg-…`: shown in this answer only, never again. */
  secret: Type.String(),
});
export type CreatedKey = Static<typeof CreatedKey>;

export const KeyAnswer = Type.Object({ key: CabinetKey });
export type KeyAnswer = Static<typeof KeyAnswer>;

export const KeyIdParams = Type.Object({ id: Id });
export type KeyIdParams = Static<typeof KeyIdParams>;

// ── Request history ────────────────────────────────────────────────────────────────────────────────────

export const RequestsQuery = Type.Object(
  {
    limit: Type.Optional(PageLimit),
    /** `next_before` of the previous page. */
    before: Type.Optional(Id),
    key_id: Type.Optional(Id),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** ok (2xx/3xx), error (4xx/5xx or interrupted), or one HTTP status code. */
    status: Type.Optional(Type.String({ pattern: '^(ok|error|[1-5]\\d\\d)$' })),
    /** Calls made at or after this time. */
    from: Type.Optional(Iso),
    /** Calls made before this time. */
    to: Type.Optional(Iso),
  },
  { additionalProperties: false },
);
export type RequestsQuery = Static<typeof RequestsQuery>;

export const CabinetRequest = Type.Object({
  id: Type.String(),
  created_at: Iso,
  key_id: Nullable(Type.String()),
  key_name: Nullable(Type.String()),
  model: Nullable(Type.String()),
  provider: Nullable(Type.String()),
  /** Where it came in: `native` (a provider's own API) or `unified` (`/v1`). */
  surface: Type.String(),
  method: Type.String(),
  path: Type.String(),
  /** The HTTP status answered; 0 while in flight (or when a crash interrupted it). */
  status: Type.Integer(),
  stream: Type.Boolean(),
  latency_ms: Type.Integer(),
  input_tokens: Nullable(Type.Integer()),
  cached_tokens: Nullable(Type.Integer()),
  output_tokens: Nullable(Type.Integer()),
  reasoning_tokens: Nullable(Type.Integer()),
  cost_micro: Nullable(Micro),
});
export type CabinetRequest = Static<typeof CabinetRequest>;

export const CabinetRequestDetail = Type.Object({
  ...CabinetRequest.properties,
  cache_write_tokens: Nullable(Type.Integer()),
  upstream_request_id: Nullable(Type.String()),
  error: Nullable(Type.String()),
  /** reported, partial, counted, request, capped, estimated or none (see the README's history section). */
  usage_source: Nullable(Type.String()),
  cost_usd: Nullable(DecimalText),
  usd_rub_rate: Nullable(DecimalText),
  price_version: Nullable(Type.String()),
});
export type CabinetRequestDetail = Static<typeof CabinetRequestDetail>;

export const RequestIdParams = Type.Object({ id: Id });
export type RequestIdParams = Static<typeof RequestIdParams>;

export const RequestPage = Type.Object({
  data: Type.Array(CabinetRequest),
  has_more: Type.Boolean(),
  /** Pass as `before` for the next (older) page; null on the last. */
  next_before: Nullable(Type.String()),
});
export type RequestPage = Static<typeof RequestPage>;

// ── Usage series ───────────────────────────────────────────────────────────────────────────────────────

export const UsageQuery = Type.Object(
  { days: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(30), Type.Literal(90)], { default: 30 })) },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuery>;

export const UsageDay = Type.Object({
  /** The UTC day, `YYYY-MM-DD`. */
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  requests: Type.Integer(),
  errors: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cost_micro: Micro,
  /** Cost per model (`provider`-less model names as recorded); models without calls that day are absent. */
  by_model: Type.Record(Type.String(), Micro),
});
export type UsageDay = Static<typeof UsageDay>;

export const UsageSeries = Type.Object({
  /** The first day's start and the last day's end (exclusive), UTC; the last day is today. */
  from: Iso,
  to: Iso,
  /** Every day of the range, oldest first, zeros included. */
  days: Type.Array(UsageDay),
});
export type UsageSeries = Static<typeof UsageSeries>;

// ── Ledger ─────────────────────────────────────────────────────────────────────────────────────────────

export const LedgerQuery = Type.Object({ limit: Type.Optional(PageLimit), before: Type.Optional(Id) }, { additionalProperties: false });
export type LedgerQuery = Static<typeof LedgerQuery>;

export const LedgerEntry = Type.Object({
  id: Type.String(),
  /** credit, debit (the operator's), charge (a call). */
  kind: Type.String(),
  /** Signed: charges and debits are negative. */
  amount_micro: Micro,
  balance_after_micro: Micro,
  note: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  key_id: Nullable(Type.String()),
  created_at: Iso,
});
export type LedgerEntry = Static<typeof LedgerEntry>;

export const LedgerPage = Type.Object({ data: Type.Array(LedgerEntry), has_more: Type.Boolean(), next_before: Nullable(Type.String()) });
export type LedgerPage = Static<typeof LedgerPage>;

// ── Models and prices ──────────────────────────────────────────────────────────────────────────────────

const RubPrice = Nullable(DecimalText);

export const CabinetModel = Type.Object({
  /** The unified name, `provider/model`. */
  id: Type.String(),
  provider: Type.String(),
  name: Type.String(),
  ops: Type.Array(Type.String()),
  context_window: Nullable(Type.Integer()),
  max_output_tokens: Nullable(Type.Integer()),
  /** Rubles per 1M tokens at the current rate and markup, exact; null when the model has no such price. */
  input_rub_per_mtok: RubPrice,
  cached_input_rub_per_mtok: RubPrice,
  output_rub_per_mtok: RubPrice,
  /**
   * Every price the model has, in rubles, under the catalog's names (`input_per_mtok`, `cache_write_per_mtok`,
   * `per_minute`, `per_request`, `per_million_characters`, `per_image/<size>/<quality>` …).
   */
  prices_rub: Type.Record(Type.String(), DecimalText),
  /** Prices above an input size (long context), in rubles under the same names. */
  tiers_rub: Type.Array(Type.Object({ above_input_tokens: Type.Integer(), prices_rub: Type.Record(Type.String(), DecimalText) })),
  deprecated: Nullable(Type.Object({ date: Nullable(Type.String()), replacement: Nullable(Type.String()) })),
});
export type CabinetModel = Static<typeof CabinetModel>;

export const CabinetModelList = Type.Object({
  /** Null until the operator sets a rate: then no ruble price can be shown (and metered calls are refused). */
  usd_rub_rate: Nullable(DecimalText),
  markup: DecimalText,
  data: Type.Array(CabinetModel),
});
export type CabinetModelList = Static<typeof CabinetModelList>;

// ── Quick start ────────────────────────────────────────────────────────────────────────────────────────

export const Quickstart = Type.Object({
  /** This gateway's origin (PUBLIC_URL, else the origin the page was loaded from). */
  base_url: Type.String(),
  /** Base URLs to give each SDK: `unified` is the OpenAI-compatible `/v1`; the rest are the providers' native APIs. */
  surfaces: Type.Object(
    {
      unified: Type.String(),
      openai: Type.String(),
      anthropic: Type.String(),
      gemini: Type.String(),
      /** Gemini's OpenAI-compatible API (for the OpenAI SDK). */
      gemini_openai: Type.String(),
      xai: Type.String(),
      deepseek: Type.String(),
      openrouter: Type.String(),
    },
    { additionalProperties: Type.String() },
  ),
});
export type Quickstart = Static<typeof Quickstart>;
