/** Response headers as the relay handles them (lower-case names). */
export type ResponseHeaders = Record<string, string | string[]>;

/** An error answer as the client will receive it. */
export interface ErrorAnswer {
  status: number;
  body: Buffer;
  headers: ResponseHeaders;
}

/**
 * One step of what happens to a provider's answer on its way to the client: upstream secrets masked, the
 * gateway's own usage chunk dropped, the model name echoed, a dialect translated. Each step takes bytes
 * and gives bytes; `chain()` composes them. The usage tap reads the provider's bytes before any step.
 */
export interface ByteTransform {
  /** Provider bytes in, client bytes out (possibly empty until an event or the whole body is complete). */
  push(chunk: Buffer): Buffer;
  /** What is left to send once the provider's answer ended normally. */
  end(): Buffer;
  /** The headers of a successful answer, given the provider's (called once, before any `push`). */
  headers?(upstream: ResponseHeaders): ResponseHeaders;
  /**
   * Whole answers a step translates: the status to send, known only after `end()` (an answer that cannot
   * be translated becomes an error). Its presence makes the relay hold the answer until it is complete.
   */
  status?(): number;
  /** An error answer (status ≥ 400, already scrubbed) in the client's shape; in a chain, the first step that has one maps it. */
  error?(answer: ErrorAnswer): ErrorAnswer;
}

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/**
 * `steps` applied in order. Error answers are mapped by the first step that maps errors (the provider's
 * dialect into the client's); the steps after it see answers only. At the end, a step whose `status()` says its whole answer failed stops the
 * chain there: its error is sent as it made it, not translated again by the steps after it.
 */
export function chain(...steps: Array<ByteTransform | undefined>): ByteTransform {
  const present = steps.filter((step): step is ByteTransform => step !== undefined);
  if (present.length === 1) return present[0]!;
  return new ChainedTransform(present);
}

class ChainedTransform implements ByteTransform {
  private failedStatus: number | undefined;
  readonly status?: () => number;

  constructor(private readonly steps: readonly ByteTransform[]) {
    if (steps.some((step) => step.status)) this.status = () => this.finalStatus();
  }

  headers(upstream: ResponseHeaders): ResponseHeaders {
    let headers = upstream;
    for (const step of this.steps) if (step.headers) headers = step.headers(headers);
    return headers;
  }

  push(chunk: Buffer): Buffer {
    let out = chunk;
    for (const step of this.steps) {
      if (out.length === 0) return out;
      out = step.push(out);
    }
    return out;
  }

  end(): Buffer {
    let out = EMPTY_BYTES;
    for (const step of this.steps) {
      const head = out.length > 0 ? step.push(out) : EMPTY_BYTES;
      const tail = step.end();
      out = head.length === 0 ? tail : tail.length === 0 ? head : Buffer.concat([head, tail]);
      const status = step.status?.();
      if (status !== undefined && status >= 400) {
        this.failedStatus = status;
        return out;
      }
    }
    return out;
  }

  error(answer: ErrorAnswer): ErrorAnswer {
    const mapper = this.steps.find((step) => step.error);
    return mapper ? mapper.error!(answer) : answer;
  }

  private finalStatus(): number {
    if (this.failedStatus !== undefined) return this.failedStatus;
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const status = this.steps[i]!.status?.();
      if (status !== undefined) return status;
    }
    return 200;
  }
}
