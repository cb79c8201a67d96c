import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { requireAdmin } from '../../plugins/session-account.js';
import { adminCatalogApiRoutes } from './admin-catalog-api.js';
import { adminOverviewRoutes } from './admin-overview.js';
import { adminUserRoutes } from './admin-users.js';
import { adminPromoRoutes } from './promo-routes.js';
import { adminPaymentRoutes } from './admin-payments.js';

/**
 * The admin console's API, `/api/admin/*`, for signed-in users with the admin role (others: 401 / 403).
 * Registered in the /api scope after the session hook. Besides each handler's own `requireAdmin`, this
 * scope refuses non-admins before any body is parsed, so no route of it can be reached by forgetting one.
 * Every change is written to the audit log with the admin as its actor.
 */
export async function adminApiRoutes(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      requireAdmin(request);
    });
    adminUserRoutes(scope, services);
    adminCatalogApiRoutes(scope, services);
    adminOverviewRoutes(scope, services);
    adminPromoRoutes(scope, services);
    adminPaymentRoutes(scope, services);
  });
}
