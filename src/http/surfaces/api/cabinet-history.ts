import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import {
  CabinetRequestDetail,
  LedgerPage,
  LedgerQuery,
  RequestIdParams,
  RequestPage,
  RequestsQuery,
  UsageQuery,
  UsageSeries,
} from '../../contracts/cabinet.js';
import { requireAccount } from '../../plugins/session-account.js';

/** `/api/requests`, `/api/usage`, `/api/ledger`: the account's calls, their daily sums, and its money moves. */
export function cabinetHistoryRoutes(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cabinet'];
  const { cabinet } = services;

  api.get(
    '/api/requests',
    { schema: { tags, summary: "The account's calls, newest first, filtered by key, model, status and time", querystring: RequestsQuery, response: { 200: RequestPage } } },
    async (request) => cabinet.requests(requireAccount(request).userId, request.query),
  );

  api.get(
    '/api/requests/:id',
    { schema: { tags, summary: 'One call: tokens, cost and how it was priced (prompts are never stored)', params: RequestIdParams, response: { 200: CabinetRequestDetail } } },
    async (request) => cabinet.request(requireAccount(request).userId, request.params.id),
  );

  api.get(
    '/api/usage',
    { schema: { tags, summary: 'Calls, errors, tokens and cost per UTC day (cost per model too), zeros included', querystring: UsageQuery, response: { 200: UsageSeries } } },
    async (request) => cabinet.usage(requireAccount(request).userId, request.query.days ?? 30),
  );

  api.get(
    '/api/ledger',
    { schema: { tags, summary: "The account's ledger: credits, debits and charges, newest first", querystring: LedgerQuery, response: { 200: LedgerPage } } },
    async (request) => cabinet.ledger(requireAccount(request).userId, request.query),
  );
}
