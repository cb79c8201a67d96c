import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { CabinetBalance, CabinetModelList, Quickstart } from '../../contracts/cabinet.js';
import { requireAccount } from '../../plugins/session-account.js';
import { cabinetHistoryRoutes } from './cabinet-history.js';
import { cabinetKeyRoutes } from './cabinet-keys.js';
import { promoRedeemRoutes } from './promo-routes.js';
import { cabinetPaymentRoutes } from './payments-routes.js';

/**
 * The customer cabinet's API under `/api`, for the signed-in account only (plugins/session-account.ts):
 * every handler takes the account from the session and passes its user id down, so nothing here can
 * name another user. Bodies and queries are validated, and answers serialized, by the contracts' schemas.
 */
export async function cabinetRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cabinet'];

  api.get('/api/balance', { schema: { tags, summary: "The account's balance, held money and this month's spend", response: { 200: CabinetBalance } } }, async (request) =>
    services.cabinet.balance(requireAccount(request).userId),
  );

  api.get('/api/models', { schema: { tags, summary: 'Enabled models with ruble prices (per 1M tokens) at the current rate and markup', response: { 200: CabinetModelList } } }, async (request) => {
    requireAccount(request);
    return services.cabinet.models();
  });

  api.get('/api/quickstart', { schema: { tags, summary: 'Base URLs of every surface, for the quick start', response: { 200: Quickstart } } }, async (request) => {
    requireAccount(request);
    return services.cabinet.quickstart(`${request.protocol}://${request.host}`);
  });

  cabinetKeyRoutes(app, services);
  cabinetHistoryRoutes(app, services);
  promoRedeemRoutes(app, services);
  cabinetPaymentRoutes(app, services);
}
