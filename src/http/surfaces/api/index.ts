import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../../core/errors.js';
import type { Services } from '../../../services/index.js';
import { installSessions } from '../../plugins/sessions.js';
import { adminApiRoutes } from './admin-routes.js';
import { authRoutes } from './auth-routes.js';
import { cabinetRoutes } from './cabinet-routes.js';
import { installApiValidation } from './validation.js';
import { paymentWebhookRoutes } from './payments-routes.js';

/**
 * The dashboard's JSON API, `/api/*`: its own scope, apart from the client keys' surfaces and `/admin/*`.
 * Sessions and the CSRF guard run on every request of it; each route's TypeBox schema validates its input
 * (bodies exactly, see validation.ts; a failure is a 400 in the OpenAI error shape), serializes its answer, and goes into the OpenAPI 3
 * document at `GET /api/openapi.json`. A path under /api that no route takes is a JSON 404, never the
 * web app's page.
 */
export async function apiRoutes(app: FastifyInstance, services: Services): Promise<void> {
  installApiValidation(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'tollgate dashboard API', version: '1', description: 'Session-authenticated JSON API of the customer cabinet and the admin console.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'tg_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
      security: [{ session: [], csrf: [] }],
    },
  });
  await installSessions(app, services);
  await authRoutes(app, services);
  await cabinetRoutes(app, services);
  await adminApiRoutes(app, services);
  await paymentWebhookRoutes(app, services);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const noRoute = async (request: { method: string; url: string }) => {
    throw notFound(`No route for ${request.method} ${request.url.split('?')[0]}.`);
  };
  app.all('/api', { schema: { hide: true } }, noRoute);
  app.all('/api/*', { schema: { hide: true } }, noRoute);
}
