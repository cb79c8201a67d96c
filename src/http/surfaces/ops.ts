import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';

/** Liveness and readiness for orchestrators and load balancers. */
export async function opsRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    try {
      await services.readiness();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
}
