import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/index.js';

type ModelParams = { Params: { '*': string } };

/** `/admin/models` and `/admin/settings`: the price catalog, the USD→RUB rate and the markup. */
export function adminCatalogRoutes(app: FastifyInstance, services: Services): void {
  const { catalog, billingSettings } = services;
  app.get('/admin/models', async () => ({ data: catalog.list() }));
  // Model names carry their provider and may contain slashes themselves (openrouter/mistralai/…).
  app.get<ModelParams>('/admin/models/*', async (request) => catalog.get(request.params['*']));
  app.put<ModelParams>('/admin/models/*', async (request) => catalog.put(request.params['*'], request.body));
  app.get('/admin/settings', async () => billingSettings.view());
  app.put('/admin/settings', async (request) => billingSettings.update(request.body));
}
