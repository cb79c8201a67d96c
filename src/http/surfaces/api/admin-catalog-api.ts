import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { adminModelList, adminModelView } from '../../../services/catalog/admin-model-prices.js';
import type { Services } from '../../../services/index.js';
import { AdminModel, AdminModelList, AdminModelParams, AdminModelPut, AdminSettings, AdminSettingsPut } from '../../contracts/admin.js';
import { putModelAudited, putSettingsAudited, sessionActor } from '../../plugins/audit-trail.js';
import { requireAdmin } from '../../plugins/session-account.js';

const TAGS = ['admin: models and prices'];

/**
 * `/api/admin/models` and `/api/admin/settings`: every catalog model (enabled or not) with its USD prices
 * and the ruble prices they make at the current rate × markup; changes go through `CatalogService.put`
 * and `BillingSettingsService.update`, as `/admin/*` and the CLI do.
 */
export function adminCatalogApiRoutes(scope: FastifyInstance, services: Services): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, billingSettings } = services;

  app.get('/api/admin/models', { schema: { tags: TAGS, response: { 200: AdminModelList } } }, async (request) => {
    requireAdmin(request);
    return adminModelList(catalog, billingSettings.get());
  });

  // Model names carry their provider and may contain slashes themselves (openrouter/mistralai/…).
  app.get('/api/admin/models/*', { schema: { tags: TAGS, params: AdminModelParams, response: { 200: AdminModel } } }, async (request) => {
    requireAdmin(request);
    return adminModelView(catalog.get(request.params['*']), billingSettings.get());
  });

  app.put(
    '/api/admin/models/*',
    { schema: { tags: TAGS, params: AdminModelParams, body: AdminModelPut, response: { 200: AdminModel } } },
    async (request) => {
      const admin = requireAdmin(request);
      const model = await putModelAudited(services, request, sessionActor(admin), request.params['*'], request.body);
      return adminModelView(model, billingSettings.get());
    },
  );

  app.get('/api/admin/settings', { schema: { tags: TAGS, response: { 200: AdminSettings } } }, async (request) => {
    requireAdmin(request);
    return billingSettings.view();
  });

  app.put('/api/admin/settings', { schema: { tags: TAGS, body: AdminSettingsPut, response: { 200: AdminSettings } } }, async (request) => {
    const admin = requireAdmin(request);
    return putSettingsAudited(services, request, sessionActor(admin), request.body);
  });
}
