import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { chain } from '../../core/byte-transform.js';
import { GatewayError } from '../../core/errors.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';
import type { CostOptions } from '../../core/pricing.js';
import type { Usage } from '../../core/usage.js';
import { DIALECTS, type NativeMeter } from '../../dialects/index.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import { nativeSideOf, type ProviderSpec } from '../../providers/index.js';
import type { UpstreamClient } from '../../upstream/client.js';
import type { KeyPool } from '../../upstream/key-pool.js';
import type { BillingService } from '../billing/billing-service.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { CallObserver } from '../metrics/metrics-endpoint.js';
import { priceUsage } from '../metering/price-usage.js';
import { meterUsage, type Metered } from '../metering/usage-columns.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import type { UsageRecount } from '../../core/dialect.js';
import { AnswerRelay, type CallOutcome } from './answer-relay.js';
import { CallLedger } from './call-ledger.js';
import type { ClientSink } from './client-sink.js';
import { upstreamRequestHeaders } from './headers.js';
import { NO_LIMITS, type CallLimits, type CallSlot } from './call-limits.js';
import type { RelayRequest } from './relay-request.js';
import { UpstreamExchange, type ExchangeTarget } from './upstream-exchange.js';
import { UsageRecounter } from './usage-recount.js';

/** The provider failed before answering (see `RelayOptions.failover`): another candidate may be tried. */
export class CandidateFailed extends GatewayError {
  constructor(provider: string, status: number) {
    super('TG_ERR_UNAVAILABLE', `The ${provider} upstream answered ${status}.`);
  }
}

/** One call on its way through the relay: what `resolve` found, and its ledger. */
interface Call {
  req: RelayRequest;
  meter: NativeMeter;
  pool: KeyPool;
  key: string;
  ledger: CallLedger;
  /** Its place under the key's and account's limits; told the tokens used when the call is recorded. */
  slot?: CallSlot;
}

export interface RelayDeps {
  upstream: UpstreamClient;
  keyPools: ReadonlyMap<string, KeyPool>;
  baseUrls: ReadonlyMap<string, string>;
  history: HistoryRecorder;
  clock: Clock;
  catalog: CatalogService;
  settings: BillingSettingsService;
  billing: BillingService;
  log: Logger;
  /** Metrics of every call (absent when /metrics is off). */
  calls?: CallObserver | undefined;
  limits?: CallLimits;
  /** Asks providers that count billed usage on request (Gemini's countTokens); a default one when absent. */
  recounter?: UsageRecounter;
}

const CLIENT_GONE = Symbol('client gone');

/**
 * Every call to a provider, native or unified, goes through one pipeline: the edge authenticates (before
 * it reads a body) → resolve (meter, model, key) → limit → admit (hold) → exchange with the upstream →
 * meter the answer → settle → record. Rejects with a GatewayError only while nothing has been sent to
 * the client (the caller renders it); once the answer has started, failures end it the surface's way.
 */
export class Relay {
  private readonly limits: CallLimits;
  private readonly recounter: UsageRecounter;
  /** Calls under way, so a graceful stop can wait for their records (a client cut by the drain is settled then). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: RelayDeps) {
    this.limits = deps.limits ?? NO_LIMITS;
    this.recounter = deps.recounter ?? new UsageRecounter();
  }

  /** What a native endpoint is to the gateway (metered, free, billed later, unknown); `path` canonical. */
  endpoint(provider: ProviderSpec, method: string, path: string): NativeEndpoint {
    const side = nativeSideOf(provider, path);
    return DIALECTS[side.dialect].native.endpoint(method, side.path);
  }

  /** Whether clients of this provider's native surface may send their key as `?key=`. */
  acceptsQueryKey(provider: ProviderSpec): boolean {
    return DIALECTS[provider.dialect].native.keyInQuery;
  }

  forward(req: RelayRequest, sink: ClientSink): Promise<void> {
    sink.taken?.();
    const relayed = this.relayCall(req, sink);
    this.inFlight.add(relayed);
    relayed.then(
      () => this.inFlight.delete(relayed),
      () => this.inFlight.delete(relayed),
    );
    return relayed;
  }

