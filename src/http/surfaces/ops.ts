import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';

/** Liveness and readiness for orchestrators and load balancers. */
export async function opsRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const reason = await services.readiness();
    if (reason === undefined) return { status: 'ready' };
    return reply.code(503).send({ status: 'unavailable', reason });
  });
}
