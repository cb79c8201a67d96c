import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  /** Connections open at once to one provider origin; calls beyond them queue. */
  connectionsPerOrigin: number;
}

export interface UpstreamRequest {
  /** Base URL (origin + optional prefix) of the provider. */
  baseUrl: string;
  /** Path after the base, starting with `/`, with its query string. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | Readable | undefined;
}

/** Flow control over a response being received. */
export interface ResponseFlow {
  pause(): void;
  resume(): void;
}

/**
 * Callbacks for one upstream exchange, called in order: `onStart` once, then either `onResponse`,
 * `onData`*, `onEnd`, or `onError` at any point (before or after the response started).
 */
export interface UpstreamHandler {
  /** The request is under way; `abort` cancels it (its reason reaches `onError`). */
  onStart(abort: (reason: Error) => void): void;
  onResponse(status: number, headers: IncomingHttpHeaders, flow: ResponseFlow): void;
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
}

/**
 * One keep-alive agent for all upstreams; undici keeps a connection pool per origin inside it.
 * Responses are delivered to callbacks as undici reads them: no intermediate stream objects.
 */
export class UpstreamClient {
  private readonly agent: Agent;
  private readonly bases = new Map<string, { origin: string; prefix: string }>();

  constructor(timeouts: UpstreamTimeouts) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectTimeoutMs },
      headersTimeout: timeouts.headersTimeoutMs,
      bodyTimeout: timeouts.idleTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: timeouts.connectionsPerOrigin,
      pipelining: 1,
    });
  }

  dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    const base = this.parseBase(req.baseUrl);
    const options: Dispatcher.DispatchOptions = {
      origin: base.origin,
      path: base.prefix + req.path,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
    };
    let settled = false;
    this.agent.dispatch(options, {
      onRequestStart: (controller) => handler.onStart((reason) => controller.abort(reason)),
      onResponseStart: (controller, status, headers) => handler.onResponse(status, headers, controller),
      onResponseData: (_controller, chunk) => handler.onData(chunk),
      onResponseEnd: () => {
        settled = true;
        handler.onEnd();
      },
      onResponseError: (_controller, err) => {
        if (settled) return;
        settled = true;
        handler.onError(err);
      },
    });
  }

  private parseBase(baseUrl: string): { origin: string; prefix: string } {
    let base = this.bases.get(baseUrl);
    if (!base) {
      const url = new URL(baseUrl);
      base = { origin: url.origin, prefix: url.pathname.replace(/\/$/, '') };
      this.bases.set(baseUrl, base);
    }
    return base;
  }

  /** Each origin's pool as undici counts it (connections and requests), for the metrics' pool gauges. */
  poolStats(): Map<string, { connected: number; free: number; pending: number; queued: number; running: number }> {
    const stats = new Map<string, { connected: number; free: number; pending: number; queued: number; running: number }>();
    for (const [origin, s] of Object.entries(this.agent.stats)) {
      if (!('free' in s)) continue; // every origin has a pool (connections per origin are configured)
      stats.set(origin, { connected: s.connected, free: s.free, pending: s.pending, queued: s.queued, running: s.running });
    }
    return stats;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