  /** Resolves once every call under way has ended and been recorded; call after the HTTP server closed. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async relayCall(req: RelayRequest, sink: ClientSink): Promise<void> {
    const call = this.resolve(req);
    const slot = await this.refusing(call, () => this.limits.acquire(req.principal, req.provider, estimatedTokens(call.meter)));
    call.slot = slot;
    // Until its usage says otherwise, a call that never ran (refused by billing, the client gone) used no tokens.
    slot.used(0);
    try {
      await this.refusing(call, () => this.admit(call));
      const body = await this.completeBody(call, sink);
      if (body === CLIENT_GONE) return await call.ledger.record({ status: 499, error: 'client_aborted', upstreamId: null, stream: false });
      return await this.exchange(call, body, sink);
    } finally {
      slot.release();
    }
  }

  /** A step that refuses the call (a limit, the money, the store) records the refusal as the caller will answer it. */
  private async refusing<T>(call: Call, step: () => T | Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      call.ledger.refused(err);
      throw err;
    }
  }

  /** The call's meter (a malformed metered body is a 400 here), its model, and the upstream key to use. */
  private resolve(req: RelayRequest): Call {
    const side = nativeSideOf(req.provider, req.call.path);
    const dialect = DIALECTS[side.dialect].native;
    const shape = { method: req.call.method, path: side.path, fields: req.fields, reportsCost: req.provider.reportsCost === true };
    const meter = dialect.meter(shape, Buffer.isBuffer(req.call.body) ? req.call.body : undefined);
    const ledger = new CallLedger(req, newId('req', req.startedAt), dialect.model(shape), this.deps);
    const pool = this.deps.keyPools.get(req.provider.id);
    const key = pool?.pick(this.deps.clock.now());
    if (!pool || key === undefined) {
      const err = new GatewayError('TG_ERR_PROVIDER_NOT_CONFIGURED', `Provider ${req.provider.id} is not configured on this gateway.`);
      ledger.refused(err);
      throw err;
    }
    return { req, meter, pool, key, ledger };
  }

  /** The hold: the call's estimated cost is reserved against the account and the key (402 when short). */
  private async admit({ req, meter, ledger }: Call): Promise<void> {
    const { endpoint } = meter;
    ledger.admission = await this.deps.billing.admit({
      requestId: ledger.requestId,
      principal: req.principal,
      provider: req.provider.id,
      model: ledger.model,
      basis: meter.basis,
      endpoint: endpoint.kind,
      ...(endpoint.kind === 'metered' || endpoint.kind === 'free' ? {} : { call: `${req.call.method} ${req.call.path}` }),
      inFlight: ledger.inFlightRow(),
    });
  }

  /** The body to send: as read (or as metering rewrote it), or completed after admission. `CLIENT_GONE` when the client hung up meanwhile. */
  private async completeBody({ req, meter, ledger }: Call, sink: ClientSink): Promise<Buffer | Readable | undefined | typeof CLIENT_GONE> {
    const complete = req.options.completeBody;
    if (!complete) return meter.body ?? req.call.body;
    const clientGone = new AbortController();
    sink.onAbort(() => clientGone.abort());
    try {
      const completed = await complete(clientGone.signal);
      return clientGone.signal.aborted ? CLIENT_GONE : completed;
    } catch (err) {
      if (clientGone.signal.aborted) return CLIENT_GONE;
      ledger.refused(err);
      throw err;
    }
  }

  /** Sends the call and relays the answer; resolves once the answer is complete and recorded. */
  private exchange(call: Call, body: Buffer | Readable | undefined, sink: ClientSink): Promise<void> {
    const { req, meter, pool, ledger } = call;
    return new Promise<void>((resolve, reject) => {
      const transform = chain(pool.scrubber(), meter.filter, req.options.answer);
      const answer = new AnswerRelay(req.provider.id, sink, transform, meter.tap, pool.all(), DIALECTS[req.surface].errors, {
        measure: () => this.measure(call),
        record: (outcome, metered) => this.record(call, outcome, metered),
        reject,
        resolve,
        candidateFailed: (status) => new CandidateFailed(req.provider.id, status),
      });
      const exchange = new UpstreamExchange(this.target(call, body), pool, this.deps.upstream, answer, () => this.deps.clock.now(), (at) => (ledger.firstByteAt = at));
      sink.onAbort(() => {
        exchange.abort(new Error('the client closed the connection'));
        answer.clientGone(exchange.errorUpstreamId());
      });
      exchange.start(call.key);
    });
  }

  private target({ req }: Call, body: Buffer | Readable | undefined): ExchangeTarget {
    const { call, provider } = req;
    const length = Buffer.isBuffer(body) ? body.length : call.contentLength;
    const clientHeaders = call.clientHeaders;
    return {
      provider: provider.id,
      baseUrl: this.deps.baseUrls.get(provider.id) ?? provider.defaultBaseUrl,
      path: call.query ? `${call.path}?${call.query}` : call.path,
      method: call.method,
      body,
      headers: clientHeaders
        ? (key) => upstreamRequestHeaders(clientHeaders, { ...call.headers, ...provider.authHeaders(key, call.path) }, length)
        : (key) => ({ ...call.headers, ...provider.authHeaders(key, call.path), ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {}) }),
      keyRejected: DIALECTS[provider.dialect].native.keyRejected,
      failover: req.options.failover,
    };
  }

  /**
   * Records the call. One whose provider counts its billed usage on request (Gemini embeddings) is
   * answered at once and settled when the count returns (bounded by the recounter's timeout), off the
   * client's latency; until then the journal's admission stands for it, so a crash meanwhile charges it
   * as an interrupted call, at the bound. `idle()` waits for these settlements too.
   */
  private record(call: Call, outcome: CallOutcome, metered: Metered | undefined): Promise<void> {
    // No rest/spread of `call` here: this runs on every call, and a copied object costs µs on Node 20.
    const { ledger } = call;
    if (metered && call.slot) call.slot.used((metered.columns.input_tokens ?? 0) + (metered.columns.output_tokens ?? 0));
    const recount = call.meter.recount;
    if (!recount || !metered || outcome.status >= 400 || metered.columns.usage_source !== 'request') return ledger.record(outcome, metered);
    const settled = this.recounted(call, recount).then((counted) => ledger.record(outcome, counted ?? withSource(metered, 'byte_bound')));
    this.inFlight.add(settled);
    settled.then(
      () => this.inFlight.delete(settled),
      (err: unknown) => {
        this.inFlight.delete(settled);
        this.deps.log.error({ err, requestId: ledger.requestId }, 'settling a recounted call failed');
      },
    );
    return Promise.resolve();
  }

  /** The call metered by the provider's own count, or undefined when it could not count in time. */
  private async recounted({ req, key, ledger }: Call, recount: UsageRecount): Promise<Metered | undefined> {
    const baseUrl = this.deps.baseUrls.get(req.provider.id) ?? req.provider.defaultBaseUrl;
    const tokens = await this.recounter.count({ baseUrl, headers: (path) => req.provider.authHeaders(key, path) }, recount);
    if (tokens === undefined) return undefined;
    const metered = meterUsage(undefined, { usage: { inputTokens: tokens, outputTokens: 0 } }, this.pricer(req), ledger.model ?? undefined, 0, ledger.admission?.bounds);
    return metered.columns.usage_source === 'request' ? withSource(metered, 'count_tokens') : metered;
  }

  /** Ends the usage tap and prices what it saw (or what the request itself said would be billed). */
  private measure({ req, meter, ledger }: Call): Metered | undefined {
    if (!meter.tap && !meter.requestUsage) return undefined;
    const admission = ledger.admission;
    return meterUsage(meter.tap, meter.requestUsage, this.pricer(req), ledger.model ?? undefined, admission?.estimatedInputTokens ?? 0, admission?.bounds);
  }

  /** Prices usage at this call's provider, from the catalog and the billing settings. */
  private pricer(req: RelayRequest): (models: ReadonlyArray<string | undefined>, usage: Usage, options: CostOptions) => ReturnType<typeof priceUsage> {
    const { catalog, settings } = this.deps;
    return (models, usage, options) => priceUsage(catalog, settings, req.provider.id, models, usage, options);
  }
}

/** What the rate-limit step counts a call as before it runs: the prompt's bound and the output it asked for at most. */
function estimatedTokens(meter: NativeMeter): number {
  const tokens = meter.basis?.tokens;
  if (!tokens) return 0;
  return tokens.inputTokens + (tokens.maxOutputTokens ?? 0) * Math.max(1, tokens.choices);
}

function withSource(metered: Metered, source: string): Metered {
  return { ...metered, columns: { ...metered.columns, usage_source: source } };
}
