import { badRequest, notFound } from '../../core/errors.js';
import { microToRubles } from '../../core/money.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { LedgerRow, RequestFilter, RequestRow, Store } from '../../store/index.js';
import {
  accountLedgerView,
  accountPage,
  accountRequestDetail,
  accountRequestView,
  type AccountLedgerView,
  type AccountPage,
  type AccountRequestDetail,
  type AccountRequestView,
} from './account-views.js';
import { usageSeries, usageWindow, type UsageDays, type UsageSeriesView } from './usage-series.js';

export interface RequestView {
  id: string;
  created_at: string;
  key_id: string | null;
  surface: string;
  provider: string | null;
  model: string | null;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  stream: boolean;
  error: string | null;
  upstream_request_id: string | null;
  usage: {
    source: string | null;
    input_tokens: number | null;
    cached_tokens: number | null;
    cache_write_tokens: number | null;
    output_tokens: number | null;
    reasoning_tokens: number | null;
  };
  cost: { rub: number | null; usd: string | null; usd_rub_rate: string | null; price_version: string | null };
}

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  /** Pass as `before` to get the next (older) page. */
  next_before: string | null;
}

const MAX_PAGE = 200;

/** The cabinet's history filters, validated by the route's schema; `status` is ok, error or an HTTP code. */
export interface AccountRequestsQuery {
  limit?: number;
  before?: string;
  key_id?: string;
  model?: string;
  status?: string;
  from?: string;
  to?: string;
}

/** Request history and ledger, read for the client endpoints and the admin API. */
export class HistoryQuery {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  /** `query`: limit, before (id), from / to (ISO 8601), model, status — as strings from a query string. */
  async requests(scope: { userId?: string; keyId?: string }, query: Record<string, string | undefined>): Promise<Page<RequestView>> {
    const limit = pageSize(query['limit']);
    const filter: RequestFilter = { ...scope, ...parseFilter(query) };
    const rows = await this.store.requests.list(filter, limit + 1);
    return page(rows.slice(0, limit).map(requestView), rows.length > limit);
  }

  /**
   * One account's calls for its owner (the cabinet) or the admin console. Always scoped to `userId`: a
   * `key_id` of another user's key, or a `before` id of another user's call, matches nothing of theirs.
   */
  async accountRequests(userId: string, query: AccountRequestsQuery): Promise<AccountPage<AccountRequestView>> {
    const limit = query.limit ?? 50;
    const filter: RequestFilter = { userId, ...accountFilter(query) };
    const [rows, names] = await Promise.all([this.store.requests.list(filter, limit + 1), this.keyNames(userId)]);
    return accountPage(rows.map((row) => accountRequestView(row, nameOf(names, row.key_id))), limit);
  }

  /** One call of the account's; anyone else's id is answered as missing. */
  async accountRequest(userId: string, id: string): Promise<AccountRequestDetail> {
    const row = await this.store.requests.findById(id);
    if (!row || row.user_id !== userId) throw notFound(`Request ${id} not found.`);
    return accountRequestDetail(row, nameOf(await this.keyNames(userId), row.key_id));
  }

  async accountLedger(userId: string, query: { limit?: number; before?: string }): Promise<AccountPage<AccountLedgerView>> {
    const limit = query.limit ?? 50;
    await this.store.billing.flush(); // charges settled a moment ago are listed
    const rows = await this.store.ledger.listByUser(userId, limit + 1, query.before);
    return accountPage(rows.map(accountLedgerView), limit);
  }

  /** Calls, errors, tokens and cost per UTC day (and cost per model) of the last `days` days, today included. */
  async usage(userId: string, days: UsageDays): Promise<UsageSeriesView> {
    const window = usageWindow(this.clock.now(), days);
    await this.store.billing.flush();
    return usageSeries(await this.store.requests.dailyUsage(userId, window.from, window.to), window);
  }

  private async keyNames(userId: string): Promise<Map<string, string | null>> {
    return new Map((await this.store.keys.listByUser(userId)).map((key) => [key.id, key.name]));
  }

