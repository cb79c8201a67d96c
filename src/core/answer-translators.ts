import type { ByteTransform, ErrorAnswer, ResponseHeaders } from './byte-transform.js';
import { EMPTY_BYTES as EMPTY } from './byte-transform.js';
import { GatewayError } from './errors.js';
import { SseParser, type SseEvent } from '../lib/sse.js';

/** How the client's surface tells a failure (a dialect's `ErrorRendering.body`). */
export type FailureBody = (err: GatewayError) => object;

/** Maps a provider's error answer to the OpenAI status and error body. */
export type ErrorMapper = (status: number, body: unknown) => { status: number; body: unknown };

/** A stream state machine of an adapter: provider events in, OpenAI SSE text out. */
export interface ChatStreamAdapter {
  push(event: SseEvent): string;
  end(): string;
}

const KEEP_ON_ERROR = ['retry-after', 'retry-after-ms', 'x-request-id', 'request-id'];
const MAX_WHOLE_ANSWER = 32 * 1024 * 1024;

function errorAnswer(mapErrors: ErrorMapper, { status, body: raw, headers }: ErrorAnswer): ErrorAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = raw.toString('utf8');
  }
  const mapped = mapErrors(status, parsed);
  const kept: ResponseHeaders = { 'content-type': 'application/json; charset=utf-8' };
  for (const name of KEEP_ON_ERROR) if (headers[name] !== undefined) kept[name] = headers[name]!;
  return { status: mapped.status, body: Buffer.from(JSON.stringify(mapped.body)), headers: kept };
}

const jsonHeaders = (upstream: ResponseHeaders) => {
  const { 'content-length': _length, 'content-type': _type, ...rest } = upstream;
  return rest;
};

/** SSE in, SSE out, event by event. */
export class SseTranslator implements ByteTransform {
  /** The provider's error answers in the client's shape; none: they pass as they are. */
  readonly error?: (answer: ErrorAnswer) => ErrorAnswer;
  private readonly parser = new SseParser();
  /** Set once an event could not be translated: the client got an error event, the rest is dropped. */
  private failed = false;

  constructor(
    private readonly adapter: ChatStreamAdapter,
    private readonly failureBody: FailureBody,
    mapErrors?: ErrorMapper,
  ) {
    if (mapErrors) this.error = (answer) => errorAnswer(mapErrors, answer);
  }

  headers(upstream: ResponseHeaders): ResponseHeaders {
    return { ...jsonHeaders(upstream), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
  }

  push(chunk: Buffer): Buffer {
    if (this.failed) return EMPTY;
    return this.guard(() => {
      let out = '';
      for (const event of this.parser.push(chunk)) out += this.adapter.push(event);
      return out;
    });
  }

  end(): Buffer {
    if (this.failed) return EMPTY;
    return this.guard(() => {
      let out = '';
      for (const event of this.parser.end()) out += this.adapter.push(event);
      return out + this.adapter.end();
    });
  }

  /** An adapter never takes the relay down: what it cannot translate ends the stream with an error event. */
  private guard(translate: () => string): Buffer {
    try {
      const out = translate();
      return out ? Buffer.from(out) : EMPTY;
    } catch {
      this.failed = true;
      const failure = new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'The provider sent a stream event the gateway could not read.');
      return Buffer.from(`data: ${JSON.stringify(this.failureBody(failure))}\n\n`);
    }
  }

}

/** A whole JSON answer, translated once complete; one that cannot be becomes a 502 in OpenAI's shape. */
export class JsonTranslator implements ByteTransform {
  readonly error?: (answer: ErrorAnswer) => ErrorAnswer;
  private chunks: Buffer[] = [];
  private size = 0;
  private finalStatus = 200;

  constructor(
    private readonly convert: (answer: unknown) => unknown,
    private readonly failureBody: FailureBody,
    mapErrors?: ErrorMapper,
  ) {
    if (mapErrors) this.error = (answer) => errorAnswer(mapErrors, answer);
  }

  headers(upstream: ResponseHeaders): ResponseHeaders {
    return { ...jsonHeaders(upstream), 'content-type': 'application/json; charset=utf-8' };
  }

  push(chunk: Buffer): Buffer {
    this.size += chunk.length;
    if (this.size <= MAX_WHOLE_ANSWER) this.chunks.push(Buffer.from(chunk));
    return EMPTY;
  }

  end(): Buffer {
    try {
      if (this.size > MAX_WHOLE_ANSWER) throw new Error('answer too large to translate');
      const answer = JSON.parse(Buffer.concat(this.chunks).toString('utf8')) as unknown;
      return Buffer.from(JSON.stringify(this.convert(answer)));
    } catch (err) {
      const failure =
        err instanceof GatewayError ? err : new GatewayError('TG_ERR_UPSTREAM_UNREACHABLE', 'The provider sent an answer the gateway could not read.');
      this.finalStatus = failure.status;
      return Buffer.from(JSON.stringify(this.failureBody(failure)));
    } finally {
      this.chunks = [];
    }
  }

  status(): number {
    return this.finalStatus;
  }

}

