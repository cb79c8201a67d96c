import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { redactUrl } from '../../lib/redact-url.js';
import type { GatewayError } from '../../core/errors.js';

/** Probes, polled every few seconds, would drown the log. */
const QUIET = new Set(['/health', '/ready', '/metrics']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The relay took this call and writes its access-log line (with model, tokens, cost) itself. */
    relayed: boolean;
  }
}

/** What the access log needs of a logger (pino's, or a Fastify request's child of it). */
interface AccessLogger {
  isLevelEnabled(level: string): boolean;
  info(fields: object, message: string): void;
}

/**
 * The access log's edge half: requests the relay never took (refused before it, such as a bad key, and
 * every admin, account and ops route) get one `info` line here; the relay writes its calls' lines itself,
 * with the model, tokens and cost (services/relay/call-ledger.ts).
 */
export function installAccessLog(app: FastifyInstance, log: AccessLogger): void {
  // A decoration, not a per-request WeakSet or added property: every request keeps one shape.
  app.decorateRequest('relayed', false);
  app.addHook('onResponse', (request, reply, done) => {
    if (!request.relayed && !QUIET.has(request.routeOptions.url ?? '') && log.isLevelEnabled('info')) {
      log.info({ method: request.method, url: redactUrl(request.url), status: reply.statusCode, latency_ms: Math.round(reply.elapsedTime) }, 'http');
    }
    done();
  });
}

/** A native request refused at the edge (a bad key, a bad path, a body too large): its line. */
export function logRefusal(log: AccessLogger, req: IncomingMessage, url: string, failure: GatewayError): void {
  if (!log.isLevelEnabled('info')) return;
  const query = url.indexOf('?');
  log.info({ method: req.method, url: query < 0 ? url : url.slice(0, query), status: failure.status, error: failure.code }, 'http');
}
