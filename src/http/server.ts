import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import { installErrorHandlers } from './plugins/errors.js';
import { accountRoutes } from './surfaces/account.js';
import { adminRoutes } from './surfaces/admin.js';
import { nativeHandler } from './surfaces/native.js';
import { opsRoutes } from './surfaces/ops.js';
import { unifiedRoutes } from './surfaces/unified.js';

const KEEP_ALIVE_MS = 72_000;

export interface HttpOptions {
  logger: Logger;
}

export async function buildHttpServer(services: Services, options: HttpOptions): Promise<FastifyInstance> {
  let closing = false;
  const native = nativeHandler(services, options.logger, () => closing);
  const app = Fastify({
    // Native passthrough is answered before Fastify's router: it is the hot path (docs/architecture.md).
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => native(req, res) || fastifyHandler(req, res));
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      // Streams may be idle for minutes while a reasoning model thinks; the upstream timeouts govern them.
      server.requestTimeout = 0;
      server.setTimeout(0);
      return server;
    },
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    // Per-request lines cost throughput; the request history is the access log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  installErrorHandlers(app);
  await app.register(async (scope) => opsRoutes(scope, services));
  await app.register(async (scope) => adminRoutes(scope, services));
  await app.register(async (scope) => accountRoutes(scope, services));
  await app.register(async (scope) => unifiedRoutes(scope, services));
  return app;
}
