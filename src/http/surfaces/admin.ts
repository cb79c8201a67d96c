import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import type { CreditView } from '../../services/accounts/accounts-service.js';
import { ADMIN_TOKEN_ACTOR } from '../../services/audit/audit-log.js';
import type { Services } from '../../services/index.js';
import { recordAdminAction } from '../plugins/audit-trail.js';
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

  const audited = (request: FastifyRequest, action: string, target: string, details: Record<string, unknown>) =>
    recordAdminAction(services.audit, request, ADMIN_TOKEN_ACTOR, action, target, details);

  app.post('/admin/users', async (request, reply) => {
    const user = await accounts.createUser(request.body);
    await audited(request, 'user.create', user.id, { email: user.email });
    return reply.code(201).send(user);
  });
  app.get<{ Querystring: { email?: string; limit?: string; after?: string } }>('/admin/users', async (request) => ({
    data: await accounts.findUsers({
      email: request.query.email,
      limit: request.query.limit === undefined ? undefined : Number(request.query.limit) || 100,
      after: request.query.after,
    }),
  }));
  app.get<IdParams>('/admin/users/:id', async (request) => accounts.getUser(request.params.id));
  app.patch<IdParams>('/admin/users/:id', async (request) => {
    const user = await accounts.setUserLimits(request.params.id, request.body);
    await audited(request, 'user.limits', user.id, { changes: request.body as Record<string, unknown> });
    return user;
  });
  app.post<IdParams>('/admin/users/:id/credit', async (request) => {
    const idempotencyKey = request.headers['idempotency-key'];
    const { credit, replayed } = await services.userAdmin.credit(request.params.id, request.body, idempotencyKey);
    if (!replayed) await audited(request, isDebit(request.body) ? 'user.debit' : 'user.credit', request.params.id, creditDetails(request.body, credit, idempotencyKey));
    return credit;
  });
  app.post<IdParams>('/admin/users/:id/keys', async (request, reply) => {
    const key = await accounts.createKey(request.params.id, request.body ?? {});
    await audited(request, 'key.create', key.id, { user_id: key.user_id, name: key.name, prefix: key.prefix });
    return reply.code(201).send(key);
  });
  app.get<IdParams>('/admin/users/:id/keys', async (request) => ({ data: await accounts.listKeys(request.params.id) }));
  app.get<IdParams>('/admin/keys/:id', async (request) => accounts.getKey(request.params.id));
  app.patch<IdParams>('/admin/keys/:id', async (request) => {
    const key = await accounts.updateKey(request.params.id, request.body);
    const changes = request.body as Record<string, unknown>;
    await audited(request, changes['status'] === 'revoked' ? 'key.revoke' : 'key.update', key.id, { user_id: key.user_id, changes });
    return key;
  });
  app.delete<IdParams>('/admin/keys/:id', async (request) => {
    const key = await accounts.revokeKey(request.params.id);
    await audited(request, 'key.revoke', key.id, { user_id: key.user_id });
    return key;
  });
  app.get<IdParams & { Querystring: Record<string, string | undefined> }>('/admin/users/:id/requests', async (request) => {
    await accounts.getUser(request.params.id);
    return services.history.requests({ userId: request.params.id }, request.query);
  });
  app.get<IdParams & { Querystring: Record<string, string | undefined> }>('/admin/users/:id/ledger', async (request) =>
    services.history.ledger(request.params.id, request.query),
  );
  adminCatalogRoutes(app, services);
}

function isDebit(body: unknown): boolean {
  const amount = (body as { amount?: unknown } | undefined)?.amount;
  return (typeof amount === 'string' && amount.trim().startsWith('-')) || (typeof amount === 'number' && amount < 0);
}

/** The credit as the log keeps it: the amount moved (signed micro-rubles), the note, the ledger entry. */
function creditDetails(body: unknown, credit: CreditView, idempotencyKey: unknown): Record<string, unknown> {
  const note = (body as { note?: unknown }).note;
  return {
    amount: (body as { amount?: unknown }).amount,
    note: typeof note === 'string' ? note : null,
    entry_id: credit.entry_id,
    balance_after_micro: credit.balance_micro,
    idempotency_key: typeof idempotencyKey === 'string' ? idempotencyKey : null,
  };
}

function lockedOut(reply: FastifyReply, waitMs: number): GatewayError {
  const seconds = Math.ceil(waitMs / 1000);
  void reply.header('retry-after', String(seconds));
  return new GatewayError('TG_ERR_RATE_LIMITED', `Too many wrong admin tokens from this address: admin endpoints refuse it for ${seconds} s more.`);
}
