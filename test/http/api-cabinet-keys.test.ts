import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { cabinetOf, type Cabinet, type CabinetUser } from '../helpers/cabinet.js';
import { startStack, type Stack } from '../helpers/stack.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('cabinet: API keys', () => {
  let stack: Stack;
  let cabinet: Cabinet;
  let ana: CabinetUser;
  let bob: CabinetUser;
  /** Every answer the cabinet gave in this file, to check no secret or hash ever left in one. */
  const answers: string[] = [];
  const secrets: string[] = [];

  before(async () => {
    stack = await startStack();
    cabinet = cabinetOf(stack.gw);
    ana = await cabinet.newUser('1000');
    bob = await cabinet.newUser('1000');
  });
  after(() => stack.close());

  const as = async (user: CabinetUser, method: string, path: string, body?: unknown) => {
    const res = await user.call(method, path, body);
    answers.push(res.text);
    return res;
  };
  const createKey = async (user: CabinetUser, body: Record<string, unknown> = {}) => {
    const res = await as(user, 'POST', '/api/keys', body);
    assert.equal(res.status, 201, res.text);
    secrets.push(res.body.secret);
    return res.body as { key: { id: string; prefix: string; status: string }; secret: string };
  };
  const sdk = (secret: string) => new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: secret, maxRetries: 0 });
  const chat = (secret: string) => sdk(secret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello cabinet' }] });
  const settle = async () => {
    await stack.gw.app.billing.idle();
    await stack.gw.app.flush();
  };

  test('a key is created with its settings, and its secret is in the creation answer only', async () => {
    const created = await createKey(ana, {
      name: 'laptop',
      budget_limit_micro: 5_000_000,
      monthly_limit_micro: 2_000_000,
      models: ['gpt-4o*', 'anthropic/*'],
      expires_at: '2031-01-31T00:00:00Z',
      allow_balance: true,
    });
    assert.match(created.secret, /^tg-/);
    assert.ok(created.secret.startsWith(created.key.prefix.replace(/…$/, '')), 'the prefix is the secret’s start');
    assert.deepEqual(
      { ...created.key, id: undefined, prefix: undefined, created_at: undefined },
      {
        id: undefined, prefix: undefined, created_at: undefined, name: 'laptop', status: 'active', allow_balance: true,
        budget_limit_micro: 5_000_000, budget_used_micro: 0, monthly_limit_micro: 2_000_000, monthly_used_micro: 0,
        models: ['gpt-4o*', 'anthropic/*'], expires_at: '2031-01-31T00:00:00.000Z', last_used_at: null, spend_micro: 0,
        rpm_limit: null, tpm_limit: null, concurrency_limit: null,
      },
    );
    const list = await as(ana, 'GET', '/api/keys');
    assert.equal(list.status, 200);
    const listed = list.body.data.find((k: { id: string }) => k.id === created.key.id);
    assert.deepEqual(listed, created.key, 'the list shows the key as created');
    assert.ok(!list.text.includes(created.secret), 'the list never carries the secret');
    assert.equal((await sdk(created.secret).models.list()).data.length > 0, true, 'the secret works');
  });

  test('a paused key is refused with 403 through the openai SDK, and works again once resumed', async () => {
    const { key, secret } = await createKey(ana, { name: 'pausable' });
    assert.equal((await chat(secret)).object, 'chat.completion');

    const paused = await as(ana, 'PATCH', `/api/keys/${key.id}`, { status: 'paused' });
    assert.equal(paused.status, 200, paused.text);
    assert.equal(paused.body.key.status, 'paused');
    await assert.rejects(chat(secret), (err: unknown) => {
      assert.ok(err instanceof OpenAI.PermissionDeniedError, `expected a 403, got ${String(err)}`);
      assert.equal(err.status, 403);
      assert.match(err.message, /This API key is paused\./);
      return true;
    });

    const resumed = await as(ana, 'PATCH', `/api/keys/${key.id}`, { status: 'active' });
    assert.equal(resumed.body.key.status, 'active');
    assert.equal((await chat(secret)).object, 'chat.completion', 'the resumed key is served at once');
  });

  test('a revoked key stays revoked: resuming it is a conflict and the API refuses it', async () => {
    const { key, secret } = await createKey(ana, { name: 'doomed' });
    const revoked = await as(ana, 'DELETE', `/api/keys/${key.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.key.status, 'revoked');
    for (const status of ['active', 'paused']) {
      const refused = await as(ana, 'PATCH', `/api/keys/${key.id}`, { status });
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.body.error.code, 'conflict');
    }
    await assert.rejects(chat(secret), (err: unknown) => err instanceof OpenAI.AuthenticationError);
    const again = await as(ana, 'DELETE', `/api/keys/${key.id}`);
    assert.equal(again.body.key.status, 'revoked', 'revoking twice is harmless');
  });

  test('settings change without touching the rest; an expiry in the past shows the key as expired', async () => {
    const { key } = await createKey(ana, { name: 'old name', budget_limit_micro: 1_000_000 });
    const renamed = await as(ana, 'PATCH', `/api/keys/${key.id}`, { name: 'new name', models: ['gpt-4o-mini'] });
    assert.equal(renamed.body.key.name, 'new name');
    assert.deepEqual(renamed.body.key.models, ['gpt-4o-mini']);
    assert.equal(renamed.body.key.budget_limit_micro, 1_000_000);
    const cleared = await as(ana, 'PATCH', `/api/keys/${key.id}`, { budget_limit_micro: null, models: null });
    assert.equal(cleared.body.key.budget_limit_micro, null);
    assert.equal(cleared.body.key.models, null);
    const expired = await as(ana, 'PATCH', `/api/keys/${key.id}`, { expires_at: '2020-01-01T00:00:00Z' });
    assert.equal(expired.body.key.status, 'expired');
    const extended = await as(ana, 'PATCH', `/api/keys/${key.id}`, { expires_at: null });
    assert.equal(extended.body.key.status, 'active');
  });

  test('a key created with rpm_limit 2 refuses the 3rd call in a minute with a 429; its limits change and clear', async () => {
    const { key, secret } = await createKey(ana, { name: 'limited', rpm_limit: 2, tpm_limit: 100_000, concurrency_limit: 3 });
    assert.deepEqual([(key as Record<string, unknown>)['rpm_limit'], (key as Record<string, unknown>)['tpm_limit'], (key as Record<string, unknown>)['concurrency_limit']], [2, 100_000, 3]);
    assert.equal((await chat(secret)).object, 'chat.completion');
    assert.equal((await chat(secret)).object, 'chat.completion');
    const refused = await chat(secret).catch((err: unknown) => err);
    assert.ok(refused instanceof OpenAI.RateLimitError, `expected a 429, got ${String(refused)}`);
    assert.equal(refused.status, 429);

    const changed = await as(ana, 'PATCH', `/api/keys/${key.id}`, { rpm_limit: null, tpm_limit: 50 });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.key.rpm_limit, changed.body.key.tpm_limit, changed.body.key.concurrency_limit], [null, 50, 3]);
    const listed = (await as(ana, 'GET', '/api/keys')).body.data.find((k: { id: string }) => k.id === key.id);
    assert.equal(listed.tpm_limit, 50, 'the list shows the limits');
    const cleared = await as(ana, 'PATCH', `/api/keys/${key.id}`, { tpm_limit: null, concurrency_limit: null });
    assert.deepEqual([cleared.body.key.rpm_limit, cleared.body.key.tpm_limit, cleared.body.key.concurrency_limit], [null, null, null]);
    assert.equal((await chat(secret)).object, 'chat.completion', 'without its limits the key is served again');
  });

  test('bodies are validated by the schema', async () => {
    for (const body of [{ rpm_limit: 0 }, { tpm_limit: 1.5 }, { concurrency_limit: '3' }, { budget_limit_micro: -1 }, { budget_limit_micro: 1.5 }, { name: 'x'.repeat(101) }, { models: ['bad model!'] }, { expires_at: 'tomorrow' }, { allow_balance: 'yes' }]) {
      const res = await as(ana, 'POST', '/api/keys', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
      assert.equal(res.body.error.type, 'invalid_request_error');
    }
    const { key } = await createKey(ana);
    const res = await as(ana, 'PATCH', `/api/keys/${key.id}`, { status: 'revoked' });
    assert.equal(res.status, 400, 'revoking is DELETE, not a status to set');
  });

  test('spend_micro is what the ledger charged through the key', async () => {
    const { key, secret } = await createKey(ana, { name: 'spender' });
    await chat(secret);
    await chat(secret);
    await settle();
    const listed = (await as(ana, 'GET', '/api/keys')).body.data.find((k: { id: string }) => k.id === key.id);
    const ledger = (await as(ana, 'GET', '/api/ledger?limit=200')).body.data as Array<{ kind: string; key_id: string; amount_micro: number }>;
    const charged = ledger.filter((e) => e.kind === 'charge' && e.key_id === key.id).reduce((sum, e) => sum - e.amount_micro, 0);
    assert.ok(charged > 0);
    assert.equal(listed.spend_micro, charged);
    assert.equal(listed.monthly_used_micro, charged, "this month's use");
    assert.ok(listed.last_used_at !== null);
  });

  test("another user's keys cannot be listed, changed or revoked: 404, as for a key that does not exist", async () => {
    const { key, secret } = await createKey(ana, { name: 'anas' });
    const bobsList = await as(bob, 'GET', '/api/keys');
    assert.ok(!bobsList.body.data.some((k: { id: string }) => k.id === key.id));
    // The id itself, a guessed one, and neighbours of a real id (ids are time-ordered, so they can be enumerated).
    const neighbours = [key.id.slice(0, -1) + (key.id.endsWith('0') ? '1' : '0'), 'key_' + '0'.repeat(26), 'key_missing'];
    for (const id of [key.id, ...neighbours]) {
      for (const [method, body] of [['PATCH', { name: 'hijacked' }], ['PATCH', { status: 'paused' }], ['DELETE', undefined]] as const) {
        const res = await as(bob, method, `/api/keys/${id}`, body);
        assert.equal(res.status, 404, `${method} ${id} → ${res.text}`);
        assert.equal(res.body.error.code, 'not_found');
        assert.ok(!res.text.includes('anas') && !res.text.includes(ana.userId), 'a refusal says nothing of the key');
      }
    }
    const mine = (await as(ana, 'GET', '/api/keys')).body.data.find((k: { id: string }) => k.id === key.id);
    assert.equal(mine.name, 'anas');
    assert.equal(mine.status, 'active');
    assert.equal((await chat(secret)).object, 'chat.completion', "ana's key still works");
  });

  test('a change without the session\'s CSRF token is refused and changes nothing', async () => {
    const { key } = await createKey(ana, { name: 'guarded' });
    const count = (await as(ana, 'GET', '/api/keys')).body.data.length;
    for (const [method, path, body] of [['POST', '/api/keys', { name: 'forged' }], ['PATCH', `/api/keys/${key.id}`, { status: 'paused' }], ['DELETE', `/api/keys/${key.id}`, undefined]] as const) {
      const res = await ana.call(method, path, body, { 'x-csrf-token': 'forged-token' });
      assert.equal(res.status, 403, `${method} ${path} → ${res.text}`);
    }
    const after = (await as(ana, 'GET', '/api/keys')).body.data;
    assert.equal(after.length, count);
    assert.equal(after.find((k: { id: string }) => k.id === key.id).status, 'active');
  });

  test('without PUBLIC_URL the quick start names the origin the dashboard was reached at', async () => {
    const res = await as(ana, 'GET', '/api/quickstart');
    assert.equal(res.body.base_url, stack.gw.url);
    assert.equal(res.body.surfaces.openai, `${stack.gw.url}/openai/v1`);
    assert.equal(res.body.surfaces.unified, `${stack.gw.url}/v1`);
  });

  test('without a session every endpoint is 401', async () => {
    for (const [method, path] of [['GET', '/api/keys'], ['POST', '/api/keys'], ['PATCH', '/api/keys/key_x'], ['DELETE', '/api/keys/key_x']] as const) {
      const res = await cabinet.anonymous(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(res.status, 401);
    }
  });

  test('no answer ever carried a key hash or a secret beyond its creation', async () => {
    assert.ok(answers.length > 20);
    const creations = new Set(answers.filter((text) => text.includes('"secret"')));
    for (const text of answers) {
      assert.ok(!/key_hash/.test(text), 'no key_hash field');
      for (const secret of secrets) {
        assert.ok(!text.includes(sha256(secret)), 'no hash of a secret');
        if (!creations.has(text)) assert.ok(!text.includes(secret), 'the secret only in its creation answer');
      }
    }
  });
});
