import { createHash, timingSafeEqual } from 'node:crypto';
import type { ObservedCall } from '../../observability/metrics.js';

/** What a relayed call's ledger reports once, when the call ends (its history row and the first byte's delay). */
export interface CallObserver {
  observeCall(row: ObservedCall, ttfbMs: number | undefined): void;
}

export interface MetricsExporter {
  readonly contentType: string;
  render(): Promise<string>;
}

/**
 * `GET /metrics` as the HTTP layer serves it: the exposition text, to a caller with the bearer token
 * when one is set (compared in constant time); without a token only a separate listener serves it.
 */
export class MetricsEndpoint {
  private readonly digest: Buffer | undefined;

  constructor(
    private readonly exporter: MetricsExporter,
    token: string | undefined,
    /** True when /metrics has a listener of its own (METRICS_PORT), so the gateway's port does not serve it. */
    readonly ownListener: boolean,
  ) {
    this.digest = token === undefined ? undefined : sha256(token);
  }

  /** True when the request's `Authorization` header lets it scrape. */
  authorized(authorization: string | undefined): boolean {
    if (!this.digest) return true;
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return false;
    return timingSafeEqual(sha256(authorization.slice(7).trim()), this.digest);
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.exporter.contentType, body: await this.exporter.render() };
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
