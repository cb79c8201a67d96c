import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { AdminAuditPage, AdminAuditQuery, AdminOverview, AdminOverviewQuery, AdminUpstreamList } from '../../contracts/admin.js';
import { requireAdmin } from '../../plugins/session-account.js';

/** `/api/admin/overview`, `/api/admin/upstreams`, `/api/admin/audit`: what the gateway did, what it calls, who changed what. */
export function adminOverviewRoutes(scope: FastifyInstance, services: Services): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/admin/overview',
    { schema: { tags: ['admin: overview'], querystring: AdminOverviewQuery, response: { 200: AdminOverview } } },
    async (request) => {
      requireAdmin(request);
      return services.overview.overview(request.query.days ?? 30);
    },
  );

  // Keys appear as `…last4` only: the view never holds more of them (upstream/key-pool.ts `health`).
  app.get('/api/admin/upstreams', { schema: { tags: ['admin: upstreams'], response: { 200: AdminUpstreamList } } }, async (request) => {
    requireAdmin(request);
    return { data: services.upstreams.list() };
  });

  app.get('/api/admin/audit', { schema: { tags: ['admin: audit'], querystring: AdminAuditQuery, response: { 200: AdminAuditPage } } }, async (request) => {
    requireAdmin(request);
    return services.audit.list(request.query);
  });
}
