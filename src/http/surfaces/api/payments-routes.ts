import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { CreateOrderBody, Order, OrderIdParams, OrderPage, OrdersQuery, TopupOptions } from '../../contracts/payments.js';
import { ownOrigin } from '../../plugins/sessions.js';
import { requireAccount } from '../../plugins/session-account.js';

const NOTIFICATION_BODY_LIMIT = 256 * 1024;

/**
 * The cabinet's top-ups: the page's options, creating an order (the answer carries the provider's payment
 * page to redirect to), and the account's orders. A pending order is read back from the provider when
 * the customer looks at it, so coming back from the payment page shows the outcome at once.
 */
export function cabinetPaymentRoutes(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cabinet: top-ups'];
  const { orders } = services.payments;

  api.get('/api/topup', { schema: { tags, summary: 'How the account can top up: the provider, amount bounds and presets', response: { 200: TopupOptions } } }, async (request) => {
    requireAccount(request);
    return orders.topupOptions();
  });

  api.post(
    '/api/payments',
    { schema: { tags, summary: "Create a top-up order and its payment; redirect the customer to the answer's confirmation_url", body: CreateOrderBody, response: { 201: Order } } },
    async (request, reply) => {
      const account = requireAccount(request);
      return reply.code(201).send(await orders.createOrder({ id: account.userId, email: account.email }, request.body.amount, ownOrigin(request)));
    },
  );

  api.get('/api/payments', { schema: { tags, summary: "The account's top-up orders, newest first", querystring: OrdersQuery, response: { 200: OrderPage } } }, async (request) => {
    return orders.listOrders(requireAccount(request).userId, request.query.limit ?? 50, request.query.before);
  });

  api.get('/api/payments/:id', { schema: { tags, summary: 'One order; a pending one is read back from the provider first', params: OrderIdParams, response: { 200: Order } } }, async (request) =>
    orders.order(requireAccount(request).userId, request.params.id),
  );
}

/**
 * `POST /api/payments/yookassa/webhook`: YooKassa's notifications. The body is taken as text (whatever
 * it is, it goes to the event log as received) and the answer is 200 at once for anything from
 * YooKassa's addresses; services/payments/notifications.ts decides what, if anything, it changes.
 */
export async function paymentWebhookRoutes(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: NOTIFICATION_BODY_LIMIT }, (_request, body, done) => done(null, body));
    scope.post('/api/payments/yookassa/webhook', { schema: { tags: ['payments'], summary: 'YooKassa notifications (payment.succeeded, payment.canceled, refund.succeeded)' } }, async (request, reply) => {
      const notifications = services.payments.notifications;
      if (!notifications) return reply.code(404).send({ error: { message: 'Online payments are not enabled on this gateway.', type: 'invalid_request_error', code: 'not_found' } });
      const answer = await notifications.receive(typeof request.body === 'string' ? request.body : '', request.ip);
      return reply.code(answer.status).send(answer.status === 200 ? {} : { error: { message: 'Forbidden.', type: 'invalid_request_error', code: 'forbidden' } });
    });
  });
}

