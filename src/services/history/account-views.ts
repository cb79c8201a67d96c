import type { LedgerRow, RequestRow } from '../../store/index.js';

/** One call in a customer's history: tokens, cost (micro-rubles), latency; never a prompt (none is stored). */
export interface AccountRequestView {
  id: string;
  created_at: string;
  key_id: string | null;
  key_name: string | null;
  model: string | null;
  provider: string | null;
  surface: string;
  method: string;
  path: string;
  status: number;
  stream: boolean;
  latency_ms: number;
  input_tokens: number | null;
  cached_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  cost_micro: number | null;
}

/** The row opened: what was metered and how it was priced. */
export interface AccountRequestDetail extends AccountRequestView {
  cache_write_tokens: number | null;
  upstream_request_id: string | null;
  error: string | null;
  usage_source: string | null;
  cost_usd: string | null;
  usd_rub_rate: string | null;
  price_version: string | null;
}

export interface AccountLedgerView {
  id: string;
  kind: string;
  amount_micro: number;
  balance_after_micro: number;
  note: string | null;
  request_id: string | null;
  key_id: string | null;
  created_at: string;
}

/** A page, newest first; `next_before` is the last row's id when older rows exist. */
export interface AccountPage<T> {
  data: T[];
  has_more: boolean;
  next_before: string | null;
}

export function accountPage<T extends { id: string }>(rows: T[], limit: number): AccountPage<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data, has_more: hasMore, next_before: hasMore ? (data.at(-1)?.id ?? null) : null };
}

export function accountRequestView(row: RequestRow, keyName: string | null): AccountRequestView {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    key_id: row.key_id,
    key_name: keyName,
    model: row.model,
    provider: row.provider,
    surface: row.surface,
    method: row.method,
    path: row.path,
    status: row.status,
    stream: row.stream === 1,
    latency_ms: row.latency_ms,
    input_tokens: row.input_tokens,
    cached_tokens: row.cached_tokens,
    output_tokens: row.output_tokens,
    reasoning_tokens: row.reasoning_tokens,
    cost_micro: row.cost_micro,
  };
}

export function accountRequestDetail(row: RequestRow, keyName: string | null): AccountRequestDetail {
  return {
    ...accountRequestView(row, keyName),
    cache_write_tokens: row.cache_write_tokens,
    upstream_request_id: row.upstream_request_id,
    error: row.error,
    usage_source: row.usage_source,
    cost_usd: row.cost_usd,
    usd_rub_rate: row.usd_rub_rate,
    price_version: row.price_version,
  };
}

export function accountLedgerView(row: LedgerRow): AccountLedgerView {
  return {
    id: row.id,
    kind: row.kind,
    amount_micro: row.amount_micro,
    balance_after_micro: row.balance_after_micro,
    note: row.note,
    request_id: row.request_id,
    key_id: row.key_id,
    created_at: new Date(row.created_at).toISOString(),
  };
}
