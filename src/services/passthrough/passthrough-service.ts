import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';
import type { CostOptions } from '../../core/pricing.js';
import type { Usage } from '../../core/usage.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderSpec } from '../../providers/index.js';
import { IN_FLIGHT, IN_FLIGHT_STATUS } from '../../store/index.js';
import type { UpstreamClient } from '../../upstream/client.js';
import type { KeyPool } from '../../upstream/key-pool.js';
import type { Admission, BillingService } from '../billing/billing-service.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { HistoryRecorder } from '../history/recorder.js';
import { nativeEndpoint, nativeMeter } from '../metering/native-meter.js';
import { priceUsage } from '../metering/price-usage.js';
import { meterUsage, type UsageColumns } from '../metering/usage-columns.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import { asGatewayError } from '../surface-errors.js';
import type { ClientSink } from './client-sink.js';
import { historyRow } from './history-row.js';
import { RelayCall, type RelayCallHooks } from './relay-call.js';
import { nativeModel } from './relay-parts.js';
import type { NativeRequest } from './native-request.js';

export type { NativeRequest } from './native-request.js';

/** The provider failed before answering (see `NativeRequest.failover`): another candidate may be tried. */
export class CandidateFailed extends GatewayError {
  constructor(provider: string, status: number) {
    super('TG_ERR_UNAVAILABLE', `The ${provider} upstream answered ${status}.`);
  }
}

/** Native passthrough: rewrite URL and auth, forward the bytes, relay the answer, record the call. */
export class PassthroughService {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly keyPools: ReadonlyMap<string, KeyPool>,
    private readonly baseUrls: ReadonlyMap<string, string>,
    private readonly history: HistoryRecorder,
    private readonly clock: Clock,
    private readonly catalog: CatalogService,
    private readonly settings: BillingSettingsService,
    private readonly billing: BillingService,
    private readonly log: Logger,
  ) {}

  /** What a native endpoint is to the gateway (metered, free, billed later, unknown); `path` canonical. */
  endpoint(provider: ProviderSpec, method: string, path: string): NativeEndpoint {
    return nativeEndpoint(provider, method, path);
  }

  /**
   * Relays one call to `sink`. Rejects with a GatewayError only while nothing has been sent to the client
   * (the caller renders it); once the answer has started, failures end it the surface's way and resolve.
   */
  async forward(req: NativeRequest, sink: ClientSink): Promise<void> {
    const requestId = newId('req', req.startedAt);
    const meter = nativeMeter(req.provider, req.method, req.path, req.fields['stream'] === true, req.body);
    const model = nativeModel(req);
    let admission: Admission | undefined;
    const row = (status: number, error: string | null, upstreamId: string | null, stream: boolean, usage?: UsageColumns) =>
      historyRow(req, requestId, model, { status, error, upstreamId, stream, latencyMs: this.clock.now() - req.startedAt }, usage);
    const record: RelayCallHooks['record'] = (outcome, metered) => {
      const request = row(outcome.status, outcome.error, outcome.upstreamId, outcome.stream, metered?.columns);
      if (metered?.capped) this.log.warn({ requestId, reported: metered.capped, billed: metered.columns }, 'usage above what the request allowed: billed at the bound');
      if (!admission?.billed) {
        this.history.record(request);
        return RECORDED;
      }
      const charge = metered ? (metered.charge ?? this.unpricedCharge(admission, metered.columns)) : undefined;
      return this.billing.settle(admission, charge, request);
    };
    /** A call refused before it was sent, or the store failing (recorded as the caller will answer). */
    const recordRefusal = (err: unknown) => {
      const failure = asGatewayError(err);
      void record({ status: failure.status, error: failure.code, upstreamId: null, stream: false });
    };

    const pool = this.keyPools.get(req.provider.id);
    const key = pool?.pick(this.clock.now());
    if (!pool || key === undefined) {
      const err = new GatewayError('TG_ERR_PROVIDER_NOT_CONFIGURED', `Provider ${req.provider.id} is not configured on this gateway.`);
      recordRefusal(err);
      throw err;
    }
    try {
      admission = await this.billing.admit({
        requestId,
        principal: req.principal,
        provider: req.provider.id,
        model,
        basis: meter.basis,
        endpoint: meter.endpoint.kind,
        ...(meter.endpoint.kind === 'metered' || meter.endpoint.kind === 'free' ? {} : { call: `${req.method} ${req.path}` }),
        inFlight: row(IN_FLIGHT_STATUS, IN_FLIGHT, null, req.fields['stream'] === true),
      });
    } catch (err) {
      recordRefusal(err);
      throw err;
    }
    const body = await this.completedBody(req, sink, meter.body, recordRefusal);
    if (body === CLIENT_GONE) {
      await record({ status: 499, error: 'client_aborted', upstreamId: null, stream: false });
      return;
    }
    const price = (models: ReadonlyArray<string | undefined>, usage: Usage, options: CostOptions) =>
      priceUsage(this.catalog, this.settings, req.provider.id, models, usage, options);
    const call = new RelayCall(req, sink, meter, body, pool, this.upstream, this.baseUrls.get(req.provider.id) ?? req.provider.defaultBaseUrl, {
      measure: () =>
        meter.tap || meter.requestUsage
          ? meterUsage(meter.tap, meter.requestUsage, price, model ?? undefined, admission?.estimatedInputTokens ?? 0, admission?.bounds)
          : undefined,
      record,
      candidateFailed: (code) => new CandidateFailed(req.provider.id, code),
      now: () => this.clock.now(),
    });
    return call.run(key);
  }

  /**
   * The body to send: as read, or completed after admission (Gemini images named by URL are fetched only
   * for calls that were admitted). `CLIENT_GONE` when the client hung up meanwhile.
   */
  private async completedBody(
    req: NativeRequest,
    sink: ClientSink,
    body: Buffer | Readable | undefined,
    recordRefusal: (err: unknown) => void,
  ): Promise<Buffer | Readable | undefined | typeof CLIENT_GONE> {
    if (!req.completeBody) return body;
    const clientGone = new AbortController();
    sink.onAbort(() => clientGone.abort());
    try {
      const completed = await req.completeBody(clientGone.signal);
      return clientGone.signal.aborted ? CLIENT_GONE : completed;
    } catch (err) {
      if (clientGone.signal.aborted) return CLIENT_GONE;
      recordRefusal(err);
      throw err;
    }
  }

  /**
   * A billed call whose usage could not be priced at the end (a price the admission did not need, such
   * as a 1-hour cache write, is missing): the hold is charged rather than nothing, and the admin is told.
   */
  private unpricedCharge(admission: Admission, columns: UsageColumns) {
    if (!admission.billed || columns.usage_source === 'none' || columns.usage_source === undefined) return undefined;
    this.log.error({ requestId: admission.requestId }, 'a billed call could not be priced from its usage; charged its hold');
    return { costMicro: admission.holdMicro, costUsd: null, usdNano: null, usdRubRate: null };
  }
}

const RECORDED = Promise.resolve();
const CLIENT_GONE = Symbol('client gone');
