// Generic mock upstream: node:http server that records requests, applies faults and
// dispatches to a provider's route handler.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { sleep, StreamWriter, type ErrorChunk } from './stream.js';
import type { Fault, MockFlavor, MockOptions, MockUpstream, RecordedRequest } from './types.js';

/** Thrown by handlers for a 400 in the provider's error shape. */
export class BadRequest extends Error {
  constructor(message: string, readonly param: string | null = null) {
    super(message);
  }
}

export interface Provider {
  flavor: MockFlavor;
  /** provider-specific headers sent on every response */
  headers(reqNo: number): Record<string, string>;
  /** provider error body for a status */
  errorBody(status: number, message?: string, param?: string | null, reqNo?: number): unknown;
  /** respond with an error and return false when auth is missing */
  authorize(ctx: MockContext): boolean;
  /** answer the request (call ctx.notFound() for unknown routes) */
  route(ctx: MockContext): Promise<void> | void;
}

export class MockContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  private parsed: unknown;
  private parsedOk = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly body: Buffer,
    readonly fault: Fault | undefined,
    readonly provider: Provider,
    readonly opts: Required<MockOptions>,
    readonly reqNo: number,
  ) {
    this.method = req.method ?? 'GET';
    const u = new URL(req.url ?? '/', 'http://mock.local');
    this.path = u.pathname;
    this.query = u.searchParams;
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  /** Parsed JSON body (must be an object) or BadRequest. */
  json(): Record<string, unknown> {
    if (!this.parsedOk) {
      try {
        this.parsed = JSON.parse(this.body.toString('utf8'));
      } catch {
        throw new BadRequest('We could not parse the JSON body of your request.');
      }
      this.parsedOk = true;
    }
    const v = this.parsed;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequest('Request body must be a JSON object.');
    return v as Record<string, unknown>;
  }

  private headersFor(contentType: string, extra?: Record<string, string>): Record<string, string> {
    return { 'content-type': contentType, ...this.provider.headers(this.reqNo), ...extra, ...this.fault?.headers };
  }

  sendJson(status: number, body: unknown, contentType = 'application/json'): void {
    const data = Buffer.from(JSON.stringify(body));
    this.res.writeHead(status, { ...this.headersFor(contentType), 'content-length': String(data.length) });
    this.res.end(data);
  }

  sendText(status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
    const data = Buffer.from(text);
    this.res.writeHead(status, { ...this.headersFor(contentType), 'content-length': String(data.length) });
    this.res.end(data);
  }

  error(status: number, message?: string, param?: string | null): void {
    const override = this.fault?.status !== undefined ? this.fault.errorBody : undefined;
    const body = override ?? this.provider.errorBody(status, message, param, this.reqNo);
    this.sendJson(status, body);
  }

  notFound(): void {
    this.error(404, `Invalid URL (${this.method} ${this.path})`);
  }

  /** Start a streamed 200 response; headers are flushed immediately. */
  stream(contentType: string, errorChunk: ErrorChunk, extra?: Record<string, string>): StreamWriter {
    this.res.writeHead(200, { ...this.headersFor(contentType, { 'cache-control': 'no-cache', ...extra }) });
    this.res.flushHeaders();
    return new StreamWriter(this.res, this.fault, errorChunk);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startMockServer(provider: Provider, options: MockOptions = {}): Promise<MockUpstream> {
  const opts: Required<MockOptions> = { streamChunks: options.streamChunks ?? 5, open: options.open ?? false, openrouter: options.openrouter ?? false };
  const requests: RecordedRequest[] = [];
  const queue: Array<{ fault: Fault; remaining: number }> = [];
  let persistent: Fault | undefined;
  let counter = 0;
  const sockets = new Set<Socket>();

  const takeFault = (): Fault | undefined => {
    const head = queue[0];
    if (!head) return persistent;
    if (--head.remaining <= 0) queue.shift();
    return head.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers }, body });
    const reqNo = ++counter;
    const fault = takeFault();
    if (fault?.hang) return; // never answer; the socket is destroyed by the client or close()
    if (fault?.delayHeadersMs) {
      await sleep(fault.delayHeadersMs, res);
      if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
    }
    const ctx = new MockContext(req, res, body, fault, provider, opts, reqNo);
    try {
      if (fault?.status !== undefined) return ctx.error(fault.status);
      if (!opts.open && !provider.authorize(ctx)) return;
      await provider.route(ctx);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
      } else if (e instanceof BadRequest) {
        ctx.sendJson(400, provider.errorBody(400, e.message, e.param, reqNo));
      } else {
        ctx.sendJson(500, provider.errorBody(500, `mock failure: ${String(e)}`, null, reqNo));
      }
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('mock server has no TCP address');

  return {
    flavor: provider.flavor,
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    lastRequest: () => requests[requests.length - 1],
    failNext(fault: Fault, count = 1) {
      if (count > 0) queue.push({ fault, remaining: count });
    },
    setFault(fault: Fault | undefined) {
      persistent = fault;
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      persistent = undefined;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}
