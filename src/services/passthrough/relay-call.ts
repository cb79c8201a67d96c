import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';
import { ModelEchoFilter } from '../../dialects/openai/model-echo.js';
import { jsonCloses } from '../../lib/json-depth.js';
import type { ResponseFlow, UpstreamClient } from '../../upstream/client.js';
import { classifyUpstreamError, failedBeforeSending } from '../../upstream/errors.js';
import type { KeyPool } from '../../upstream/key-pool.js';
import { scrubHeaders } from '../../upstream/scrub.js';
import type { Metered } from '../metering/usage-columns.js';
import type { NativeMeter } from '../metering/native-meter.js';
import { errorBody, streamErrorEvent } from '../surface-errors.js';
import { AnswerChain } from './answer-chain.js';
import type { ClientSink } from './client-sink.js';
import { clientResponseHeaders, upstreamRequestHeaders, upstreamRequestId } from './headers.js';
import { RetriedElsewhere, restKey, restKeyRejectedInBody, retryable } from './key-retry.js';
import type { NativeRequest } from './native-request.js';
import { ClientAborted, sendScrubbed } from './relay-parts.js';

const MAX_ERROR_BODY = 1024 * 1024;
/**
 * A whole (non-stream) JSON answer is held until it is complete, so a body the provider cut is answered
 * with an error instead of half a JSON under 200, and sent only once its charge is written. Larger
 * bodies (images as base64) are relayed as they come.
 */
const MAX_HELD_BYTES = 32 * 1024 * 1024;

/** What a relayed call reports back to the service that owns its money and history. */
export interface RelayCallHooks {
  /** Ends the call's usage tap and prices what it saw (called once, when the answer was relayed). */
  measure(): Metered | undefined;
  /** Records the call (and settles its admission); resolves once that is durable. */
  record(outcome: { status: number; error: string | null; upstreamId: string | null; stream: boolean }, metered?: Metered): Promise<void>;
  /** The call failed before anything reached the client: the caller answers (or tries a backup). */
  candidateFailed(code: number): GatewayError;
  now(): number;
}

interface HeldAnswer {
  headers: Record<string, string | string[]>;
  chunks: Buffer[];
  size: number;
  /** Translated whole answers: the status comes from the translation. */
  translated: boolean;
}

/**
 * One call to the upstream, from the first attempt to the last byte the client receives: key retry, the
 * first-byte timer (failover), the answer's states (error body kept whole and scrubbed; a whole JSON
 * answer held until complete; a stream relayed as it comes) and the client going away. The call's
 * record — and with it the charge — is written before the client's answer ends.
 */
export class RelayCall {
  private abortUpstream: ((reason: Error) => void) | undefined;
  private clientGone = false;
  private done = false;
  private status = 0;
  private upstreamId: string | null = null;
  private eventStream = false;
  private error: { chunks: Buffer[]; size: number; headers: Record<string, string | string[]> } | undefined;
  private held: HeldAnswer | undefined;
  private flow: ResponseFlow | undefined;
  private attempts = 0;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private readonly chain: AnswerChain;
  private resolve!: () => void;
  private reject!: (err: Error) => void;

  constructor(
    private readonly req: NativeRequest,
    private readonly sink: ClientSink,
    private readonly meter: NativeMeter,
    private readonly body: Buffer | Readable | undefined,
    private readonly pool: KeyPool,
    private readonly upstream: UpstreamClient,
    private readonly baseUrl: string,
    private readonly hooks: RelayCallHooks,
  ) {
    this.chain = new AnswerChain(pool.scrubber(), meter.filter, req.translator);
  }

