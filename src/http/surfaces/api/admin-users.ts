import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { formatDecimal } from '../../../core/decimal.js';
import { GatewayError } from '../../../core/errors.js';
import type { Services } from '../../../services/index.js';
import {
  AdminCreditAnswer,
  AdminCreditBody,
  AdminCreditHeaders,
  AdminIdParams,
  AdminLimitsBody,
  AdminResetLink,
  AdminRoleBody,
  AdminUser,
  AdminUserDetail,
  AdminUserPage,
  AdminUsersQuery,
} from '../../contracts/admin.js';
import { LedgerPage, LedgerQuery, RequestPage, RequestsQuery } from '../../contracts/cabinet.js';
import { recordAdminAction, sessionActor } from '../../plugins/audit-trail.js';
import { requireAdmin } from '../../plugins/session-account.js';
import { ownOrigin } from '../../plugins/sessions.js';

const TAGS = ['admin: users'];

/** `/api/admin/users…`: find a user, see their money, keys, calls and ledger; credit; block, role, reset link. */
export function adminUserRoutes(scope: FastifyInstance, services: Services): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { userAdmin, cabinet, history, audit } = services;

  app.get('/api/admin/users', { schema: { tags: TAGS, querystring: AdminUsersQuery, response: { 200: AdminUserPage } } }, async (request) => {
    requireAdmin(request);
    return userAdmin.search(request.query);
  });

  app.get('/api/admin/users/:id', { schema: { tags: TAGS, params: AdminIdParams, response: { 200: AdminUserDetail } } }, async (request) => {
    requireAdmin(request);
    const { id } = request.params;
    const user = await userAdmin.user(id);
    const [balance, keys] = await Promise.all([cabinet.balance(id), cabinet.listKeys(id)]);
    return { user, balance, keys: keys.data };
  });

  app.get(
    '/api/admin/users/:id/requests',
    { schema: { tags: TAGS, params: AdminIdParams, querystring: RequestsQuery, response: { 200: RequestPage } } },
    async (request) => {
      requireAdmin(request);
      await userAdmin.user(request.params.id);
      return history.accountRequests(request.params.id, request.query);
    },
  );

  app.get(
    '/api/admin/users/:id/ledger',
    { schema: { tags: TAGS, params: AdminIdParams, querystring: LedgerQuery, response: { 200: LedgerPage } } },
    async (request) => {
      requireAdmin(request);
      await userAdmin.user(request.params.id);
      return history.accountLedger(request.params.id, request.query);
    },
  );

  app.post(
    '/api/admin/users/:id/credit',
    { schema: { tags: TAGS, params: AdminIdParams, headers: AdminCreditHeaders, body: AdminCreditBody, response: { 200: AdminCreditAnswer } } },
    async (request) => {
      const admin = requireAdmin(request);
      const { amount_micro: amountMicro, note } = request.body;
      const idempotencyKey = request.headers['idempotency-key'];
      const amount = formatDecimal({ units: BigInt(amountMicro), scale: 6 });
      const { credit, replayed } = await userAdmin.credit(request.params.id, { amount, note }, idempotencyKey);
      if (!replayed) {
        await recordAdminAction(audit, request, sessionActor(admin), amountMicro > 0 ? 'user.credit' : 'user.debit', request.params.id, {
          amount_micro: amountMicro,
          note,
          entry_id: credit.entry_id,
          balance_after_micro: credit.balance_micro,
          idempotency_key: idempotencyKey,
        });
      }
      return { balance_micro: credit.balance_micro, entry_id: credit.entry_id };
    },
  );

  app.put('/api/admin/users/:id/limits', { schema: { tags: TAGS, params: AdminIdParams, body: AdminLimitsBody, response: { 200: AdminUser } } }, async (request) => {
    const admin = requireAdmin(request);
    const { id } = request.params;
    const { before, after } = await userAdmin.setLimits(id, request.body);
    const limits = (view: AdminUser) => ({ rpm_limit: view.rpm_limit, tpm_limit: view.tpm_limit, concurrency_limit: view.concurrency_limit });
    if (JSON.stringify(limits(before)) !== JSON.stringify(limits(after))) {
      await recordAdminAction(audit, request, sessionActor(admin), 'user.limits', id, { email: after.email, before: limits(before), after: limits(after) });
    }
    return after;
  });

  userAccessRoutes(scope, services);
}

/** Block, unblock, role and reset link: who may get in. A repeat that changes nothing is not audited. */
function userAccessRoutes(scope: FastifyInstance, services: Services): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { userAdmin, sessions, passwordResets, audit } = services;

  app.post('/api/admin/users/:id/block', { schema: { tags: TAGS, params: AdminIdParams, response: { 200: AdminUser } } }, async (request) => {
    const admin = requireAdmin(request);
    const { id } = request.params;
    if (id === admin.userId) throw new GatewayError('TG_ERR_CONFLICT', 'You cannot block yourself; another admin can.');
    const before = await userAdmin.user(id);
    // Ends their sessions and drops their keys' cached principals: both stop at the next request.
    await sessions.block(id);
    const after = await userAdmin.user(id);
    if (before.status !== after.status) await recordAdminAction(audit, request, sessionActor(admin), 'user.block', id, { email: after.email });
    return after;
  });

  app.post('/api/admin/users/:id/unblock', { schema: { tags: TAGS, params: AdminIdParams, response: { 200: AdminUser } } }, async (request) => {
    const admin = requireAdmin(request);
    const { id } = request.params;
    const before = await userAdmin.user(id);
    await sessions.unblock(id);
    const after = await userAdmin.user(id);
    if (before.status !== after.status) await recordAdminAction(audit, request, sessionActor(admin), 'user.unblock', id, { email: after.email });
    return after;
  });

  app.post('/api/admin/users/:id/role', { schema: { tags: TAGS, params: AdminIdParams, body: AdminRoleBody, response: { 200: AdminUser } } }, async (request) => {
    const admin = requireAdmin(request);
    const { id } = request.params;
    const { role } = request.body;
    // Nobody could give it back to the last admin who took it from themselves.
    if (id === admin.userId && role !== 'admin') throw new GatewayError('TG_ERR_CONFLICT', 'You cannot take the admin role from yourself; another admin can.', 'role');
    const before = await userAdmin.user(id);
    await sessions.setRole(id, role);
    const after = await userAdmin.user(id);
    if (before.role !== after.role) await recordAdminAction(audit, request, sessionActor(admin), 'user.role', id, { email: after.email, before: before.role, after: after.role });
    return after;
  });

  app.post('/api/admin/users/:id/reset-link', { schema: { tags: TAGS, params: AdminIdParams, response: { 200: AdminResetLink } } }, async (request) => {
    const admin = requireAdmin(request);
    const { id } = request.params;
    await userAdmin.user(id);
    const link = await passwordResets.issue(id, `admin:${admin.userId}`, ownOrigin(request));
    // The link itself is a credential: the log says one was issued, never what it is.
    await recordAdminAction(audit, request, sessionActor(admin), 'user.reset_link', id, { expires_at: link.expires_at });
    return link;
  });
}
