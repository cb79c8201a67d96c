import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { IdleWatchdog } from '../lib/idle-watchdog.js';
import type { Services } from '../services/index.js';
import { capConnections } from './connection-cap.js';
import { idleLimited } from './plugins/body.js';
import { installAccessLog } from './plugins/access-log.js';
import { installErrorHandlers } from './plugins/errors.js';
import { surfaceResolver } from './surface-of.js';
import { emptyJsonIsNoBody } from './plugins/json-body.js';
import { accountRoutes } from './surfaces/account.js';
import { adminRoutes } from './surfaces/admin.js';
import { apiRoutes } from './surfaces/api/index.js';
import { nativeHandler } from './surfaces/native.js';
import { opsRoutes } from './surfaces/ops.js';
import { unifiedRoutes } from './surfaces/unified.js';
import { webAppRoutes } from './plugins/web-app.js';

const KEEP_ALIVE_MS = 72_000;

/** Slow or stuck clients: how long the request head may take, how long a body may pause, how many sockets. */
export interface ConnectionLimits {
  headersTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  maxConnections: number;
}

export interface HttpOptions {
  logger: Logger;
  /** HEADERS_TIMEOUT_MS, BODY_IDLE_TIMEOUT_MS and MAX_CONNECTIONS (src/config). */
  connections: Readonly<ConnectionLimits>;
  /** TRUST_PROXY: proxies whose X-Forwarded-For / -Proto set `request.ip` and `request.protocol`; none when empty. */
  trustProxy?: readonly string[];
}

export async function buildHttpServer(services: Services, options: HttpOptions): Promise<FastifyInstance> {
  let closing = false;
  const limits = options.connections;
  const bodyWatchdog = new IdleWatchdog(limits.bodyIdleTimeoutMs);
  const native = nativeHandler(services, options.logger, () => closing, bodyWatchdog);
  const app = Fastify({
    // Native passthrough is answered before Fastify's router: it is the hot path (docs/architecture.md).
    serverFactory: (fastifyHandler) => {
      const server = createServer(
        {
          keepAliveTimeout: KEEP_ALIVE_MS,
          // Slowloris: a request head must be complete this soon (Node answers 408 and closes).
          headersTimeout: limits.headersTimeoutMs,
          // Streams may be idle for minutes while a reasoning model thinks; the upstream timeouts govern them.
          requestTimeout: 0,
          // Node checks the headers timeout on this period (30 s by default, which would triple 15 s).
          connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(limits.headersTimeoutMs / 4))),
        },
        (req, res) => native(req, res) || fastifyHandler(req, res),
      );
      server.setTimeout(0);
      capConnections(server, limits.maxConnections, options.logger);
      return server;
    },
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    // Fastify's own request lines are two per request and carry no model or cost: plugins/access-log.ts writes one.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  installErrorHandlers(app, surfaceResolver(services.providers));
  installAccessLog(app, options.logger);
  // Every scope (admin, account, ops, and the 404 answer) inherits it; /v1 takes its bodies as bytes.
  emptyJsonIsNoBody(app);
  // Fastify routes' bodies (admin, /v1) get the same idle limit as the native mounts' (plugins/body.ts).
  app.addHook('preParsing', async (request, _reply, payload) => idleLimited(request.raw, payload, bodyWatchdog));
  app.addHook('onClose', (_instance, done) => {
    bodyWatchdog.close();
    done();
  });
  await app.register(async (scope) => opsRoutes(scope, services));
  await app.register(async (scope) => adminRoutes(scope, services));
  await app.register(async (scope) => accountRoutes(scope, services));
  await app.register(async (scope) => apiRoutes(scope, services));
  await app.register(async (scope) => unifiedRoutes(scope, services));
  // The dashboard's pages and assets: only the paths listed in plugins/web-app.ts, never an API path.
  await app.register(async (scope) => webAppRoutes(scope));
  return app;
}