  async ledger(userId: string, query: Record<string, string | undefined>): Promise<Page<LedgerView>> {
    if (!(await this.store.users.findById(userId))) throw notFound(`User ${userId} not found.`);
    const limit = pageSize(query['limit']);
    const rows = await this.store.ledger.listByUser(userId, limit + 1, query['before']);
    return page(rows.slice(0, limit).map(ledgerView), rows.length > limit);
  }
}

export interface LedgerView {
  id: string;
  kind: string;
  amount: number;
  balance_after: number;
  request_id: string | null;
  key_id: string | null;
  note: string | null;
  created_at: string;
}

function page<T extends { id: string }>(data: T[], hasMore: boolean): Page<T> {
  return { object: 'list', data, has_more: hasMore, next_before: hasMore ? (data.at(-1)?.id ?? null) : null };
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badRequest(`'limit' must be a whole number from 1 to ${MAX_PAGE}.`, 'limit');
  return n;
}

function parseFilter(query: Record<string, string | undefined>): Omit<RequestFilter, 'userId' | 'keyId'> {
  const filter: Omit<RequestFilter, 'userId' | 'keyId'> = {};
  if (query['before']) filter.beforeId = query['before'];
  if (query['model']) filter.model = query['model'];
  for (const bound of ['from', 'to'] as const) {
    const raw = query[bound];
    if (raw === undefined) continue;
    const ms = Date.parse(raw);
    if (!Number.isFinite(ms)) throw badRequest(`'${bound}' must be an ISO 8601 date-time.`, bound);
    filter[bound] = ms;
  }
  if (query['status'] !== undefined) {
    const status = Number(query['status']);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw badRequest("'status' must be an HTTP status code.", 'status');
    filter.status = status;
  }
  return filter;
}

function nameOf(names: ReadonlyMap<string, string | null>, keyId: string | null): string | null {
  return keyId === null ? null : (names.get(keyId) ?? null);
}

function accountFilter(query: AccountRequestsQuery): Omit<RequestFilter, 'userId'> {
  const filter: Omit<RequestFilter, 'userId'> = {};
  if (query.before !== undefined) filter.beforeId = query.before;
  if (query.key_id !== undefined) filter.keyId = query.key_id;
  if (query.model !== undefined) filter.model = query.model;
  if (query.status === 'ok' || query.status === 'error') filter.outcome = query.status;
  else if (query.status !== undefined) {
    const status = Number(query.status);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw badRequest("'status' must be ok, error or an HTTP status code.", 'status');
    filter.status = status;
  }
  for (const bound of ['from', 'to'] as const) {
    const raw = query[bound];
    if (raw === undefined) continue;
    const ms = Date.parse(raw);
    if (!Number.isFinite(ms)) throw badRequest(`'${bound}' must be an ISO 8601 date-time.`, bound);
    filter[bound] = ms;
  }
  return filter;
}

function requestView(row: RequestRow): RequestView {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    key_id: row.key_id,
    surface: row.surface,
    provider: row.provider,
    model: row.model,
    method: row.method,
    path: row.path,
    status: row.status,
    latency_ms: row.latency_ms,
    stream: row.stream === 1,
    error: row.error,
    upstream_request_id: row.upstream_request_id,
    usage: {
      source: row.usage_source,
      input_tokens: row.input_tokens,
      cached_tokens: row.cached_tokens,
      cache_write_tokens: row.cache_write_tokens,
      output_tokens: row.output_tokens,
      reasoning_tokens: row.reasoning_tokens,
    },
    cost: {
      rub: row.cost_micro === null ? null : microToRubles(row.cost_micro),
      usd: row.cost_usd,
      usd_rub_rate: row.usd_rub_rate,
      price_version: row.price_version,
    },
  };
}

function ledgerView(row: LedgerRow): LedgerView {
  return {
    id: row.id,
    kind: row.kind,
    amount: microToRubles(row.amount_micro),
    balance_after: microToRubles(row.balance_after_micro),
    request_id: row.request_id,
    key_id: row.key_id,
    note: row.note,
    created_at: new Date(row.created_at).toISOString(),
  };
}
