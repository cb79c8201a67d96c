import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../core/errors.js';
import type { ResponseFlow, UpstreamClient } from '../../upstream/client.js';
import { classifyUpstreamError, failedBeforeSending } from '../../upstream/errors.js';
import type { KeyPool } from '../../upstream/key-pool.js';
import { upstreamRequestId } from './headers.js';
import { restKey, restRejectedKey, retryable } from './key-retry.js';

/** connecting: sent, no answer yet · headers: the answer's head is being judged · body: it is arriving · done. */
export type ExchangeState = 'connecting' | 'headers' | 'body' | 'done';

const MAX_ERROR_BODY = 1024 * 1024;

/** What the exchange reports, once per answer (after key retry, and after failover decided not to hand back). */
export interface ExchangeEvents {
  /** A successful answer's head; its body follows through `data` and `end`. */
  head(status: number, headers: IncomingHttpHeaders, upstreamId: string | null, flow: ResponseFlow): void;
  data(chunk: Buffer): void;
  end(): void;
  /** An error answer, kept whole (up to 1 MiB) so it can be scrubbed and reshaped; `cut` when its body broke off. */
  errorAnswer(status: number, headers: IncomingHttpHeaders, upstreamId: string | null, body: Buffer, cut?: GatewayError): void;
  /** The connection failed; `answered` when a successful answer had started. */
  failure(failure: GatewayError, answered: boolean): void;
  /** Failover: the provider failed before anything reached the client; the caller tries its backup. */
  handBack(status: number, upstreamId: string | null): void;
}

export interface ExchangeTarget {
  provider: string;
  baseUrl: string;
  /** Path with its query string. */
  path: string;
  method: string;
  body: Buffer | Readable | undefined;
  /** The request headers for one attempt with this key. */
  headers(key: string): Record<string, string>;
  /** The dialect's rule for an error answer that says the key itself was refused. */
  keyRejected(status: number, body: Buffer): boolean;
  failover: { firstByteTimeoutMs?: number } | undefined;
}

/**
 * One upstream exchange, from the first attempt to the end of the answer: a refused or throttled key
 * rests and another key is tried once (for a body that can be sent again), the first-byte timer of a
 * call with a backup, the provider's failures before answering handed back to that backup, and the
 * abort when the client goes away. Answers reach `events` only from the attempt that counts.
 */
export class UpstreamExchange {
  state: ExchangeState = 'connecting';
  private attempts = 0;
  private abortAttempt: ((reason: Error) => void) | undefined;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private error: { status: number; headers: IncomingHttpHeaders; upstreamId: string | null; chunks: Buffer[]; size: number } | undefined;

  constructor(
    private readonly target: ExchangeTarget,
    private readonly pool: KeyPool,
    private readonly upstream: UpstreamClient,
    private readonly events: ExchangeEvents,
    private readonly now: () => number,
    /** Told when the answer that counts (after any key retry) starts: its head arrived. */
    private readonly onHead?: (at: number) => void,
  ) {}

  start(key: string): void {
    if (this.state === 'done') return; // the client left before the exchange started
    this.attempt(key, false);
  }

  /** The provider's request id of an error answer still arriving (its head is known, its body is not). */
  errorUpstreamId(): string | null {
    return this.error?.upstreamId ?? null;
  }

  /** The client went away: the upstream request is cancelled and nothing more is reported. */
  abort(reason: Error): void {
    this.finish();
    this.abortAttempt?.(reason);
  }

  private attempt(key: string, retried: boolean): void {
    const mine = ++this.attempts;
    const current = () => mine === this.attempts && this.state !== 'done';
    const { target } = this;
    this.state = 'connecting';
    this.upstream.dispatch(
      { baseUrl: target.baseUrl, path: target.path, method: target.method, headers: target.headers(key), body: target.body },
      {
        onStart: (abort) => {
          if (mine !== this.attempts) return;
          this.abortAttempt = abort;
          if (this.state === 'done') abort(new Error('the exchange ended before it started'));
          else this.startFirstByteTimer();
        },
        onResponse: (status, headers, flow) => current() && this.onResponse(key, retried, status, headers, flow),
        onData: (chunk) => current() && this.onData(chunk),
        onEnd: () => current() && this.onEnd(key),
        onError: (err) => current() && this.onError(key, retried, err),
      },
    );
  }

