import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/lib/clock.js';
import { AccountsService } from '../../src/services/accounts/accounts-service.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

import { ADMIN_TOKEN, startGateway, type TestGateway } from '../helpers/gateway.js';

interface Reply {
  status: number;
  body: any;
}

/** The OpenAI error shape, with every field present. */
function assertOpenAIError(res: Reply, status: number, expect: { param?: string | null; code?: string; mentions?: string } = {}): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.ok(res.body && typeof res.body === 'object' && res.body.error, `no error object in ${JSON.stringify(res.body)}`);
  const { error } = res.body;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  assert.equal(typeof error.type, 'string');
  assert.ok(error.param === null || typeof error.param === 'string');
  assert.ok(error.code === null || typeof error.code === 'string');
  if (expect.param !== undefined) assert.equal(error.param, expect.param, JSON.stringify(error));
  if (expect.code !== undefined) assert.equal(error.code, expect.code, JSON.stringify(error));
  if (expect.mentions !== undefined) assert.ok(error.message.includes(expect.mentions), `"${error.message}" should mention ${expect.mentions}`);
}

/** A key's view minus last_used_at, which the gateway records in the background after each use. */
function withoutLastUsed(view: Record<string, unknown>): Record<string, unknown> {
  const { last_used_at: _lastUsed, ...rest } = view;
  return rest;
}

