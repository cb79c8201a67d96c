import type { IncomingHttpHeaders } from 'node:http';
import type { ByteTransform, ResponseHeaders } from '../../core/byte-transform.js';
import type { ErrorRendering } from '../../core/dialect.js';
import { GatewayError } from '../../core/errors.js';
import type { UsageTap } from '../../core/usage-tap.js';
import { jsonCloses } from '../../lib/json-depth.js';
import type { ResponseFlow } from '../../upstream/client.js';
import { scrubHeaders, scrubSecrets } from '../../upstream/scrub.js';
import type { Metered } from '../metering/usage-columns.js';
import type { ClientSink } from './client-sink.js';
import { clientResponseHeaders } from './headers.js';
import type { ExchangeEvents } from './upstream-exchange.js';

/**
 * A whole (non-stream) JSON answer is held until it is complete, so a body the provider cut is answered
 * with an error instead of half a JSON under 200, and sent only once its charge is written. Larger
 * bodies (images as base64) are relayed as they come.
 */
const MAX_HELD_BYTES = 32 * 1024 * 1024;

export interface CallOutcome {
  status: number;
  error: string | null;
  upstreamId: string | null;
  stream: boolean;
}

/** What the relayed answer reports to the call's ledger. */
export interface AnswerHooks {
  /** Ends the usage tap and prices what it saw (called once, when an answer was relayed). */
  measure(): Metered | undefined;
  /** Records the call (and settles its admission); resolves once that is durable. */
  record(outcome: CallOutcome, metered?: Metered): Promise<void>;
  /** The call failed before anything reached the client: the caller answers it (or tries a backup). */
  reject(err: GatewayError): void;
  /** The answer is complete (the client has all of it, or has gone). */
  resolve(): void;
  candidateFailed(status: number): GatewayError;
}

interface Held {
  headers: ResponseHeaders;
  chunks: Buffer[];
  size: number;
  /** Translated whole answers: the status comes from the translation. */
  translated: boolean;
}

/**
 * The provider's answer on its way to the client: error answers scrubbed and reshaped whole; a whole JSON
 * answer held until complete; a stream relayed as it comes, with backpressure. The call's record — and
 * with it the charge — is written before the client's answer ends.
 */
export class AnswerRelay implements ExchangeEvents {
  private done = false;
  private status = 0;
  private upstreamId: string | null = null;
  private eventStream = false;
  private held: Held | undefined;
  private flow: ResponseFlow | undefined;

  constructor(
    private readonly provider: string,
    private readonly sink: ClientSink,
    private readonly transform: ByteTransform,
    private readonly tap: UsageTap | undefined,
    private readonly secrets: readonly string[],
    private readonly clientErrors: ErrorRendering,
    private readonly hooks: AnswerHooks,
  ) {}

  head(status: number, headers: IncomingHttpHeaders, upstreamId: string | null, flow: ResponseFlow): void {
    this.status = status;
    this.upstreamId = upstreamId;
    const contentType = String(headers['content-type'] ?? '');
    this.eventStream = contentType.startsWith('text/event-stream');
    const kept = scrubHeaders(clientResponseHeaders(headers), this.secrets);
    const responseHeaders = this.transform.headers ? this.transform.headers(kept) : kept;
    const translated = this.transform.status !== undefined && !this.eventStream;
    if (translated || (!this.eventStream && contentType.includes('json'))) {
      this.held = { headers: responseHeaders, chunks: [], size: 0, translated };
    } else {
      this.sink.start(status, responseHeaders);
    }
    this.flow = flow;
    this.sink.onDrain(() => flow.resume());
  }

  data(chunk: Buffer): void {
    this.tap?.push(chunk);
    const out = this.transform.push(chunk);
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

  end(): void {
    const tail = this.transform.end();
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
      this.failHeld(new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', `The ${this.provider} upstream cut its answer before it was complete.`), metered);
      return;
    }
    const status = held.translated ? (this.transform.status?.() ?? this.status) : this.status;
    void this.finish(status, status === this.status ? null : 'untranslatable_answer', metered).then(() => {
      this.sink.start(status, { ...held.headers, 'content-length': String(body.length) });
      this.sink.end(body);
    });
  }

  errorAnswer(status: number, headers: IncomingHttpHeaders, upstreamId: string | null, raw: Buffer, cut?: GatewayError): void {
    this.status = status;
    this.upstreamId = upstreamId;
    // Upstream error bodies pass through with their status, minus any upstream secret they echo.
    const scrubbed = { status, body: Buffer.from(scrubSecrets(raw.toString('utf8'), this.secrets)), headers: scrubHeaders(clientResponseHeaders(headers), this.secrets) };
    const answer = this.transform.error ? this.transform.error(scrubbed) : scrubbed;
    this.sink.start(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    this.sink.end(answer.body);
    void this.finish(status, cut ? cut.code : `upstream_${status}`);
  }

  failure(failure: GatewayError, answered: boolean): void {
    if (!answered) {
      // Nothing reached the client yet: the caller answers in the surface's shape.
      this.done = true;
      void this.hooks.record({ status: failure.status, error: failure.code, upstreamId: null, stream: false });
      this.hooks.reject(failure);
      return;
    }
    const metered = this.hooks.measure();
    if (this.held) return this.failHeld(failure, metered);
    void this.finish(this.status, failure.code, metered).then(() => {
      if (this.eventStream) this.sink.end('\n\n' + this.clientErrors.streamEvent(failure));
      else this.sink.destroy(); // the client sees a cut answer, never a short one that looks whole
    });
  }

  handBack(status: number, upstreamId: string | null): void {
    this.done = true;
    void this.hooks.record({ status, error: `upstream_${status}`, upstreamId, stream: false });
    this.hooks.reject(this.hooks.candidateFailed(status));
  }

  /** The client went away: an answer that had started is billed for what was produced, anything else costs nothing. */
  clientGone(errorUpstreamId: string | null = null): void {
    if (this.done) return;
    this.upstreamId ??= errorUpstreamId;
    const relayed = this.status > 0 && this.status < 400;
    void this.finish(499, 'client_aborted', relayed ? this.hooks.measure() : undefined);
  }

  /** Starts sending a held answer that grew too large to keep whole. */
  private release(held: Held): void {
    this.held = undefined;
    this.sink.start(this.status, held.headers);
    for (const chunk of held.chunks.slice(0, -1)) this.sink.write(chunk);
  }

  /** A whole answer cut before it was complete: nothing of it was sent, so the client gets the failure in its shape. */
  private failHeld(failure: GatewayError, metered: Metered | undefined): void {
    this.held = undefined;
    void this.finish(failure.status, 'upstream_cut', metered).then(() => {
      const body = JSON.stringify(this.clientErrors.body(failure));
      this.sink.start(failure.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      this.sink.end(body);
    });
  }

  /** Records the call (metered: its usage counts and is charged) and resolves the relay once that is durable. */
  private finish(status: number, error: string | null, metered?: Metered): Promise<void> {
    if (this.done) return Promise.resolve();
    this.done = true;
    const recorded = this.hooks.record({ status, error, upstreamId: this.upstreamId, stream: this.eventStream }, metered);
    void recorded.then(() => this.hooks.resolve());
    return recorded;
  }
}
