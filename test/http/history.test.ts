import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;

describe('request history and ledger endpoints', () => {
  let stack: Stack;
  let userId: string;
  let keyA: string;
  let keyB: string;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    await stack.gw.admin('PUT', '/admin/settings', { usd_rub_rate: '90' });
    const a = await stack.gw.newKey({ credit: '50', key: { allow_balance: true } });
    userId = a.userId;
    keyA = a.key;
    keyB = (await stack.gw.admin('POST', `/admin/users/${userId}/keys`, {})).body.key;
    const chat = (key: string, model: string) =>
      fetch(`${stack.gw.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello history' }] }),
      }).then((r) => r.text());
    await chat(keyA, 'gpt-4o');
    await chat(keyA, 'gpt-4o-mini');
    stack.openai.failNext({ status: 429 });
    await chat(keyA, 'gpt-4o');
    await chat(keyB, 'gpt-4o');
    await stack.gw.app.billing.idle();
    await stack.gw.app.flush();
  });
  after(() => stack.close());

  const get = (path: string, key: string) => fetch(stack.gw.url + path, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({ status: r.status, body: await r.json() }));

  test('a key sees its own calls, newest first, with usage and cost', async () => {
    const res = await get('/v1/requests', keyA);
    assert.equal(res.status, 200);
    assert.equal(res.body.object, 'list');
    assert.deepEqual(res.body.data.map((r: { model: string; status: number }) => [r.model, r.status]), [
      ['gpt-4o', 429],
      ['gpt-4o-mini', 404], // not in the catalog: refused, and still recorded
      ['gpt-4o', 200],
    ]);
    const ok = res.body.data[2];
    assert.equal(ok.usage.source, 'reported');
    assert.ok(ok.usage.input_tokens > 0);
    assert.ok(ok.cost.rub > 0);
    assert.equal(ok.cost.usd_rub_rate, '90');
    assert.equal(res.body.data[0].cost.rub, null, 'a failed call costs nothing');
  });

  test('filters and paging', async () => {
    assert.equal((await get('/v1/requests?status=429', keyA)).body.data.length, 1);
    assert.equal((await get('/v1/requests?model=gpt-4o-mini', keyA)).body.data.length, 1);
    assert.equal((await get(`/v1/requests?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, keyA)).body.data.length, 0);
    const first = await get('/v1/requests?limit=2', keyA);
    assert.equal(first.body.has_more, true);
    const second = await get(`/v1/requests?limit=2&before=${first.body.next_before}`, keyA);
    assert.equal(second.body.data.length, 1);
    assert.equal(second.body.has_more, false);
    const bad = await get('/v1/requests?limit=1000', keyA);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'limit');
  });

  test('scope=account shows every key of the account, only to keys allowed to see the balance', async () => {
    assert.equal((await get('/v1/requests?scope=account', keyA)).body.data.length, 4);
    const denied = await get('/v1/requests?scope=account', keyB);
    assert.equal(denied.status, 403);
    assert.equal((await get('/v1/requests', keyB)).body.data.length, 1);
    assert.equal((await get('/v1/requests', 'tg-nope')).status, 401);
  });

  test('admin: a user\'s requests and ledger', async () => {
    const requests = await stack.gw.admin('GET', `/admin/users/${userId}/requests?limit=10`);
    assert.equal(requests.body.data.length, 4);
    const ledger = await stack.gw.admin('GET', `/admin/users/${userId}/ledger`);
    const entries = ledger.body.data as Array<{ kind: string; amount: number; balance_after: number }>;
    // Newest first: the two answered calls' charges (keys A and B), then the credit.
    assert.deepEqual(entries.map((e) => e.kind), ['charge', 'charge', 'credit']);
    assert.deepEqual([entries[2]!.amount, entries[2]!.balance_after], [50, 50]);
    for (const [newer, older] of [[entries[0]!, entries[1]!], [entries[1]!, entries[2]!]] as const) {
      assert.ok(newer.amount < 0);
      assert.equal(Math.round((older.balance_after + newer.amount) * 1e6), Math.round(newer.balance_after * 1e6));
    }
    assert.equal((await stack.gw.admin('GET', '/admin/users/usr_missing/ledger')).status, 404);
  });
});