async function raw(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: res.status, body };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`admin API over HTTP (${kind})`, () => {
    let database: TestDatabase;
    let gw: TestGateway;
    let emails = 0;
    const newEmail = () => `admin-test-${++emails}@example.com`;

    before(async () => {
      // postgresDatabase() plus a workaround for a src/store/db.ts migration bug; see test/helpers/postgres-schema.ts.
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      gw = await startGateway({}, database);
    });
    after(async () => {
      await gw?.close();
      await database?.drop();
    });

    describe('admin token', () => {
      it('refuses requests without a token, in the OpenAI error shape', async () => {
        assertOpenAIError(await raw(`${gw.url}/admin/users`), 401, { code: 'invalid_api_key' });
        const post = await raw(`${gw.url}/admin/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: newEmail() }),
        });
        assertOpenAIError(post, 401);
        assert.deepEqual((await gw.admin('GET', '/admin/users')).body.data, [], 'the refused POST created nothing');
      });

      it('refuses a wrong token, a token in the wrong scheme and a token prefix', async () => {
        for (const authorization of ['Bearer wrong-token-0123456789', `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN.slice(0, -1)}`, `Bearer ${ADMIN_TOKEN}x`, ADMIN_TOKEN]) {
          assertOpenAIError(await raw(`${gw.url}/admin/users`, { headers: { authorization } }), 401);
        }
      });

      it('refuses a valid gateway API key on admin routes', async () => {
        const { key } = await gw.newKey();
        assertOpenAIError(await raw(`${gw.url}/admin/users`, { headers: { authorization: `Bearer ${key}` } }), 401);
      });

      it('accepts the right token', async () => {
        const res = await raw(`${gw.url}/admin/users`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        assert.equal(res.status, 200);
        assert.ok(Array.isArray(res.body.data));
      });
    });

    describe('users', () => {
      it('POST /admin/users → 201 with id, email and a zero balance', async () => {
        const res = await gw.admin('POST', '/admin/users', { email: 'New.User@Example.com' });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.match(res.body.id, /^usr_/);
        assert.equal(res.body.email, 'new.user@example.com');
        assert.equal(res.body.balance, 0);
        assert.equal(res.body.status, 'active');
        assert.ok(!('password_hash' in res.body));

        const dup = await gw.admin('POST', '/admin/users', { email: 'new.user@EXAMPLE.com' });
        assertOpenAIError(dup, 409, { param: 'email', code: 'conflict' });
      });

      it('refuses an invalid email with param "email"', async () => {
        for (const email of ['nope', '', 'a@b', 42, null]) {
          assertOpenAIError(await gw.admin('POST', '/admin/users', { email }), 400, { param: 'email', code: 'invalid_request' });
        }
        assertOpenAIError(await gw.admin('POST', '/admin/users', {}), 400, { param: 'email' });
      });

      it('refuses an unknown field, naming it', async () => {
        const res = await gw.admin('POST', '/admin/users', { email: newEmail(), is_admin: true });
        assertOpenAIError(res, 400, { param: 'is_admin', mentions: 'is_admin' });
      });

      it('refuses malformed JSON and non-object bodies in the same shape', async () => {
        const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
        assertOpenAIError(await raw(`${gw.url}/admin/users`, { method: 'POST', headers, body: '{"email": "a@b.co",' }), 400);
        assertOpenAIError(await raw(`${gw.url}/admin/users`, { method: 'POST', headers, body: 'not json' }), 400);
        assertOpenAIError(await raw(`${gw.url}/admin/users`, { method: 'POST', headers, body: '["a@b.co"]' }), 400);
        assertOpenAIError(await raw(`${gw.url}/admin/users`, { method: 'POST', headers, body: '"a@b.co"' }), 400);
      });

      it('GET /admin/users/{id} and GET /admin/users?email=', async () => {
        const created = (await gw.admin('POST', '/admin/users', { email: 'Find.Me@Example.com' })).body;
        const byId = await gw.admin('GET', `/admin/users/${created.id}`);
        assert.equal(byId.status, 200);
        assert.deepEqual(byId.body, created);

        const byEmail = await gw.admin('GET', `/admin/users?email=${encodeURIComponent('FIND.me@example.com')}`);
        assert.equal(byEmail.status, 200);
        assert.deepEqual(byEmail.body, { data: [created] });

        const none = await gw.admin('GET', `/admin/users?email=${encodeURIComponent('nobody@example.com')}`);
        assert.deepEqual(none.body, { data: [] });

        const all = await gw.admin('GET', '/admin/users?limit=1000');
        assert.ok(all.body.data.some((u: { id: string }) => u.id === created.id));
      });

      it('an unknown id is a 404 in the same shape', async () => {
        assertOpenAIError(await gw.admin('GET', '/admin/users/usr_doesnotexist'), 404, { code: 'not_found' });
        assertOpenAIError(await gw.admin('POST', '/admin/users/usr_doesnotexist/credit', { amount: 1 }), 404);
        assertOpenAIError(await gw.admin('GET', '/admin/users/usr_doesnotexist/keys'), 404);
        assertOpenAIError(await gw.admin('POST', '/admin/users/usr_doesnotexist/keys', {}), 404);
        assertOpenAIError(await gw.admin('GET', '/admin/keys/key_doesnotexist'), 404);
        assertOpenAIError(await gw.admin('PATCH', '/admin/keys/key_doesnotexist', { name: 'x' }), 404);
        assertOpenAIError(await gw.admin('DELETE', '/admin/keys/key_doesnotexist'), 404);
        assertOpenAIError(await gw.admin('GET', '/admin/nothing-here'), 404);
      });
    });

    describe('credit', () => {
      it('credits numbers and decimal strings exactly, debits with negatives, refuses past the balance', async () => {
        const user = (await gw.admin('POST', '/admin/users', { email: newEmail() })).body;
        const path = `/admin/users/${user.id}/credit`;

        const first = await gw.admin('POST', path, { amount: 12.5, note: 'invoice 1' });
        assert.equal(first.status, 200, JSON.stringify(first.body));
        assert.equal(first.body.balance, 12.5);
        assert.equal(first.body.balance_micro, 12_500_000);
        assert.equal(typeof first.body.entry_id, 'string');

        const tiny = await gw.admin('POST', path, { amount: '0.000001' });
        assert.equal(tiny.status, 200);
        assert.equal(tiny.body.balance_micro, 12_500_001);
        assert.equal(tiny.body.balance, 12.500001);

        const debit = await gw.admin('POST', path, { amount: -2.25 });
        assert.equal(debit.status, 200);
        assert.equal(debit.body.balance_micro, 10_250_001);

        assertOpenAIError(await gw.admin('POST', path, { amount: '1.0000001' }), 400, { param: 'amount' });
        assertOpenAIError(await gw.admin('POST', path, { amount: 1.0000001 }), 400, { param: 'amount' });
        assertOpenAIError(await gw.admin('POST', path, { amount: 'lots' }), 400, { param: 'amount' });
        assertOpenAIError(await gw.admin('POST', path, { amount: 0 }), 400, { param: 'amount' });
        assertOpenAIError(await gw.admin('POST', path, {}), 400, { param: 'amount' });
        assertOpenAIError(await gw.admin('POST', path, { amount: -10.250002 }), 400, { param: 'amount' });
        assertOpenAIError(await gw.admin('POST', path, { amount: 1, reason: 'x' }), 400, { param: 'reason', mentions: 'reason' });

        const after = await gw.admin('GET', `/admin/users/${user.id}`);
        assert.equal(after.body.balance, 10.250001, 'refused requests moved nothing');

        const emptied = await gw.admin('POST', path, { amount: '-10.250001' });
        assert.equal(emptied.status, 200);
        assert.equal(emptied.body.balance_micro, 0);
        assert.equal((await gw.admin('GET', `/admin/users/${user.id}`)).body.balance, 0);
      });
    });

    describe('keys', () => {
      it('create, list without the secret, patch, revoke — and the revoked key is refused at once', async () => {
        const user = (await gw.admin('POST', '/admin/users', { email: newEmail() })).body;
        await gw.admin('POST', `/admin/users/${user.id}/credit`, { amount: '10' });

        const input = {
          name: 'laptop',
          budget_limit: '100.25',
          allow_balance: true,
          models: ['gpt-4o*'],
          monthly_limit: 50,
          expires_at: '2030-01-01T00:00:00Z',
        };
        const created = await gw.admin('POST', `/admin/users/${user.id}/keys`, input);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const key: string = created.body.key;
        assert.match(key, /^tg-[A-Za-z0-9_-]{43,}$/);
        assert.match(created.body.id, /^key_/);
        assert.equal(created.body.user_id, user.id);
        assert.equal(created.body.name, 'laptop');
        assert.equal(created.body.budget_limit, 100.25);
        assert.equal(created.body.allow_balance, true);
        assert.deepEqual(created.body.models, ['gpt-4o*']);
        assert.equal(created.body.monthly_limit, 50);
        assert.equal(created.body.budget_used, 0);
        assert.equal(created.body.monthly_used, 0);
        assert.equal(Date.parse(created.body.expires_at), Date.UTC(2030, 0, 1));
        assert.equal(created.body.status, 'active');
        assert.ok(key.startsWith(created.body.prefix));

        const listed = await gw.admin('GET', `/admin/users/${user.id}/keys`);
        assert.equal(listed.status, 200);
        assert.equal(listed.body.data.length, 1);
        const entry = listed.body.data[0];
        assert.equal(entry.id, created.body.id);
        assert.ok(!('key' in entry), 'the list has no key field');
        assert.ok(!JSON.stringify(listed.body).includes(key.slice(entry.prefix.length)), 'the list never shows the secret');
        const { key: _secret, ...view } = created.body;
        assert.deepEqual(entry, view, 'the list shows what creation echoed, minus the secret');
        const single = await gw.admin('GET', `/admin/keys/${created.body.id}`);
        assert.deepEqual(single.body, view);

        // An active key authenticates; the provider has no upstream key configured, so that is a 503.
        const models = () => raw(`${gw.url}/openai/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        const active = await models();
        assertOpenAIError(active, 503, { code: 'provider_not_configured', mentions: 'not configured' });
        let used = await gw.admin('GET', `/admin/keys/${created.body.id}`);
        for (const deadline = Date.now() + 2000; used.body.last_used_at === null && Date.now() < deadline; ) {
          await new Promise((r) => setTimeout(r, 20));
          used = await gw.admin('GET', `/admin/keys/${created.body.id}`);
        }
        assert.ok(Date.parse(used.body.last_used_at) >= Date.parse(created.body.created_at), 'the use is recorded as last_used_at');

        const patched = await gw.admin('PATCH', `/admin/keys/${created.body.id}`, { name: 'desktop', models: ['anthropic/*', 'gpt-4o-mini'] });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
        assert.equal(patched.body.name, 'desktop');
        assert.deepEqual(patched.body.models, ['anthropic/*', 'gpt-4o-mini']);
        assert.equal(patched.body.budget_limit, 100.25, 'fields not in the patch keep their values');
        assert.ok(!('key' in patched.body));
        assert.deepEqual(withoutLastUsed((await gw.admin('GET', `/admin/keys/${created.body.id}`)).body), withoutLastUsed(patched.body));
        assertOpenAIError(await gw.admin('PATCH', `/admin/keys/${created.body.id}`, { nmae: 'typo' }), 400, { param: 'nmae', mentions: 'nmae' });
        assertOpenAIError(await gw.admin('PATCH', `/admin/keys/${created.body.id}`, { models: 'gpt-4o' }), 400, { param: 'models' });
        assert.equal((await models()).status, 503, 'the key still works after a patch');

        const revoked = await gw.admin('DELETE', `/admin/keys/${created.body.id}`);
        assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
        assert.equal(revoked.body.status, 'revoked');
        assert.equal((await gw.admin('GET', `/admin/users/${user.id}/keys`)).body.data[0].status, 'revoked');

        // Revoked on this node, so its cached principal is dropped at once: the very next request is refused.
        assertOpenAIError(await models(), 401, { code: 'invalid_api_key', mentions: 'revoked' });
        assertOpenAIError(await raw(`${gw.url}/openai/v1/models`, { headers: { 'x-api-key': key } }), 401);

        const again = await gw.admin('DELETE', `/admin/keys/${created.body.id}`);
        assert.equal(again.body.status, 'revoked', 'revoking twice is harmless');
      });

      it('a key revoked elsewhere (another node, the CLI) is refused within a second', async () => {
        const { keyId, key } = await gw.newKey();
        const models = () => raw(`${gw.url}/openai/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal((await models()).status, 503, 'the key works and is now cached');
        // Another writer to the same store: this gateway's cache is not told.
        const elsewhere = new AccountsService(gw.app.store, systemClock, () => undefined);
        await elsewhere.revokeKey(keyId);
        const revokedAt = Date.now();
        let res = await models();
        while (res.status !== 401 && Date.now() - revokedAt < 1500) {
          await new Promise((r) => setTimeout(r, 25));
          res = await models();
        }
        const took = Date.now() - revokedAt;
        assertOpenAIError(res, 401, { code: 'invalid_api_key' });
        assert.ok(took <= 1250, `refused after ${took} ms (cache TTL is 1 s)`);
      });

      it('refuses bad key input by field, and unknown keys get 401', async () => {
        const user = (await gw.admin('POST', '/admin/users', { email: newEmail() })).body;
        const path = `/admin/users/${user.id}/keys`;
        assertOpenAIError(await gw.admin('POST', path, { permissions: 'all' }), 400, { param: 'permissions', mentions: 'permissions' });
        assertOpenAIError(await gw.admin('POST', path, { budget_limit: '1.0000001' }), 400, { param: 'budget_limit' });
        assertOpenAIError(await gw.admin('POST', path, { monthly_limit: -5 }), 400, { param: 'monthly_limit' });
        assertOpenAIError(await gw.admin('POST', path, { expires_at: 'next week' }), 400, { param: 'expires_at' });
        assert.deepEqual((await gw.admin('GET', path)).body.data, []);

        const bare = await gw.admin('POST', path);
        assert.equal(bare.status, 201, 'a key with no options needs no body');
        assert.equal(bare.body.models, null);

        assertOpenAIError(await raw(`${gw.url}/openai/v1/models`, { headers: { authorization: 'Bearer tg-not-a-real-key' } }), 401);
        assertOpenAIError(await raw(`${gw.url}/openai/v1/models`), 401);
      });
    });
  });
}
