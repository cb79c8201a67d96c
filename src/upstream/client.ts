import { Agent, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface UpstreamRequest {
  /** Base URL (origin + optional prefix) of the provider. */
  baseUrl: string;
  /** Path after the base, starting with `/`, with its query string. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | Readable | undefined;
  signal: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & Dispatcher.BodyMixin;
}

/** One keep-alive agent for all upstreams; undici keeps a connection pool per origin inside it. */
export class UpstreamClient {
  private readonly agent: Agent;

  constructor(timeouts: UpstreamTimeouts) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectTimeoutMs },
      headersTimeout: timeouts.headersTimeoutMs,
      bodyTimeout: timeouts.idleTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: 256,
      pipelining: 1,
    });
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const base = this.parseBase(req.baseUrl);
    const response = await this.agent.request({
      origin: base.origin,
      path: base.prefix + req.path,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      signal: req.signal,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }

  private readonly bases = new Map<string, { origin: string; prefix: string }>();

  private parseBase(baseUrl: string): { origin: string; prefix: string } {
    let base = this.bases.get(baseUrl);
    if (!base) {
      const url = new URL(baseUrl);
      base = { origin: url.origin, prefix: url.pathname.replace(/\/$/, '') };
      this.bases.set(baseUrl, base);
    }
    return base;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