  /** Resolves when the answer is complete; rejects (nothing sent) when the caller must answer. */
  run(key: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.sink.onAbort(() => {
        if (this.done) return;
        this.clientGone = true;
        this.abortUpstream?.(new ClientAborted());
        // An answer that had started is billed for what was produced; anything else costs nothing.
        const relayed = this.status > 0 && this.status < 400;
        void this.finish(499, 'client_aborted', relayed ? this.hooks.measure() : undefined);
      });
      this.attempt(key, false);
    });
  }

  private attempt(key: string, retried: boolean): void {
    const mine = ++this.attempts;
    const current = () => mine === this.attempts;
    const body = this.body;
    this.upstream.dispatch(
      {
        baseUrl: this.baseUrl,
        path: this.req.query ? `${this.req.path}?${this.req.query}` : this.req.path,
        method: this.req.method,
        headers: this.requestHeaders(key),
        body,
      },
      {
        onStart: (abort) => {
          if (!current()) return;
          this.abortUpstream = abort;
          if (this.clientGone) abort(new ClientAborted());
          this.startFirstByteTimer();
        },
        onResponse: (code, headers, flow) => {
          if (current()) this.onResponse(key, retried, code, headers, flow);
        },
        onData: (chunk) => {
          if (current()) this.onData(chunk);
        },
        onEnd: () => {
          if (current() && !this.clientGone) this.onEnd(key);
        },
        onError: (err) => {
          if (current() && !this.clientGone && !this.done) this.onError(key, retried, err);
        },
      },
    );
  }

  private requestHeaders(key: string): Record<string, string> {
    const { req, body } = this;
    const auth = req.provider.authHeaders(key);
    if (!req.upstreamHeaders) return upstreamRequestHeaders(req.headers, auth, Buffer.isBuffer(body) ? body.length : req.contentLength);
    return { ...req.upstreamHeaders, ...auth, ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {}) };
  }

  private startFirstByteTimer(): void {
    const ms = this.req.failover?.firstByteTimeoutMs;
    if (ms === undefined || this.firstByteTimer || this.status !== 0) return;
    this.firstByteTimer = setTimeout(() => {
      if (this.status !== 0 || this.done) return;
      this.abortUpstream?.(new GatewayError('TG_ERR_UPSTREAM_TIMEOUT', `The ${this.req.provider.id} upstream did not answer within ${ms} ms.`));
    }, ms).unref();
  }

  private stopFirstByteTimer(): void {
    if (this.firstByteTimer) clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
  }

  /** A second key is tried only for a body that can be sent again, and only if the pool has another. */
  private otherKey(failed: string, retried: boolean): string | undefined {
    if (retried || this.clientGone || !Buffer.isBuffer(this.body) || this.pool.size() < 2) return undefined;
    return this.pool.pick(this.hooks.now(), failed);
  }

  private onResponse(key: string, retried: boolean, code: number, headers: IncomingHttpHeaders, flow: ResponseFlow): void {
    restKey(this.pool, key, code, headers, this.hooks.now());
    const next = retryable(code) ? this.otherKey(key, retried) : undefined;
    if (next !== undefined) {
      // Nothing reached the client: try another key once, and forget this answer (the new attempt starts
      // first, so this one's abort callbacks already see themselves as stale).
      const abandon = this.abortUpstream;
      this.attempt(next, true);
      abandon?.(new RetriedElsewhere());
      return;
    }
    this.stopFirstByteTimer();
    if (this.req.failover && retryable(code)) {
      this.handBack(code, upstreamRequestId(headers)); // first: the abort below must find the call done
      this.abortUpstream?.(new RetriedElsewhere());
      return;
    }
    this.status = code;
    this.upstreamId = upstreamRequestId(headers);
    const kept = scrubHeaders(clientResponseHeaders(headers), this.pool.all());
    if (code >= 400) {
      this.error = { chunks: [], size: 0, headers: kept }; // kept whole so upstream secrets can be scrubbed out
      return;
    }
    const contentType = String(headers['content-type'] ?? '');
    this.eventStream = contentType.startsWith('text/event-stream');
    const translator = this.req.translator;
    const responseHeaders = translator ? translator.headers(kept) : kept;
    const json = contentType.includes('json');
    if (!translator && this.req.echoModel !== undefined && (this.eventStream || json)) {
      this.chain.echo = this.eventStream ? new ModelEchoFilter(this.req.echoModel, 'sse', this.req.echoModelDepth) : new ModelEchoFilter(this.req.echoModel, 'json');
      delete responseHeaders['content-length']; // the body's length changes
    }
    const translated = translator?.status !== undefined && !this.eventStream;
    if (translated || (!this.eventStream && json)) {
      this.held = { headers: responseHeaders, chunks: [], size: 0, translated };
    } else {
      this.sink.start(code, responseHeaders);
    }
    this.flow = flow;
    this.sink.onDrain(() => flow.resume());
  }

  private onData(chunk: Buffer): void {
    const error = this.error;
    if (error) {
      if (error.size < MAX_ERROR_BODY) error.chunks.push(chunk.subarray(0, MAX_ERROR_BODY - error.size));
      error.size += chunk.length;
      return;
    }
    this.meter.tap?.push(chunk);
    const out = this.chain.push(chunk);
    if (out.length === 0) return;
    const held = this.held;
    if (held) {
      held.chunks.push(out);
      held.size += out.length;
      if (held.translated || held.size <= MAX_HELD_BYTES) return;
      this.release(held); // too large to hold: relayed as it comes from here on
    }
    if (!this.sink.write(out)) this.flow?.pause();
  }

  /** Starts sending a held answer that grew too large to keep whole. */
  private release(held: HeldAnswer): void {
    this.held = undefined;
    this.sink.start(this.status, held.headers);
    for (const chunk of held.chunks.slice(0, -1)) this.sink.write(chunk);
  }

  private onEnd(key: string): void {
    if (this.error) {
      const keyRejected = restKeyRejectedInBody(this.pool, key, this.req.provider.dialect, this.status, this.error.chunks, this.hooks.now());
      if (keyRejected && this.req.failover) {
        this.handBack(this.status, this.upstreamId);
        return;
      }
      sendScrubbed(this.sink, this.status, this.error.headers, this.error.chunks, this.pool.all(), this.req.translator);
      void this.finish(this.status, `upstream_${this.status}`);
      return;
    }
    const tail = this.chain.end();
    const metered = this.hooks.measure();
    const held = this.held;
    if (!held) {
      // The end of the answer waits for its charge to be written: a crash can no longer lose it.
      void this.finish(this.status, null, metered).then(() => this.sink.end(tail));
      return;
    }
    const body = Buffer.concat([...held.chunks, tail]);
    // A body whose length the upstream did not state ends when its connection closes: only its JSON tells a cut.
    if (!held.translated && !jsonCloses(body)) {
      this.failHeld(new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', `The ${this.req.provider.id} upstream cut its answer before it was complete.`), metered);
      return;
    }
    const status = held.translated ? (this.req.translator?.status?.() ?? this.status) : this.status;
    void this.finish(status, status === this.status ? null : 'untranslatable_answer', metered).then(() => {
      this.sink.start(status, { ...held.headers, 'content-length': String(body.length) });
      this.sink.end(body);
    });
  }

  private onError(key: string, retried: boolean, err: Error): void {
    const failure = classifyUpstreamError(err, this.req.provider.id);
    // Only a request that never reached the provider is tried again: a timeout or a reset after it was
    // sent may already have run (and been billed) upstream.
    const next = this.status === 0 && failedBeforeSending(err) ? this.otherKey(key, retried) : undefined;
    if (next !== undefined) {
      this.attempt(next, true);
      return;
    }
    if (this.status === 0) {
      // Nothing reached the client yet: the caller answers in the surface's shape.
      this.done = true;
      this.stopFirstByteTimer();
      void this.hooks.record({ status: failure.status, error: failure.code, upstreamId: null, stream: false });
      this.reject(failure);
      return;
    }
    if (this.error) {
      sendScrubbed(this.sink, this.status, this.error.headers, this.error.chunks, this.pool.all(), this.req.translator);
      void this.finish(this.status, failure.code);
      return;
    }
    const metered = this.hooks.measure();
    if (this.held) {
      this.failHeld(failure, metered);
      return;
    }
    void this.finish(this.status, failure.code, metered).then(() => {
      if (this.eventStream) this.sink.end('\n\n' + streamErrorEvent(this.req.surface, failure));
      else this.sink.destroy(); // the client sees a cut answer, never a short one that looks whole
    });
  }

  /** A whole answer cut before it was complete: nothing of it was sent, so the client gets the failure in its shape. */
  private failHeld(failure: GatewayError, metered: Metered | undefined): void {
    this.held = undefined;
    void this.finish(failure.status, 'upstream_cut', metered).then(() => {
      const body = JSON.stringify(errorBody(this.req.surface, failure));
      this.sink.start(failure.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      this.sink.end(body);
    });
  }

  /** Records the call (metered: its usage counts and is charged) and resolves the relay once that is durable. */
  private finish(status: number, error: string | null, metered?: Metered): Promise<void> {
    if (this.done) return Promise.resolve();
    this.done = true;
    this.stopFirstByteTimer();
    const recorded = this.hooks.record({ status, error, upstreamId: this.upstreamId, stream: this.eventStream }, metered);
    void recorded.then(() => this.resolve());
    return recorded;
  }

  /** Failover: the caller tries its backup; this answer is dropped and its hold released. */
  private handBack(code: number, id: string | null): void {
    this.done = true;
    void this.hooks.record({ status: code, error: `upstream_${code}`, upstreamId: id, stream: false });
    this.reject(this.hooks.candidateFailed(code));
  }
}
