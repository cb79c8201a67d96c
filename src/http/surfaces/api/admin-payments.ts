import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../../core/errors.js';
import type { Services } from '../../../services/index.js';
import { AdminOrder, AdminOrderPage, AdminOrdersQuery, OrderIdParams, ReconcileAnswer, RefundAnswer, RefundBody } from '../../contracts/payments.js';
import { sessionActor } from '../../plugins/audit-trail.js';
import { requireAdmin } from '../../plugins/session-account.js';

const TAGS = ['admin: payments'];

/** `/api/admin/payments…`: every customer's orders, one with its refunds and notifications, refunds, reconciliation. */
export function adminPaymentRoutes(scope: FastifyInstance, services: Services): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { payments } = services;
  const withProvider = <T>(part: T | undefined): T => {
    if (!part) throw new GatewayError('TG_ERR_FORBIDDEN', 'Online payments are not enabled on this gateway (PAYMENTS_PROVIDER is not set).');
    return part;
  };

  app.get('/api/admin/payments', { schema: { tags: TAGS, summary: 'Top-up orders of every customer, newest first', querystring: AdminOrdersQuery, response: { 200: AdminOrderPage } } }, async (request) => {
    requireAdmin(request);
    const { limit = 50, before, user_id: userId, status } = request.query;
    return payments.orders.adminOrders({ limit, before, userId, status });
  });

  app.get('/api/admin/payments/:id', { schema: { tags: TAGS, summary: 'One order with its refunds and every notification about it', params: OrderIdParams, response: { 200: AdminOrder } } }, async (request) => {
    requireAdmin(request);
    return payments.orders.adminOrder(request.params.id);
  });

  app.post(
    '/api/admin/payments/:id/refund',
    { schema: { tags: TAGS, summary: 'Refund a paid order (all that is left, or `amount`): the balance is debited first, once', params: OrderIdParams, body: RefundBody, response: { 200: RefundAnswer } } },
    async (request) => {
      const admin = requireAdmin(request);
      return withProvider(payments.refunds).refund(request.params.id, request.body.amount, sessionActor(admin), request.ip);
    },
  );

  app.post('/api/admin/payments/reconcile', { schema: { tags: TAGS, summary: 'Read every pending order back from the provider now and settle it', response: { 200: ReconcileAnswer } } }, async (request) => {
    const admin = requireAdmin(request);
    const report = await withProvider(payments.reconciler).reconcile({ olderThanMs: 0 });
    await services.audit.record({ actor: sessionActor(admin), action: 'payments.reconcile', details: { ...report }, ip: request.ip });
    return report;
  });
}
