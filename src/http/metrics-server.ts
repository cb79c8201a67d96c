import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MetricsEndpoint } from '../services/metrics/metrics-endpoint.js';
import { metricsRoute } from './surfaces/ops.js';

/** The listener of its own (METRICS_PORT, at METRICS_HOST) that serves only `GET /metrics`. */
export async function buildMetricsServer(metrics: MetricsEndpoint, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger.child({ listener: 'metrics' }) as unknown as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  metricsRoute(app, metrics);
  await app.ready();
  return app;
}
