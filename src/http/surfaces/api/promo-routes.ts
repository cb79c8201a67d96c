import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../services/index.js';
import type { PromoOrigin } from '../../../services/promo/promo-service.js';
import { PromoCode, PromoCodeDetail, PromoCodeList, PromoCreateBody, PromoIdParams, PromoRedeemBody, PromoRedeemed } from '../../contracts/promo.js';
import { sessionActor } from '../../plugins/audit-trail.js';
import { requireAccount, requireAdmin, type SessionAccount } from '../../plugins/session-account.js';

const ADMIN_TAGS = ['admin: promo codes'];

/** `POST /api/promo/redeem`: the signed-in customer redeems a code; its amount is credited at once. */
export function promoRedeemRoutes(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/api/promo/redeem',
    {
      schema: {
        tags: ['cabinet'],
        summary: 'Redeem a promo code: 404 unknown, 409 expired / disabled / used up / already redeemed, 403 for new accounts only, 429 while throttled',
        body: PromoRedeemBody,
        response: { 200: PromoRedeemed },
      },
    },
    async (request) => services.promo.redeem(requireAccount(request).userId, request.body),
  );
}

/** `/api/admin/promo-codes…`: create, list, view with redemptions, disable; every change audited with the admin. */
export function adminPromoRoutes(scope: FastifyInstance, services: Services): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { promo } = services;
  const origin = (request: FastifyRequest, admin: SessionAccount): PromoOrigin => ({ actor: sessionActor(admin), ip: request.ip });

  app.get('/api/admin/promo-codes', { schema: { tags: ADMIN_TAGS, summary: 'Promo codes, newest first, with their uses', response: { 200: PromoCodeList } } }, async (request) => {
    requireAdmin(request);
    return promo.list();
  });

  app.post(
    '/api/admin/promo-codes',
    { schema: { tags: ADMIN_TAGS, summary: 'Create a promo code (a readable random one when no code is given)', body: PromoCreateBody, response: { 201: PromoCode } } },
    async (request, reply) => {
      const admin = requireAdmin(request);
      return reply.code(201).send(await promo.create(request.body, origin(request, admin)));
    },
  );

  app.get(
    '/api/admin/promo-codes/:id',
    { schema: { tags: ADMIN_TAGS, summary: 'A promo code with who redeemed it', params: PromoIdParams, response: { 200: PromoCodeDetail } } },
    async (request) => {
      requireAdmin(request);
      return promo.detail(request.params.id);
    },
  );

  app.post(
    '/api/admin/promo-codes/:id/disable',
    { schema: { tags: ADMIN_TAGS, summary: 'Disable a promo code for good', params: PromoIdParams, response: { 200: PromoCode } } },
    async (request) => {
      const admin = requireAdmin(request);
      return promo.disable(request.params.id, origin(request, admin));
    },
  );
}
