import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import type { Services } from '../../services/index.js';
import { clientAddress } from '../plugins/client-address.js';
import { adminCatalogRoutes } from './admin-catalog.js';

type IdParams = { Params: { id: string } };

/**
 * `/admin/*`: users, credits and keys, behind the admin bearer token. Wrong tokens are counted per
 * client address (`services.adminFailures`); a locked-out address is refused whatever token it sends.
 */
export async function adminRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const failures = services.adminFailures;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const client = clientAddress(request.ip);
    const locked = failures.lockedFor(client);
    if (locked > 0) throw lockedOut(reply, locked);
    const authorization = request.headers.authorization;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!services.adminToken.verify(match?.[1])) {
      // A request without credentials guesses nothing; only presented ones count.
      if (authorization !== undefined) failures.fail(client);
      throw new GatewayError('TG_ERR_UNAUTHORIZED', 'Admin endpoints need "Authorization: Bearer <ADMIN_TOKEN>".');
    }
  });

  const { accounts } = services;
  // `/admin/users/{id}/…` takes the user's email as well as its id: resolved once, here, for every route.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const params = request.params as { id?: string } | undefined;
    if (params?.id !== undefined && request.routeOptions.url?.startsWith('/admin/users/:id')) params.id = await accounts.userId(params.id);
  });

  app.post('/admin/users', async (request, reply) => reply.code(201).send(await accounts.createUser(request.body)));
  app.get<{ Querystring: { email?: string; limit?: string; after?: string } }>('/admin/users', async (request) => ({
    data: await accounts.findUsers({
      email: request.query.email,
      limit: request.query.limit === undefined ? undefined : Number(request.query.limit) || 100,
      after: request.query.after,
    }),
  }));
  app.get<IdParams>('/admin/users/:id', async (request) => accounts.getUser(request.params.id));
  app.post<IdParams>('/admin/users/:id/credit', async (request) =>
    accounts.credit(request.params.id, request.body, { idempotencyKey: request.headers['idempotency-key'] }),
  );
  app.post<IdParams>('/admin/users/:id/keys', async (request, reply) =>
    reply.code(201).send(await accounts.createKey(request.params.id, request.body ?? {})),
  );
  app.get<IdParams>('/admin/users/:id/keys', async (request) => ({ data: await accounts.listKeys(request.params.id) }));
  app.get<IdParams>('/admin/keys/:id', async (request) => accounts.getKey(request.params.id));
  app.patch<IdParams>('/admin/keys/:id', async (request) => accounts.updateKey(request.params.id, request.body));
  app.delete<IdParams>('/admin/keys/:id', async (request) => accounts.revokeKey(request.params.id));
  app.get<IdParams & { Querystring: Record<string, string | undefined> }>('/admin/users/:id/requests', async (request) => {
    await accounts.getUser(request.params.id);
    return services.history.requests({ userId: request.params.id }, request.query);
  });
  app.get<IdParams & { Querystring: Record<string, string | undefined> }>('/admin/users/:id/ledger', async (request) =>
    services.history.ledger(request.params.id, request.query),
  );
  adminCatalogRoutes(app, services);
}

function lockedOut(reply: FastifyReply, waitMs: number): GatewayError {
  const seconds = Math.ceil(waitMs / 1000);
  void reply.header('retry-after', String(seconds));
  return new GatewayError('TG_ERR_RATE_LIMITED', `Too many wrong admin tokens from this address: admin endpoints refuse it for ${seconds} s more.`);
}
