import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

describe('admin: a user is addressed by id or by email', () => {
  let gw: TestGateway;
  let id: string;
  before(async () => {
    gw = await startGateway();
    const created = await gw.admin('POST', '/admin/users', { email: 'ana@example.com' });
    assert.equal(created.status, 201);
    id = created.body.id;
  });
  after(() => gw.close());

  test('the quickstart with the email where the id would go: credit, key, keys, user, ledger', async () => {
    const credit = await gw.admin('POST', '/admin/users/ana@example.com/credit', { amount: '1000', note: 'first top-up' });
    assert.equal(credit.status, 200, JSON.stringify(credit.body));
    assert.equal(credit.body.balance, 1000);
    const key = await gw.admin('POST', '/admin/users/ana@example.com/keys', { name: 'laptop' });
    assert.equal(key.status, 201);
    assert.match(key.body.key, /^tg-/);
    const keys = await gw.admin('GET', '/admin/users/ana@example.com/keys');
    assert.deepEqual(keys.body.data.map((k: { id: string }) => k.id), [key.body.id]);
    const user = await gw.admin('GET', '/admin/users/Ana%40Example.com');
    assert.equal(user.body.id, id, 'an escaped, differently cased email names the same user');
    const ledger = await gw.admin('GET', '/admin/users/ana@example.com/ledger');
    assert.equal(ledger.status, 200);
    assert.equal((await gw.admin('GET', `/admin/users/${id}`)).body.balance, 1000, 'the id still works');
  });

  test('an unknown email is a 404 in the OpenAI error shape, and nothing is credited', async () => {
    const res = await gw.admin('POST', '/admin/users/nobody@example.com/credit', { amount: '5' });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    assert.match(res.body.error.message, /nobody@example\.com/);
  });
});
