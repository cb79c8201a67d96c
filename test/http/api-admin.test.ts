import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import OpenAI from 'openai';
import { apiRoutes } from '../../src/http/surfaces/api/index.js';
import type { Services } from '../../src/services/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { apiCall, newSignedInAdmin, newSignedInUser, type Answer, type DashboardSession } from '../helpers/dashboard.js';
import { containsUpstreamSecret, startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

/** Every route of the /api surface under /api/admin, as the surface registers them (not a hand-kept list). */
async function adminRoutesOf(services: Services): Promise<Array<{ method: string; url: string }>> {
  const app = Fastify();
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/admin')) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  await app.register(async (scope) => apiRoutes(scope, services));
  await app.ready();
  await app.close();
  return routes;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`admin console API (${kind})`, () => {
    let database: TestDatabase;
    let stack: Stack;
    let admin: DashboardSession;
    let customer: DashboardSession;
    let key: string;
    let keyId: string;
    const answers: string[] = [];

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      stack = await startStack({}, database);
      admin = await newSignedInAdmin(stack.gw);
      customer = await newSignedInUser(stack.gw, '1000');
      const created = await stack.gw.admin('POST', `/admin/users/${customer.userId}/keys`, { name: 'ci' });
      key = created.body.key;
      keyId = created.body.id;
    });
    after(async () => {
      await stack.close();
      await database.drop();
    });

    const asAdmin = async (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> => {
      const res = await admin.call(method, path, body, headers);
      answers.push(res.text);
      return res;
    };
    const client = () => new OpenAI({ apiKey: key, baseURL: `${stack.gw.url}/v1`, maxRetries: 0 });
    const chat = () => client().chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'price check one two three' }] });
    const auditOf = async (query: string) => (await asAdmin('GET', `/api/admin/audit?${query}`)).body.data as Array<{ actor: string; action: string; target: string | null; details: any; ip: string | null }>;

    test('every /api/admin route refuses a signed-in user without the admin role (403) and anyone signed out (401)', async () => {
      const routes = await adminRoutesOf(stack.gw.app.services);
      assert.ok(routes.length >= 15, `found only ${routes.length} admin routes`);
      for (const { method, url } of routes) {
        const path = url.replace(':id', customer.userId).replace('*', 'openai/gpt-4o');
        const body = method === 'GET' ? undefined : {};
        const denied = await customer.call(method, path, body);
        assert.equal(denied.status, 403, `${method} ${url}: ${denied.text}`);
        assert.match(denied.body.error.message, /admin role/, `${method} ${url} must be refused for the role, not for CSRF`);
        const anonymous = await apiCall(stack.gw, undefined, method, path, body);
        assert.equal(anonymous.status, 401, `${method} ${url}: ${anonymous.text}`);
      }
    });

    test('users: search by a part of the email, view with balance and keys, 404 for an unknown id', async () => {
      const part = customer.email.slice(2, 12).toUpperCase();
      const found = await asAdmin('GET', `/api/admin/users?q=${encodeURIComponent(part)}`);
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(found.body.data.map((u: { id: string }) => u.id), [customer.userId]);
      assert.equal(found.body.data[0].keys, 1);
      assert.equal(found.body.data[0].role, 'user');
      const detail = await asAdmin('GET', `/api/admin/users/${customer.userId}`);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.user.email, customer.email);
      assert.equal(detail.body.balance.balance_micro, 1_000_000_000);
      assert.deepEqual(detail.body.keys.map((k: { id: string }) => k.id), [keyId]);
      assert.equal((await asAdmin('GET', '/api/admin/users/usr_nobody')).status, 404);
    });

    test('credit with an Idempotency-Key moves money once, and is audited once', async () => {
      const path = `/api/admin/users/${customer.userId}/credit`;
      const body = { amount_micro: 2_500_000, note: 'invoice 42' };
      const first = await asAdmin('POST', path, body, { 'idempotency-key': 'inv-42' });
      assert.equal(first.status, 200, first.text);
      const retry = await asAdmin('POST', path, body, { 'idempotency-key': 'inv-42' });
      assert.deepEqual(retry.body, first.body);
      assert.equal((await asAdmin('GET', `/api/admin/users/${customer.userId}`)).body.balance.balance_micro, 1_002_500_000);
      const other = await asAdmin('POST', path, { amount_micro: 1, note: 'invoice 42' }, { 'idempotency-key': 'inv-42' });
      assert.equal(other.status, 409);
      assert.equal((await asAdmin('POST', path, body)).status, 400, 'an Idempotency-Key is required');
      assert.equal((await asAdmin('POST', path, { amount_micro: 0, note: 'nothing' }, { 'idempotency-key': 'zero' })).status, 400);
      assert.equal((await asAdmin('POST', path, { amount_micro: 1.5, note: 'fraction' }, { 'idempotency-key': 'frac' })).status, 400);
      const ledger = await asAdmin('GET', `/api/admin/users/${customer.userId}/ledger`);
      assert.equal(ledger.body.data.filter((e: { note: string | null }) => e.note === 'invoice 42').length, 1);
      const rows = (await auditOf('action=user.credit')).filter((r) => r.target === customer.userId && r.details.note === 'invoice 42');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.actor, admin.email);
      assert.equal(rows[0]!.details.amount_micro, 2_500_000);
      assert.ok(rows[0]!.ip);
      const debit = await asAdmin('POST', path, { amount_micro: -500_000, note: 'refund' }, { 'idempotency-key': 'refund-1' });
      assert.equal(debit.body.balance_micro, 1_002_000_000);
      assert.equal((await auditOf('action=user.debit'))[0]!.details.amount_micro, -500_000);
    });

    test('a price and rate change shows in the next call’s charge', async () => {
      const put = await asAdmin('PUT', '/api/admin/models/openai/gpt-4o', { prices: { input_per_mtok: '1', cached_input_per_mtok: '0.5', output_per_mtok: '2' } });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.body.rub_prices, { input_per_mtok: '100', cached_input_per_mtok: '50', output_per_mtok: '200' }); // rate 100, markup 1
      await chat();
      const charged = async () => {
        await stack.gw.app.flush();
        const call = (await asAdmin('GET', `/api/admin/users/${customer.userId}/requests?limit=1`)).body.data[0];
        const uncached = call.input_tokens - call.cached_tokens;
        return { call, expected: (rate: number) => (rate / 100) * (100 * uncached + 50 * call.cached_tokens + 200 * call.output_tokens) };
      };
      const first = await charged();
      assert.equal(first.call.cost_micro, first.expected(100));
      const settings = await asAdmin('PUT', '/api/admin/settings', { usd_rub_rate: '50' });
      assert.equal(settings.body.usd_rub_rate, '50');
      await chat();
      const second = await charged();
      assert.notEqual(second.call.id, first.call.id);
      assert.equal(second.call.cost_micro, second.expected(50));
      const ledger = (await asAdmin('GET', `/api/admin/users/${customer.userId}/ledger?limit=1`)).body.data[0];
      assert.equal(ledger.amount_micro, -second.call.cost_micro);
      await asAdmin('PUT', '/api/admin/settings', { usd_rub_rate: '100' });
      const models = await asAdmin('GET', '/api/admin/models');
      const gpt4o = models.body.data.find((m: { id: string }) => m.id === 'openai/gpt-4o');
      assert.equal(gpt4o.prices.input_per_mtok, '1');
      assert.equal(gpt4o.origin, 'override');
      const [update] = await auditOf('action=model.update');
      assert.equal(update!.target, 'openai/gpt-4o');
      assert.deepEqual(update!.details.after.prices, { input_per_mtok: '1', cached_input_per_mtok: '0.5', output_per_mtok: '2' });
      assert.notDeepEqual(update!.details.before.prices, update!.details.after.prices);
      const [rate] = await auditOf('action=settings.update');
      assert.deepEqual(rate!.details, { before: { usd_rub_rate: '50' }, after: { usd_rub_rate: '100' } });
    });

    test('block stops the user’s key and session at once; unblock lets the key in again', async () => {
      await chat();
      const victim = await newSignedInUser(stack.gw, '10');
      assert.equal((await victim.call('GET', '/api/balance')).status, 200);
      const blocked = await asAdmin('POST', `/api/admin/users/${customer.userId}/block`);
      assert.equal(blocked.status, 200, blocked.text);
      assert.equal(blocked.body.status, 'blocked');
      await assert.rejects(chat(), (err: unknown) => err instanceof OpenAI.PermissionDeniedError && /disabled/.test(err.message));
      assert.equal((await customer.call('GET', '/api/balance')).status, 401, 'the session ended');
      assert.equal((await victim.call('GET', '/api/balance')).status, 200, 'other users are untouched');
      const unblocked = await asAdmin('POST', `/api/admin/users/${customer.userId}/unblock`);
      assert.equal(unblocked.body.status, 'active');
      await chat();
      const actions = (await auditOf(`limit=10`)).filter((r) => r.target === customer.userId).map((r) => r.action);
      assert.deepEqual(actions.slice(0, 2), ['user.unblock', 'user.block']);
      assert.equal((await asAdmin('POST', `/api/admin/users/${admin.userId}/block`)).status, 409, 'an admin cannot block themselves');
    });

    test('account limits set in the console apply to all its keys together, show in the detail and are audited', async () => {
      const limited = await newSignedInUser(stack.gw, '1000');
      const secrets = await Promise.all(['one', 'two'].map(async (name) => (await stack.gw.admin('POST', `/admin/users/${limited.userId}/keys`, { name })).body.key as string));
      const native = (secret: string) => new OpenAI({ apiKey: secret, baseURL: `${stack.gw.url}/openai/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      const set = await asAdmin('PUT', `/api/admin/users/${limited.userId}/limits`, { rpm_limit: 2, tpm_limit: null, concurrency_limit: 5 });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual([set.body.rpm_limit, set.body.tpm_limit, set.body.concurrency_limit], [2, null, 5]);
      const detail = await asAdmin('GET', `/api/admin/users/${limited.userId}`);
      assert.deepEqual([detail.body.user.rpm_limit, detail.body.user.concurrency_limit], [2, 5]);
      await native(secrets[0]!);
      await native(secrets[1]!);
      const refused = await native(secrets[0]!).catch((err: unknown) => err);
      assert.ok(refused instanceof OpenAI.RateLimitError, `the account's 3rd call in a minute is a 429, got ${String(refused)}`);
      const again = await asAdmin('PUT', `/api/admin/users/${limited.userId}/limits`, { rpm_limit: 2, tpm_limit: null, concurrency_limit: 5 });
      assert.equal(again.status, 200);
      for (const body of [{ rpm_limit: 0, tpm_limit: null, concurrency_limit: null }, { rpm_limit: 1 }, { rpm_limit: 1, tpm_limit: null, concurrency_limit: null, extra: 1 }]) {
        assert.equal((await asAdmin('PUT', `/api/admin/users/${limited.userId}/limits`, body)).status, 400, JSON.stringify(body));
      }
      const cleared = await asAdmin('PUT', `/api/admin/users/${limited.userId}/limits`, { rpm_limit: null, tpm_limit: null, concurrency_limit: null });
      assert.equal(cleared.body.rpm_limit, null);
      assert.equal((await native(secrets[1]!)).object, 'chat.completion', 'without the account limit its keys are served again');
      const rows = (await auditOf(`target=${limited.userId}`)).filter((r) => r.action === 'user.limits');
      assert.equal(rows.length, 2, 'a repeat that changes nothing is not audited');
      assert.equal(rows[1]!.actor, admin.email);
      assert.deepEqual(rows[1]!.details.after, { rpm_limit: 2, tpm_limit: null, concurrency_limit: 5 });
      assert.equal((await asAdmin('PUT', '/api/admin/users/usr_missing/limits', { rpm_limit: 1, tpm_limit: null, concurrency_limit: null })).status, 404);
    });

    test('role change promotes a user to the console; an admin cannot demote themselves', async () => {
      const someone = await newSignedInUser(stack.gw, '0');
      assert.equal((await someone.call('GET', '/api/admin/users')).status, 403);
      const promoted = await asAdmin('POST', `/api/admin/users/${someone.userId}/role`, { role: 'admin' });
      assert.equal(promoted.body.role, 'admin');
      assert.equal((await someone.call('GET', '/api/admin/users')).status, 200);
      assert.equal((await asAdmin('POST', `/api/admin/users/${admin.userId}/role`, { role: 'user' })).status, 409);
      assert.equal((await asAdmin('POST', `/api/admin/users/${someone.userId}/role`, { role: 'owner' })).status, 400);
      const [role] = await auditOf('action=user.role');
      assert.deepEqual(role!.details, { email: someone.email, before: 'user', after: 'admin' });
    });

    test('reset link: issued for the user, and the audit row never holds its token', async () => {
      const link = await asAdmin('POST', `/api/admin/users/${customer.userId}/reset-link`);
      assert.equal(link.status, 200, link.text);
      const token = new URL(link.body.url).searchParams.get('token');
      assert.ok(token && token.length > 20);
      const rows = await auditOf('action=user.reset_link');
      assert.equal(rows[0]!.target, customer.userId);
      assert.ok(!JSON.stringify(rows).includes(token));
    });

    test('upstreams: base URL, dialect, mounts and key health; a key is never whole in the JSON', async () => {
      stack.openai.failNext({ status: 429 });
      await assert.rejects(chat());
      const res = await asAdmin('GET', '/api/admin/upstreams');
      assert.equal(res.status, 200, res.text);
      assert.ok(!containsUpstreamSecret(res.text), res.text);
      const openai = res.body.data.find((u: { provider: string }) => u.provider === 'openai');
      assert.equal(openai.base_url, stack.openai.url);
      assert.equal(openai.dialect, 'openai');
      assert.ok(openai.mounts.includes('/openai'));
      assert.deepEqual(openai.keys.map((k: { label: string }) => k.label), [`…${UPSTREAM_KEYS.openai.slice(-4)}`]);
      assert.equal(openai.keys[0].last_error, 'rate_limited');
      assert.ok(Date.parse(openai.keys[0].resting_until) > Date.now());
      assert.ok(Date.parse(openai.keys[0].last_error_at) <= Date.now());
      const anthropic = res.body.data.find((u: { provider: string }) => u.provider === 'anthropic');
      assert.deepEqual(anthropic.keys[0], { label: `…${UPSTREAM_KEYS.anthropic.slice(-4)}`, resting_until: null, last_error: null, last_error_at: null });
    });

    test('/admin/* bearer changes are audited as admin-token', async () => {
      const user = await stack.gw.admin('POST', '/admin/users', { email: `bearer-${Date.now()}@example.com`, password: 'secret-password-1' });
      const credit = await fetch(`${stack.gw.url}/admin/users/${user.body.id}/credit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(await import('../helpers/gateway.js')).ADMIN_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': 'b-1' },
        body: JSON.stringify({ amount: '7.5', note: 'bearer top-up' }),
      });
      assert.equal(credit.status, 200);
      const created = await stack.gw.admin('POST', `/admin/users/${user.body.id}/keys`, { name: 'bearer key' });
      await stack.gw.admin('PATCH', `/admin/keys/${created.body.id}`, { name: 'renamed' });
      await stack.gw.admin('DELETE', `/admin/keys/${created.body.id}`);
      await stack.gw.admin('PUT', '/admin/models/openai/gpt-4o-mini', { enabled: false });
      await stack.gw.admin('PUT', '/admin/settings', { markup: '1.25' });
      await stack.gw.admin('PUT', '/admin/settings', { markup: '1' });
      const rows = await auditOf('actor=admin-token&limit=20');
      const mine = rows.filter((r) => r.target === user.body.id || r.target === created.body.id || r.target === 'openai/gpt-4o-mini' || r.action === 'settings.update');
      assert.deepEqual(mine.map((r) => r.action).reverse(), ['user.create', 'user.credit', 'key.create', 'key.update', 'key.revoke', 'model.update', 'settings.update', 'settings.update']);
      const text = JSON.stringify(rows);
      assert.ok(!text.includes('secret-password-1'), 'a password never reaches the log');
      assert.ok(!text.includes(created.body.key), 'a key secret never reaches the log');
      assert.equal(mine.find((r) => r.action === 'user.credit')!.details.amount, '7.5');
      assert.deepEqual(mine.find((r) => r.action === 'model.update')!.details, { before: { enabled: true }, after: { enabled: false } });
    });

    test('audit: filtered by target — a user id, a model ref, or a user’s email (meaning their id); with action and pages', async () => {
      const one = await newSignedInUser(stack.gw, '0');
      const two = await newSignedInUser(stack.gw, '0');
      for (const user of [one, two, one]) assert.equal((await asAdmin('POST', `/api/admin/users/${user.userId}/reset-link`)).status, 200);
      assert.equal((await asAdmin('POST', `/api/admin/users/${one.userId}/role`, { role: 'admin' })).status, 200);
      for (const enabled of [false, true]) assert.equal((await asAdmin('PUT', '/api/admin/models/openai/gpt-4o-mini', { enabled })).status, 200);
      const actionsOf = async (query: string) => (await auditOf(query)).map((r) => `${r.action} ${r.target}`);
      const oneLog = ['user.role', 'user.reset_link', 'user.reset_link', 'user.create'].map((action) => `${action} ${one.userId}`);
      assert.deepEqual(await actionsOf(`target=${one.userId}`), oneLog);
      assert.deepEqual(await actionsOf(`target=${two.userId}`), [`user.reset_link ${two.userId}`, `user.create ${two.userId}`]);
      assert.deepEqual(await actionsOf(`target=${encodeURIComponent(` ${one.email.toUpperCase()} `)}`), oneLog, 'an email means that user’s id');
      assert.deepEqual(await actionsOf(`target=${encodeURIComponent('nobody@example.com')}`), []);
      assert.deepEqual(await actionsOf(`target=${one.userId.slice(0, -2)}`), [], 'an exact match, not a prefix');
      const models = await auditOf(`target=${encodeURIComponent('openai/gpt-4o-mini')}`);
      assert.ok(models.length >= 2 && models.every((r) => r.target === 'openai/gpt-4o-mini'), JSON.stringify(models));
      assert.deepEqual(models[0]!.details.after, { enabled: true });
      assert.deepEqual(await actionsOf(`target=${one.userId}&action=user.reset_link`), oneLog.slice(1, 3));
      const first = await asAdmin('GET', `/api/admin/audit?target=${one.userId}&limit=3`);
      assert.equal(first.body.has_more, true);
      const rest = await asAdmin('GET', `/api/admin/audit?target=${one.userId}&limit=3&before=${first.body.next_before}`);
      assert.deepEqual(rest.body.data.map((r: { action: string }) => r.action), ['user.create']);
      assert.equal(rest.body.has_more, false);
      assert.equal((await asAdmin('GET', `/api/admin/audit?target=${'x'.repeat(201)}`)).status, 400);
    });

    test('no answer of the admin API carries a key hash, password hash or upstream key', () => {
      const all = answers.join('\n');
      for (const field of ['key_hash', 'password_hash', 'token_hash', 'csrf_secret']) assert.ok(!all.includes(field), field);
      assert.ok(!containsUpstreamSecret(all));
      assert.ok(!all.includes(key), 'the client key is never shown again');
    });
  });
}
