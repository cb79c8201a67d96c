import { collectDefaultMetrics, Gauge, Registry, type Metric } from 'prom-client';

/**
 * Every metric of the gateway, all named `tollgate_*`, in one registry of this instance (none global).
 * The request path only bumps numbers in cells resolved once per label set (nested maps, no string is
 * built per call); prom-client formats them when Prometheus scrapes.
 */

/** The history-row columns a finished call is counted from (services/relay/call-ledger.ts passes its row). */
export interface ObservedCall {
  surface: string;
  provider?: string | null | undefined;
  model?: string | null | undefined;
  status: number;
  error?: string | null | undefined;
  latency_ms: number;
  input_tokens?: number | null | undefined;
  cached_tokens?: number | null | undefined;
  output_tokens?: number | null | undefined;
  reasoning_tokens?: number | null | undefined;
  usage_source?: string | null | undefined;
}

/** One upstream origin's undici pool, named by the provider that uses it. */
export interface PoolStats {
  provider: string;
  connected: number;
  free: number;
  pending: number;
  queued: number;
  running: number;
}

/** What the scrape-time gauges read; called only when Prometheus scrapes. */
export interface MetricsSources {
  /** True for a model of the price catalog; anything else is counted as `other`. */
  isCatalogModel(provider: string, model: string): boolean;
  holdsActive(): number;
  pendingCharges(): number;
  upstreamPools(): readonly PoolStats[];
  /** True while REDIS_URL is set but Redis cannot be reached (the node limits calls by itself). */
  rateLimitsDegraded?(): boolean;
}

export const UPSTREAM_FAILURE_KINDS = ['unauthorized', 'rate_limited', 'server_error', 'timeout', 'unreachable'] as const;
const RATE_LIMIT_SCOPES = ['key', 'account', 'other'] as const;
const TOKEN_KINDS = ['input', 'cached', 'output', 'reasoning'] as const;
const POOL_STATES = ['connected', 'free', 'pending', 'queued', 'running'] as const;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Model names remembered per provider (catalog or not); past this, unknown names are looked up each time. */
const MAX_MODEL_NAMES = 2000;

