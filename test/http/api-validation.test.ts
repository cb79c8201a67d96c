import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { newSignedInAdmin, newSignedInUser, type DashboardSession } from '../helpers/dashboard.js';
import { startStack, type Stack } from '../helpers/stack.js';

/**
 * The /api bodies are validated exactly as their contracts say: JSON types are not coerced (a null is a
 * null, "5" is not an integer, "true" not a boolean) and an unknown field is refused by name rather than
 * dropped. Query strings, which are text by nature, are still read as their declared types.
 */
describe('/api body validation', () => {
  let database: TestDatabase;
  let stack: Stack;
  let admin: DashboardSession;
  let customer: DashboardSession;
  let keyId: string;

  before(async () => {
    database = sqliteDatabase();
    stack = await startStack({}, database);
    admin = await newSignedInAdmin(stack.gw);
    customer = await newSignedInUser(stack.gw, '10');
    const created = await customer.call('POST', '/api/keys', { name: 'validation', budget_limit_micro: 5_000_000 });
    assert.equal(created.status, 201, created.text);
    keyId = created.body.key.id;
  });
  after(async () => {
    await stack.close();
    await database.drop();
  });

  test('a null clears a model limit in the console (it is not read as 0)', async () => {
    const set = await admin.call('PUT', '/api/admin/models/openai/gpt-4o', { context_window: 64_000, max_output_tokens: 4_000 });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.context_window, 64_000);
    const cleared = await admin.call('PUT', '/api/admin/models/openai/gpt-4o', { context_window: null, max_output_tokens: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.context_window, null);
    assert.equal(cleared.body.max_output_tokens, null);
  });

  test("a null clears a key's budget, and its model list stays a list or null", async () => {
    const cleared = await customer.call('PATCH', `/api/keys/${keyId}`, { budget_limit_micro: null, models: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.key.budget_limit_micro, null);
    assert.equal(cleared.body.key.models, null);
  });

  test('a number sent as text, a boolean as text or a number as a string field is a 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['PATCH', `/api/keys/${keyId}`, { budget_limit_micro: '5' }, /^body\.budget_limit_micro must be integer or null\.$/],
      ['PATCH', `/api/keys/${keyId}`, { allow_balance: 'true' }, /^body\.allow_balance must be boolean\.$/],
      ['PATCH', `/api/keys/${keyId}`, { name: 42 }, /name/],
      ['PUT', '/api/admin/models/openai/gpt-4o', { enabled: 1 }, /enabled/],
      ['PUT', '/api/admin/models/openai/gpt-4o', { context_window: '128000' }, /context_window/],
      ['PUT', '/api/admin/models/openai/gpt-4o', { context_window: 0 }, /^body\.context_window must be >= 1\.$/],
    ];
    for (const [method, path, body, field] of cases) {
      const who = path.startsWith('/api/admin') ? admin : customer;
      const res = await who.call(method, path, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.error.type, 'invalid_request_error', res.text);
      assert.match(res.body.error.message, field, res.text);
    }
    const key = await customer.call('GET', '/api/keys');
    const unchanged = key.body.data.find((k: { id: string }) => k.id === keyId);
    assert.equal(unchanged.name, 'validation');
    assert.equal(unchanged.allow_balance, false);
  });

  test('an unknown body field is refused by name, not silently dropped', async () => {
    const created = await customer.call('POST', '/api/keys', { name: 'typo', monthly_limit: 1_000_000 });
    assert.equal(created.status, 400, created.text);
    assert.equal(created.body.error.message, 'Unknown field "monthly_limit" in body.');
    const keys = await customer.call('GET', '/api/keys');
    assert.ok(!keys.body.data.some((k: { name: string }) => k.name === 'typo'), 'no key was made from a refused body');
    const credit = await admin.call('POST', `/api/admin/users/${customer.userId}/credit`, { amount_micro: 1_000_000, note: 'bonus', reason: 'x' }, { 'idempotency-key': 'validation-unknown-field' });
    assert.equal(credit.status, 400, credit.text);
    assert.match(credit.body.error.message, /reason/);
    const balance = await customer.call('GET', '/api/balance');
    assert.equal(balance.body.balance_micro, 10_000_000, 'the refused credit changed nothing');
  });

  test('query strings are still read as their declared types', async () => {
    const page = await customer.call('GET', '/api/requests?limit=5');
    assert.equal(page.status, 200, page.text);
    const usage = await customer.call('GET', '/api/usage?days=7');
    assert.equal(usage.status, 200, usage.text);
    const tooMany = await customer.call('GET', '/api/requests?limit=500');
    assert.equal(tooMany.status, 400, tooMany.text);
    assert.match(tooMany.body.error.message, /limit/);
  });
});
