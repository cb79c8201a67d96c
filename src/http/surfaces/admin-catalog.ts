import type { FastifyInstance } from 'fastify';
import { ADMIN_TOKEN_ACTOR } from '../../services/audit/audit-log.js';
import type { Services } from '../../services/index.js';
import { putModelAudited, putSettingsAudited } from '../plugins/audit-trail.js';

type ModelParams = { Params: { '*': string } };

/** `/admin/models` and `/admin/settings`: the price catalog, the USD→RUB rate and the markup. */
export function adminCatalogRoutes(app: FastifyInstance, services: Services): void {
  const { catalog, billingSettings } = services;
  app.get('/admin/models', async () => ({ data: catalog.list() }));
  // Model names carry their provider and may contain slashes themselves (openrouter/mistralai/…).
  app.get<ModelParams>('/admin/models/*', async (request) => catalog.get(request.params['*']));
  // Changes are audited with the admin token as their actor.
  app.put<ModelParams>('/admin/models/*', async (request) => putModelAudited(services, request, ADMIN_TOKEN_ACTOR, request.params['*'], request.body));
  app.get('/admin/settings', async () => billingSettings.view());
  app.put('/admin/settings', async (request) => putSettingsAudited(services, request, ADMIN_TOKEN_ACTOR, request.body));
}