  private onResponse(key: string, retried: boolean, status: number, headers: IncomingHttpHeaders, flow: ResponseFlow): void {
    this.state = 'headers';
    restKey(this.pool, key, status, headers, this.now());
    const next = retryable(status) ? this.otherKey(key, retried) : undefined;
    if (next !== undefined) {
      // Nothing reached the client: try another key once, and forget this answer (the new attempt starts
      // first, so this one's callbacks already see themselves as stale).
      const abandon = this.abortAttempt;
      this.attempt(next, true);
      abandon?.(new Error('retried with another key'));
      return;
    }
    this.stopFirstByteTimer();
    this.onHead?.(this.now());
    const upstreamId = upstreamRequestId(headers);
    if (this.target.failover && retryable(status)) return this.handBack(status, upstreamId);
    this.state = 'body';
    if (status >= 400) {
      this.error = { status, headers, upstreamId, chunks: [], size: 0 };
      return;
    }
    this.events.head(status, headers, upstreamId, flow);
  }

  private onData(chunk: Buffer): void {
    const error = this.error;
    if (!error) return this.events.data(chunk);
    if (error.size < MAX_ERROR_BODY) error.chunks.push(chunk.subarray(0, MAX_ERROR_BODY - error.size));
    error.size += chunk.length;
  }

  private onEnd(key: string): void {
    const error = this.error;
    if (!error) {
      this.finish();
      return this.events.end();
    }
    const body = Buffer.concat(error.chunks);
    if (this.target.keyRejected(error.status, body)) {
      restRejectedKey(this.pool, key, this.now());
      if (this.target.failover) return this.handBack(error.status, error.upstreamId);
    }
    this.finish();
    this.events.errorAnswer(error.status, error.headers, error.upstreamId, body);
  }

  private onError(key: string, retried: boolean, err: Error): void {
    const failure = classifyUpstreamError(err, this.target.provider);
    this.pool.noteFailure(key, failure.code === 'TG_ERR_UPSTREAM_TIMEOUT' ? 'timeout' : 'unreachable', this.now());
    const answered = this.state === 'body';
    // Only a request that never reached the provider is tried again: a timeout or a reset after it was
    // sent may already have run (and been billed) upstream.
    const next = !answered && failedBeforeSending(err) ? this.otherKey(key, retried) : undefined;
    if (next !== undefined) return this.attempt(next, true);
    this.finish();
    const error = this.error;
    if (error) return this.events.errorAnswer(error.status, error.headers, error.upstreamId, Buffer.concat(error.chunks), failure);
    this.events.failure(failure, answered);
  }

  /** A second key is tried only for a body that can be sent again, and only if the pool has another. */
  private otherKey(failed: string, retried: boolean): string | undefined {
    if (retried || !Buffer.isBuffer(this.target.body) || this.pool.size() < 2) return undefined;
    return this.pool.pick(this.now(), failed);
  }

  private handBack(status: number, upstreamId: string | null): void {
    this.finish();
    this.events.handBack(status, upstreamId); // first: the abort below must find the exchange done
    this.abortAttempt?.(new Error('handed back to the backup candidate'));
  }

  private startFirstByteTimer(): void {
    const ms = this.target.failover?.firstByteTimeoutMs;
    if (ms === undefined || this.firstByteTimer || this.state !== 'connecting') return;
    this.firstByteTimer = setTimeout(() => {
      if (this.state !== 'connecting') return;
      this.abortAttempt?.(new GatewayError('TG_ERR_UPSTREAM_TIMEOUT', `The ${this.target.provider} upstream did not answer within ${ms} ms.`));
    }, ms).unref();
  }

  private stopFirstByteTimer(): void {
    if (this.firstByteTimer) clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
  }

  private finish(): void {
    this.state = 'done';
    this.stopFirstByteTimer();
  }
}
