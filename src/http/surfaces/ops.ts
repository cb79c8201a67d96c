import type { FastifyInstance } from 'fastify';
import type { MetricsEndpoint } from '../../services/metrics/metrics-endpoint.js';
import type { Services } from '../../services/index.js';

/** Liveness and readiness for orchestrators and load balancers. */
export async function opsRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const reason = await services.readiness();
    // A models list that failed to load is shown, never a reason to refuse traffic (the last good list stays).
    const lists = services.catalogLists();
    const catalog = lists.length > 0 ? { catalog_lists: lists } : {};
    // Redis away is shown, never a reason to refuse traffic: the node limits its calls by itself meanwhile.
    const details = { ...catalog, rate_limits: services.rateLimits() };
    if (reason === undefined) return { status: 'ready', ...details };
    return reply.code(503).send({ status: 'unavailable', reason, ...details });
  });
  // With METRICS_PORT, /metrics has a listener of its own and the gateway's port answers 404 to it.
  const metrics = services.metrics;
  if (metrics && !metrics.ownListener) metricsRoute(app, metrics);
}

/** `GET /metrics`: the Prometheus exposition text, to the bearer of METRICS_TOKEN when one is set. */
export function metricsRoute(app: FastifyInstance, metrics: MetricsEndpoint): void {
  app.get('/metrics', async (request, reply) => {
    if (!metrics.authorized(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { message: 'This needs the METRICS_TOKEN as a bearer token.', type: 'authentication_error', code: 'TG_ERR_UNAUTHORIZED' } });
    }
    const { contentType, body } = await metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