interface Cell {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

interface HistogramCell {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A counter whose label sets are resolved to cells once; `cell.value += n` is the whole hot path. */
class CellCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly cells = new Map<string, Cell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  cell(values: readonly string[]): Cell {
    const key = values.join('\u0000');
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { labels: labelsOf(this.labelNames, values), value: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  get() {
    const values = [...this.cells.values()].map((c) => ({ labels: c.labels, value: c.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

class CellHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly cells = new Map<string, HistogramCell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {}

  cell(values: readonly string[]): HistogramCell {
    const key = values.join('\u0000');
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { labels: labelsOf(this.labelNames, values), counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  get() {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += cell.counts[i]!;
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...cell.labels, le }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, i) => (labels[name] = values[i]!));
  return Object.freeze(labels);
}

function observe(cell: HistogramCell, bounds: readonly number[], seconds: number): void {
  let i = 0;
  while (i < bounds.length && seconds > bounds[i]!) i++;
  cell.counts[i]!++;
  cell.sum += seconds;
  cell.count++;
}

/** The cells one (surface, provider, model) bumps, resolved on its first call. */
interface CallCells {
  byStatus: Map<number, Cell>;
  statusLabels: readonly [string, string, string];
  duration: HistogramCell;
  ttfb: HistogramCell;
  tokens: Record<(typeof TOKEN_KINDS)[number], Cell>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly requests = new CellCounter('tollgate_requests_total', 'Relayed calls, refused ones included, by HTTP status.', ['surface', 'provider', 'model', 'status']);
  private readonly duration = new CellHistogram('tollgate_request_duration_seconds', 'Time from the request to the end of its answer.', ['surface', 'provider'], DURATION_BUCKETS);
  private readonly ttfb = new CellHistogram('tollgate_upstream_ttfb_seconds', "Time from the request to the upstream answer's head.", ['provider'], TTFB_BUCKETS);
  private readonly upstreamErrors = new CellCounter('tollgate_upstream_errors_total', 'Provider failures noted against an upstream key.', ['provider', 'kind']);
  private readonly tokens = new CellCounter('tollgate_tokens_total', 'Tokens of finished calls as billed (input, cached input, output, reasoning).', ['provider', 'model', 'kind']);
  private readonly charged: Cell = { labels: {}, value: 0 };
  private readonly capped: Cell = { labels: {}, value: 0 };
  private readonly rateLimited = new CellCounter('tollgate_rate_limited_total', 'Calls refused by a rate limit (429), by scope.', ['scope']);
  private readonly rateLimitCells: Record<(typeof RATE_LIMIT_SCOPES)[number], Cell>;
  /** surface → provider → model name (as the call named it) → cells. */
  private readonly calls = new Map<string, Map<string, Map<string | null, CallCells>>>();

  constructor(private readonly sources: MetricsSources) {
    for (const metric of [this.requests, this.duration, this.ttfb, this.upstreamErrors, this.tokens, this.rateLimited]) this.register(metric);
    this.register(counterOf('tollgate_charged_micro_rub_total', 'Money charged at settlement, in micro-rubles (after any cap).', this.charged));
    this.register(counterOf('tollgate_usage_capped_total', 'Calls whose reported usage was above what the request allowed (billed at the bound).', this.capped));
    this.rateLimitCells = { key: this.rateLimited.cell(['key']), account: this.rateLimited.cell(['account']), other: this.rateLimited.cell(['other']) };
    this.gauges();
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' });
  }

  /** One finished call (its history row); the first byte's delay when the upstream answered. */
  observeCall(row: ObservedCall, ttfbMs: number | undefined): void {
    const cells = this.cellsOf(row.surface, row.provider ?? 'none', row.model ?? null);
    let status = cells.byStatus.get(row.status);
    if (!status) {
      status = this.requests.cell([...cells.statusLabels, String(row.status)]);
      cells.byStatus.set(row.status, status);
    }
    status.value++;
    observe(cells.duration, this.duration.bounds, row.latency_ms / 1000);
    if (ttfbMs !== undefined) observe(cells.ttfb, this.ttfb.bounds, ttfbMs / 1000);
    if (row.input_tokens) cells.tokens.input.value += row.input_tokens;
    if (row.cached_tokens) cells.tokens.cached.value += row.cached_tokens;
    if (row.output_tokens) cells.tokens.output.value += row.output_tokens;
    if (row.reasoning_tokens) cells.tokens.reasoning.value += row.reasoning_tokens;
    if (row.usage_source === 'capped') this.capped.value++;
    if (row.status === 429 && typeof row.error === 'string' && row.error.startsWith('rate_limit:')) {
      const scope = row.error.startsWith('key:', 11) ? 'key' : row.error.startsWith('account:', 11) ? 'account' : 'other';
      this.rateLimitCells[scope].value++;
    }
  }

  /** A counter of one provider's key failures, its cells resolved now (KeyPool calls it on every failure). */
  upstreamFailures(provider: string): (kind: (typeof UPSTREAM_FAILURE_KINDS)[number]) => void {
    const cells = Object.fromEntries(UPSTREAM_FAILURE_KINDS.map((kind) => [kind, this.upstreamErrors.cell([provider, kind])])) as Record<string, Cell>;
    return (kind) => void cells[kind]!.value++;
  }

  /** A settled charge (what was actually charged, in micro-rubles). */
  charge(micro: number): void {
    if (micro > 0) this.charged.value += micro;
  }

  /** The exposition text. Model names seen since the last scrape are looked up in the catalog again. */
  async render(): Promise<string> {
    for (const providers of this.calls.values()) for (const models of providers.values()) models.clear();
    return this.registry.metrics();
  }

  private cellsOf(surface: string, provider: string, model: string | null): CallCells {
    let providers = this.calls.get(surface);
    if (!providers) this.calls.set(surface, (providers = new Map()));
    let models = providers.get(provider);
    if (!models) providers.set(provider, (models = new Map()));
    let cells = models.get(model);
    if (!cells) {
      const label = model !== null && this.sources.isCatalogModel(provider, model) ? model : 'other';
      cells = this.resolve(surface, provider, label);
      if (models.size < MAX_MODEL_NAMES) models.set(model, cells);
    }
    return cells;
  }

  /** Shared by every name that maps to the same labels: the cells keep their counts across scrapes. */
  private readonly resolved = new Map<string, CallCells>();

  private resolve(surface: string, provider: string, model: string): CallCells {
    const key = `${surface}\u0000${provider}\u0000${model}`;
    let cells = this.resolved.get(key);
    if (!cells) {
      const kinds = TOKEN_KINDS.map((kind) => [kind, this.tokens.cell([provider, model, kind])] as const);
      cells = {
        byStatus: new Map(),
        statusLabels: [surface, provider, model],
        duration: this.duration.cell([surface, provider]),
        ttfb: this.ttfb.cell([provider]),
        tokens: Object.fromEntries(kinds) as CallCells['tokens'],
      };
      this.resolved.set(key, cells);
    }
    return cells;
  }

  private register(metric: { name: string }): void {
    this.registry.registerMetric(metric as unknown as Metric);
  }

  private gauges(): void {
    const { sources, registry } = this;
    new Gauge({
      name: 'tollgate_holds_active',
      help: 'Holds this node placed whose call has not settled yet.',
      registers: [registry],
      collect() {
        this.set(sources.holdsActive());
      },
    });
    new Gauge({
      name: 'tollgate_pending_charges',
      help: 'Charges computed but not yet written to the store (settling, or queued while it refuses writes).',
      registers: [registry],
      collect() {
        this.set(sources.pendingCharges());
      },
    });
    new Gauge({
      name: 'tollgate_ratelimit_degraded',
      help: '1 while Redis is configured but unreachable: this node counts rate limits by itself.',
      registers: [registry],
      collect() {
        this.set(sources.rateLimitsDegraded?.() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tollgate_upstream_connections',
      help: "Each provider's upstream pool (undici): connections (connected, free) and requests (pending, queued, running).",
      labelNames: ['provider', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const pool of sources.upstreamPools()) for (const state of POOL_STATES) this.set({ provider: pool.provider, state }, pool[state]);
      },
    });
  }
}

/** A label-less counter registered under its own name (its one cell is bumped directly). */
function counterOf(name: string, help: string, cell: Cell) {
  return { name, help, type: 'counter', aggregator: 'sum', get: () => ({ name, help, type: 'counter', aggregator: 'sum', values: [{ labels: {}, value: cell.value }] }) };
}
