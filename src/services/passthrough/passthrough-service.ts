import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';
import type { Surface } from '../../core/surface.js';
import { geminiNativeModel } from '../../dialects/gemini/native.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { UpstreamClient } from '../../upstream/client.js';
import { classifyUpstreamError } from '../../upstream/errors.js';
import type { KeyPool } from '../../upstream/key-pool.js';
import { scrubSecrets } from '../../upstream/scrub.js';
import type { Principal } from '../auth/authenticator.js';
import type { HistoryRecorder } from '../history/recorder.js';
import { clientResponseHeaders, upstreamRequestHeaders, upstreamRequestId } from './headers.js';

export interface NativeRequest {
  provider: ProviderSpec;
  surface: Surface;
  method: string;
  /** Path after the mount, with the version: `/v1/chat/completions`. */
  path: string;
  /** Query string without `?`, the client's `key` already removed. */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer | Readable | undefined;
  contentLength: number | undefined;
  /** Top-level fields read from a JSON body (model, stream); empty for other bodies. */
  fields: Readonly<Record<string, unknown>>;
  principal: Principal;
  signal: AbortSignal;
  startedAt: number;
}

export interface StreamOutcome {
  /** The client went away before the body was complete. */
  clientAborted: boolean;
  /** The upstream failed while the body was being relayed. */
  error?: GatewayError;
}

export interface NativeResponse {
  requestId: string;
  provider: string;
  status: number;
  headers: Record<string, string | string[]>;
  /** A whole (scrubbed) error body, or the upstream's live body to pipe. */
  body: Buffer | Readable;
  isEventStream: boolean;
  /** Called exactly once when the relay to the client has ended, however it ended. */
  finish(outcome: StreamOutcome): void;
}

const MAX_ERROR_BODY = 1024 * 1024;

/** Native passthrough: rewrite URL and auth, forward the bytes, relay the answer, record the call. */
export class PassthroughService {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly keyPools: ReadonlyMap<string, KeyPool>,
    private readonly baseUrls: ReadonlyMap<string, string>,
    private readonly history: HistoryRecorder,
    private readonly clock: Clock,
  ) {}

  async forward(req: NativeRequest): Promise<NativeResponse> {
    const requestId = newId('req', req.startedAt);
    const model = nativeModel(req);
    const record = (status: number, error: string | null, upstreamId: string | null, stream: boolean) =>
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
      });

    const pool = this.keyPools.get(req.provider.id);
    const key = pool?.pick();
    if (!pool || key === undefined) {
      const err = new GatewayError('TG_ERR_PROVIDER_NOT_CONFIGURED', `Provider ${req.provider.id} is not configured on this gateway.`);
      record(err.status, err.code, null, false);
      throw err;
    }

    let response;
    try {
      response = await this.upstream.request({
        baseUrl: this.baseUrls.get(req.provider.id) ?? req.provider.defaultBaseUrl,
        path: req.query ? `${req.path}?${req.query}` : req.path,
        method: req.method,
        headers: upstreamRequestHeaders(req.headers, req.provider.authHeaders(key), req.contentLength),
        body: req.body,
        signal: req.signal,
      });
    } catch (err) {
      const failure = req.signal.aborted ? new GatewayError('TG_ERR_BAD_REQUEST', 'Client closed the request.') : classifyUpstreamError(err, req.provider.id);
      record(req.signal.aborted ? 499 : failure.status, req.signal.aborted ? 'client_aborted' : failure.code, null, false);
      throw failure;
    }

    const headers = clientResponseHeaders(response.headers);
    const upstreamId = upstreamRequestId(response.headers);
    const contentType = String(response.headers['content-type'] ?? '');
    const isEventStream = contentType.startsWith('text/event-stream');

    if (response.status >= 400) {
      const raw = await readBounded(response.body, MAX_ERROR_BODY).catch(() => Buffer.alloc(0));
      const body = Buffer.from(scrubSecrets(raw.toString('utf8'), pool.all()));
      headers['content-length'] = String(body.length);
      record(response.status, `upstream_${response.status}`, upstreamId, false);
      return { requestId, provider: req.provider.id, status: response.status, headers, body, isEventStream: false, finish: () => undefined };
    }

    let finished = false;
    return {
      requestId,
      provider: req.provider.id,
      status: response.status,
      headers,
      body: response.body,
      isEventStream,
      finish: (outcome) => {
        if (finished) return;
        finished = true;
        const error = outcome.error ? outcome.error.code : outcome.clientAborted ? 'client_aborted' : null;
        record(outcome.clientAborted ? 499 : response.status, error, upstreamId, isEventStream);
      },
    };
  }
}

function nativeModel(req: NativeRequest): string | null {
  const fromBody = req.fields['model'];
  if (typeof fromBody === 'string') return fromBody.slice(0, 200);
  if (req.provider.dialect === 'gemini') return geminiNativeModel(req.path)?.slice(0, 200) ?? null;
  return null;
}

async function readBounded(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    if (size + buf.length > limit) {
      chunks.push(buf.subarray(0, limit - size));
      body.destroy();
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  return Buffer.concat(chunks);
}
