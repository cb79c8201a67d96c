import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';

/** Liveness and readiness for orchestrators and load balancers. */
export async function opsRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const reason = await services.readiness();
    // A models list that failed to load is shown, never a reason to refuse traffic (the last good list stays).
    const lists = services.catalogLists();
    const catalog = lists.length > 0 ? { catalog_lists: lists } : {};
    if (reason === undefined) return { status: 'ready', ...catalog };
    return reply.code(503).send({ status: 'unavailable', reason, ...catalog });
  });
}
