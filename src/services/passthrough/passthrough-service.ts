import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';
import type { Surface } from '../../core/surface.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { ResponseFlow, UpstreamClient } from '../../upstream/client.js';
import { classifyUpstreamError, failedBeforeSending } from '../../upstream/errors.js';
import type { KeyPool } from '../../upstream/key-pool.js';
import { scrubHeaders } from '../../upstream/scrub.js';
import { RetriedElsewhere, restKey, restKeyRejectedInBody, retryable } from './key-retry.js';
import type { Principal } from '../auth/authenticator.js';
import type { CostOptions } from '../../core/pricing.js';
import type { Usage } from '../../core/usage.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { Admission, BillingService } from '../billing/billing-service.js';
import { nativeEndpoint, nativeMeter } from '../metering/native-meter.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';
import { priceUsage } from '../metering/price-usage.js';
import { meterUsage, type UsageColumns } from '../metering/usage-columns.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import { errorBody, streamErrorEvent } from '../surface-errors.js';
import type { ClientSink } from './client-sink.js';
import type { ResponseTranslator } from './response-translator.js';
import { ModelEchoFilter } from '../../dialects/openai/model-echo.js';
import { ClientAborted, nativeModel, sendScrubbed } from './relay-parts.js';
import { clientResponseHeaders, upstreamRequestHeaders, upstreamRequestId } from './headers.js';

export interface NativeRequest {
  provider: ProviderSpec;
  surface: Surface;
  method: string;
  /** Path after the mount, with the version, canonical (lib/canonical-path.ts): `/v1/chat/completions`. */
  path: string;
  /** Query string without `?`, the client's `key` already removed. */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer | Readable | undefined;
  contentLength: number | undefined;
  /** Top-level fields read from a JSON body (model, stream) or a multipart form (model); empty otherwise. */
  fields: Readonly<Record<string, unknown>>;
  principal: Principal;
  startedAt: number;
  /** Unified API: the model name to answer with (the one the client asked for), instead of the provider's. */
  echoModel?: string;
  /** 2 for Responses streams, whose events carry the model in `response.model` (whole answers: top level). */
  echoModelDepth?: 1 | 2;
  /** Unified API over another dialect: the answer is translated for the client (errors included). */
  translator?: ResponseTranslator;
  /** Send exactly these request headers (plus the provider's auth) instead of the client's. */
  upstreamHeaders?: Record<string, string>;
  /**
   * Unified calls with a backup candidate: a failure before anything reached the client (connection,
   * no response headers within `firstByteTimeoutMs` when set, 429, 401, 5xx, Gemini's rejected key)
   * rejects with a `CandidateFailed` so the caller can try the backup, instead of being relayed.
   */
  failover?: { firstByteTimeoutMs?: number };
  /**
   * Completes a JSON body after admission (Gemini images named by URL are fetched only for calls that were
   * admitted); `body` is what is estimated and checked, the result is what is sent.
   */
  completeBody?: (signal: AbortSignal) => Promise<Buffer>;
}

/** The provider failed before answering (see `NativeRequest.failover`): another candidate may be tried. */
export class CandidateFailed extends GatewayError {
  constructor(provider: string, status: number) {
    super('TG_ERR_UNAVAILABLE', `The ${provider} upstream answered ${status}.`);
  }
}

