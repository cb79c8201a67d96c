import { GatewayError } from '../../core/errors.js';
import { SseParser, type SseEvent } from '../../lib/sse.js';
import type { ResponseTranslator } from '../passthrough/response-translator.js';
import { errorBody } from '../surface-errors.js';

/** Maps a provider's error answer to the OpenAI status and error body. */
export type ErrorMapper = (status: number, body: unknown) => { status: number; body: unknown };

/** A stream state machine of an adapter: provider events in, OpenAI SSE text out. */
export interface ChatStreamAdapter {
  push(event: SseEvent): string;
  end(): string;
}

const KEEP_ON_ERROR = ['retry-after', 'retry-after-ms', 'x-request-id', 'request-id'];
const MAX_WHOLE_ANSWER = 32 * 1024 * 1024;

function errorAnswer(mapErrors: ErrorMapper, status: number, raw: Buffer, headers: Record<string, string | string[]>) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = raw.toString('utf8');
  }
  const mapped = mapErrors(status, parsed);
  const kept: Record<string, string | string[]> = { 'content-type': 'application/json; charset=utf-8' };
  for (const name of KEEP_ON_ERROR) if (headers[name] !== undefined) kept[name] = headers[name]!;
  return { status: mapped.status, body: Buffer.from(JSON.stringify(mapped.body)), headers: kept };
}

const jsonHeaders = (upstream: Record<string, string | string[]>) => {
  const { 'content-length': _length, 'content-type': _type, ...rest } = upstream;
  return rest;
};

/** SSE in, SSE out, event by event. */
export class SseTranslator implements ResponseTranslator {
  private readonly parser = new SseParser();
  /** Set once an event could not be translated: the client got an error event, the rest is dropped. */
  private failed = false;

  constructor(
    private readonly adapter: ChatStreamAdapter,
    private readonly mapErrors: ErrorMapper,
  ) {}

  headers(upstream: Record<string, string | string[]>): Record<string, string | string[]> {
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
      return Buffer.from(`data: ${JSON.stringify(errorBody('openai', failure))}\n\n`);
    }
  }

  error(status: number, body: Buffer, headers: Record<string, string | string[]>) {
    return errorAnswer(this.mapErrors, status, body, headers);
  }
}

/** A whole JSON answer, translated once complete; one that cannot be becomes a 502 in OpenAI's shape. */
export class JsonTranslator implements ResponseTranslator {
  private chunks: Buffer[] = [];
  private size = 0;
  private finalStatus = 200;

  constructor(
    private readonly convert: (answer: unknown) => unknown,
    private readonly mapErrors: ErrorMapper,
  ) {}

  headers(upstream: Record<string, string | string[]>): Record<string, string | string[]> {
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
      return Buffer.from(JSON.stringify(errorBody('openai', failure)));
    } finally {
      this.chunks = [];
    }
  }

  status(): number {
    return this.finalStatus;
  }

  error(status: number, body: Buffer, headers: Record<string, string | string[]>) {
    return errorAnswer(this.mapErrors, status, body, headers);
  }
}

const EMPTY = Buffer.alloc(0);

/** Leaves OpenAI-shaped errors as they are (OpenAI-dialect upstreams). */
export const openAIErrorsAsThey: ErrorMapper = (status, body) => ({ status, body });

/**
 * Applies `outer` to what `inner` produces (Anthropic → chat → text completion). A whole answer `inner`
 * could not translate is sent as `inner` made it (an error in OpenAI's shape), not translated again.
 */
export class ChainedTranslator implements ResponseTranslator {
  private failedStatus: number | undefined;

  constructor(
    private readonly inner: ResponseTranslator,
    private readonly outer: ResponseTranslator,
  ) {}

  headers(upstream: Record<string, string | string[]>): Record<string, string | string[]> {
    return this.outer.headers(this.inner.headers(upstream));
  }

  push(chunk: Buffer): Buffer {
    const middle = this.inner.push(chunk);
    return middle.length > 0 ? this.outer.push(middle) : EMPTY;
  }

  end(): Buffer {
    const middle = this.inner.end();
    const innerStatus = this.inner.status?.();
    if (innerStatus !== undefined && innerStatus >= 400) {
      this.failedStatus = innerStatus;
      return middle;
    }
    return Buffer.concat([middle.length > 0 ? this.outer.push(middle) : EMPTY, this.outer.end()]);
  }

  status(): number {
    return this.failedStatus ?? this.outer.status?.() ?? this.inner.status?.() ?? 200;
  }

  error(status: number, body: Buffer, headers: Record<string, string | string[]>) {
    return this.inner.error(status, body, headers);
  }
}
