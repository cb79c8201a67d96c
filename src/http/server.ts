import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import { installErrorHandlers } from './plugins/errors.js';
import { adminRoutes } from './surfaces/admin.js';
import { nativeRoutes } from './surfaces/native.js';
import { opsRoutes } from './surfaces/ops.js';

export interface HttpOptions {
  logger: Logger;
}

export async function buildHttpServer(services: Services, options: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    // Per-request lines cost throughput; the request history is the access log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Streams may be idle for minutes while a reasoning model thinks; the upstream timeouts govern them.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  installErrorHandlers(app);
  await app.register(async (scope) => opsRoutes(scope, services));
  await app.register(async (scope) => adminRoutes(scope, services));
  await app.register(async (scope) => nativeRoutes(scope, services));
  return app;
}