const MAX_ERROR_BODY = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
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
    const price = (models: ReadonlyArray<string | undefined>, usage: Usage, options: CostOptions) =>
      priceUsage(this.catalog, this.settings, req.provider.id, models, usage, options);
    let admission: Admission | undefined;
    /** `metered`: the answer was relayed (whole or in part), so its usage counts and is charged. */
    const record = (status: number, error: string | null, upstreamId: string | null, stream: boolean, metered = false) => {
      let usage: UsageColumns = {};
      if (metered && (meter.tap || meter.requestUsage)) {
        const result = meterUsage(meter.tap, meter.requestUsage, price, model ?? undefined, admission?.estimatedInputTokens ?? 0);
        usage = result.columns;
        if (admission) this.billing.settle(admission, result.charge ?? this.unpricedCharge(admission, result.columns));
      } else if (admission) {
        this.billing.settle(admission, undefined);
      }
      this.history.record({
        id: requestId,
        user_id: req.principal.userId,
        key_id: req.principal.keyId,
        surface: req.surface,
        provider: req.provider.id,
        model,
        method: req.method,
        path: req.path.slice(0, 500),
        status,
        latency_ms: this.clock.now() - req.startedAt,
        error,
        upstream_request_id: upstreamId,
        stream: stream ? 1 : 0,
        created_at: req.startedAt,
        ...usage,
      });
    };

    /** A call refused before it was sent, or the store failing (recorded as a 500 like the caller will answer). */
    const recordRefusal = (err: unknown) => {
      if (err instanceof GatewayError) record(err.status, err.code, null, false);
      else record(500, 'TG_ERR_INTERNAL', null, false);
    };

    const pool = this.keyPools.get(req.provider.id);
    const key = pool?.pick(this.clock.now());
    if (!pool || key === undefined) {
      const err = new GatewayError('TG_ERR_PROVIDER_NOT_CONFIGURED', `Provider ${req.provider.id} is not configured on this gateway.`);
      record(err.status, err.code, null, false);
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
        call: `${req.method} ${req.path}`,
      });
    } catch (err) {
      recordRefusal(err);
      throw err;
    }
    let body = meter.body;
    if (req.completeBody) {
      const clientGone = new AbortController();
      sink.onAbort(() => clientGone.abort());
      try {
        body = await req.completeBody(clientGone.signal);
      } catch (err) {
        if (!clientGone.signal.aborted) {
          recordRefusal(err);
          throw err;
        }
      }
      if (clientGone.signal.aborted) {
        record(499, 'client_aborted', null, false);
        return;
      }
    }

    return new Promise<void>((resolve, reject) => {
      let abortUpstream: ((reason: Error) => void) | undefined;
      let clientGone = false;
      let done = false;
      let status = 0;
      let upstreamId: string | null = null;
      let eventStream = false;
      let errorChunks: Buffer[] | undefined;
      let errorHeaders: Record<string, string | string[]> = {};
      let errorSize = 0;
      let flow: ResponseFlow | undefined;
      let echo: ModelEchoFilter | undefined;
      let deferredStart: Record<string, string | string[]> | undefined;
      let attempts = 0;
      let firstByteTimer: NodeJS.Timeout | undefined;
      const stopFirstByteTimer = () => {
        if (firstByteTimer) clearTimeout(firstByteTimer);
        firstByteTimer = undefined;
      };
      // A second key is tried only for a body that can be sent again, and only if the pool has another.
      const canRetry = () => !clientGone && Buffer.isBuffer(body) && pool.size() > 1;
      /** Another key than the one that just failed, if one is usable. */
      const otherKey = (failed: string) => pool.pick(this.clock.now(), failed);
      const translator = req.translator;
      // Upstream secrets are masked first: whatever the transforms after it do, they never see one.
      const scrubber = pool.scrubber();
      const transform = (chunk: Buffer): Buffer => {
        const out = meter.filter ? meter.filter.push(chunk) : chunk;
        if (translator) return out.length > 0 ? translator.push(out) : out;
        return echo ? echo.push(out) : out;
      };
      const relay = (chunk: Buffer): Buffer => transform(scrubber.push(chunk));
      const relayEnd = (): Buffer | undefined => {
        const held = scrubber.end();
        const head = held.length > 0 ? transform(held) : EMPTY;
        if (translator) {
          const rest = meter.filter?.end();
          return Buffer.concat([head, rest && rest.length > 0 ? translator.push(rest) : EMPTY, translator.end()]);
        }
        const tail = meter.filter?.end();
        if (!echo) return head.length > 0 ? Buffer.concat([head, tail ?? EMPTY]) : tail;
        return Buffer.concat([head, tail ? echo.push(tail) : EMPTY, echo.end()]);
      };

      const finish = (recordStatus: number, error: string | null) => {
        if (done) return;
        done = true;
        stopFirstByteTimer();
        record(recordStatus, error, upstreamId, eventStream, status > 0 && status < 400);
        resolve();
      };

      /** Failover: the caller tries its backup; this answer is dropped and its hold released. */
      const handBack = (code: number, id: string | null) => {
        done = true;
        record(code, `upstream_${code}`, id, false);
        reject(new CandidateFailed(req.provider.id, code));
      };

      sink.onAbort(() => {
        if (done) return;
        clientGone = true;
        abortUpstream?.(new ClientAborted());
        finish(499, 'client_aborted');
      });

      const attempt = (key: string, retried: boolean): void => {
        const mine = ++attempts;
        const current = () => mine === attempts;
        this.upstream.dispatch(
          {
            baseUrl: this.baseUrls.get(req.provider.id) ?? req.provider.defaultBaseUrl,
            path: req.query ? `${req.path}?${req.query}` : req.path,
            method: req.method,
            headers: req.upstreamHeaders
              ? { ...req.upstreamHeaders, ...req.provider.authHeaders(key), ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {}) }
              : upstreamRequestHeaders(req.headers, req.provider.authHeaders(key), Buffer.isBuffer(body) ? body.length : req.contentLength),
            body,
          },
          {
            onStart: (abort) => {
              if (!current()) return;
              abortUpstream = abort;
              if (clientGone) abort(new ClientAborted());
              const ms = req.failover?.firstByteTimeoutMs;
              if (ms !== undefined && !firstByteTimer && status === 0) {
                firstByteTimer = setTimeout(() => {
                  if (status !== 0 || done) return;
                  abortUpstream?.(new GatewayError('TG_ERR_UPSTREAM_TIMEOUT', `The ${req.provider.id} upstream did not answer within ${ms} ms.`));
                }, ms).unref();
              }
            },
            onResponse: (code, headers, responseFlow) => {
              if (!current()) return;
              restKey(pool, key, code, headers, this.clock.now());
              const next = !retried && retryable(code) && canRetry() ? otherKey(key) : undefined;
              if (next !== undefined) {
                // Nothing reached the client: try another key once, and forget this answer (the new attempt
                // starts first, so this one's abort callbacks already see themselves as stale).
                const abandon = abortUpstream;
                attempt(next, true);
                abandon?.(new RetriedElsewhere());
                return;
              }
              stopFirstByteTimer();
              if (req.failover && retryable(code)) {
                handBack(code, upstreamRequestId(headers)); // first: the abort below must find the call done
                abortUpstream?.(new RetriedElsewhere());
                return;
              }
              status = code;
              upstreamId = upstreamRequestId(headers);
              if (code >= 400) {
                errorChunks = []; // kept whole so upstream secrets can be scrubbed out
                errorHeaders = scrubHeaders(clientResponseHeaders(headers), pool.all());
                return;
              }
              const contentType = String(headers['content-type'] ?? '');
              eventStream = contentType.startsWith('text/event-stream');
              const kept = scrubHeaders(clientResponseHeaders(headers), pool.all());
              const responseHeaders = translator ? translator.headers(kept) : kept;
              if (!translator && req.echoModel !== undefined && (eventStream || contentType.includes('json'))) {
                echo = eventStream ? new ModelEchoFilter(req.echoModel, 'sse', req.echoModelDepth) : new ModelEchoFilter(req.echoModel, 'json');
                delete responseHeaders['content-length']; // the body's length changes
              }
              if (translator?.status && !eventStream) {
                deferredStart = responseHeaders; // sent with the translated body and its final status
              } else {
                sink.start(code, responseHeaders);
              }
              flow = responseFlow;
              sink.onDrain(() => responseFlow.resume());
            },
            onData: (chunk) => {
              if (!current()) return;
              if (errorChunks) {
                if (errorSize < MAX_ERROR_BODY) errorChunks.push(chunk.subarray(0, MAX_ERROR_BODY - errorSize));
                errorSize += chunk.length;
                return;
              }
              meter.tap?.push(chunk);
              const out = relay(chunk);
              if (out.length > 0 && !sink.write(out)) flow?.pause();
            },
            onEnd: () => {
              if (!current() || clientGone) return;
              if (errorChunks) {
                const keyRejected = restKeyRejectedInBody(pool, key, req.provider.dialect, status, errorChunks, this.clock.now());
                if (keyRejected && req.failover) {
                  handBack(status, upstreamId);
                  return;
                }
                sendScrubbed(sink, status, errorHeaders, errorChunks, pool.all(), req.translator);
                finish(status, `upstream_${status}`);
                return;
              }
              const tail = relayEnd();
              if (deferredStart) {
                const finalStatus = translator?.status?.() ?? status;
                sink.start(finalStatus, { ...deferredStart, 'content-length': String(tail?.length ?? 0) });
                sink.end(tail);
                finish(finalStatus, finalStatus === status ? null : 'untranslatable_answer');
                return;
              }
              sink.end(tail);
              finish(status, null);
            },
            onError: (err) => {
              if (!current() || clientGone || done) return;
              const failure = classifyUpstreamError(err, req.provider.id);
              // Only a request that never reached the provider is tried again: a timeout or a reset after it was
              // sent may already have run (and been billed) upstream.
              const next = status === 0 && !retried && canRetry() && failedBeforeSending(err) ? otherKey(key) : undefined;
              if (next !== undefined) {
                attempt(next, true);
                return;
              }
              if (status === 0) {
                // Nothing reached the client yet: the caller answers in the surface's shape.
                done = true;
                stopFirstByteTimer();
                record(failure.status, failure.code, null, false);
                reject(failure);
                return;
              }
              if (errorChunks) {
                sendScrubbed(sink, status, errorHeaders, errorChunks, pool.all(), req.translator);
              } else if (deferredStart) {
                // A translated whole answer was cut before anything was sent: answer with the failure instead.
                const body = JSON.stringify(errorBody(req.surface, failure));
                sink.start(failure.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
                sink.end(body);
              } else if (eventStream) {
                sink.end('\n\n' + streamErrorEvent(req.surface, failure));
              } else {
                sink.destroy();
              }
              finish(status, failure.code);
            },
          },
        );
      };
      attempt(key, false);
    });
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
