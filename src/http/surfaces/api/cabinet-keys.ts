import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { CabinetKeyList, CreateKeyBody, CreatedKey, KeyAnswer, KeyIdParams, UpdateKeyBody } from '../../contracts/cabinet.js';
import { requireAccount } from '../../plugins/session-account.js';

/**
 * `/api/keys`: the account's API keys. The secret is in the creation answer only; lists and changes carry
 * the prefix. A key of another user is answered 404, exactly like a key that does not exist.
 */
export function cabinetKeyRoutes(app: FastifyInstance, services: Services): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['cabinet'];
  const { cabinet } = services;

  api.get('/api/keys', { schema: { tags, summary: "The account's keys, revoked ones included", response: { 200: CabinetKeyList } } }, async (request) =>
    cabinet.listKeys(requireAccount(request).userId),
  );

  api.post(
    '/api/keys',
    { schema: { tags, summary: 'Create a key: the secret is shown in this answer only', body: CreateKeyBody, response: { 201: CreatedKey } } },
    async (request, reply) => reply.code(201).send(await cabinet.createKey(requireAccount(request).userId, request.body ?? {})),
  );

  api.patch(
    '/api/keys/:id',
    { schema: { tags, summary: "Change a key's name, limits, models, expiry; pause or resume it", params: KeyIdParams, body: UpdateKeyBody, response: { 200: KeyAnswer } } },
    async (request) => cabinet.updateKey(requireAccount(request).userId, request.params.id, request.body),
  );

  api.delete('/api/keys/:id', { schema: { tags, summary: 'Revoke a key, for good', params: KeyIdParams, response: { 200: KeyAnswer } } }, async (request) =>
    cabinet.revokeKey(requireAccount(request).userId, request.params.id),
  );
}
