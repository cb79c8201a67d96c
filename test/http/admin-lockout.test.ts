import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../helpers/gateway.js';

/** Guessing the admin token: 10 wrong ones from an address lock it out, even for the right token. */
describe('admin token failure budget over HTTP', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  const usersWith = (authorization?: string) => fetch(`${gw.url}/admin/users`, { headers: authorization ? { authorization } : {} });

  test('requests without a token are refused but guess nothing', async () => {
    for (let i = 0; i < 15; i++) assert.equal((await usersWith()).status, 401);
    assert.equal((await usersWith(`Bearer ${ADMIN_TOKEN}`)).status, 200);
  });

  test('after 10 wrong tokens the address gets 429 with retry-after, the right token included', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await usersWith(`Bearer wrong-token-${i}-0123456789`);
      assert.equal(res.status, 401, `guess ${i + 1}`);
      await res.text();
    }
    for (const authorization of [`Bearer wrong-token-again`, `Bearer ${ADMIN_TOKEN}`]) {
      const res = await usersWith(authorization);
      assert.equal(res.status, 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter > 50 && retryAfter <= 60, `retry-after ${retryAfter}`);
      const { error } = (await res.json()) as { error: { type: string; code: string; message: string } };
      assert.equal(error.type, 'rate_limit_error');
      assert.equal(error.code, 'rate_limit_exceeded');
    }
    const create = await fetch(`${gw.url}/admin/users`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"email":"locked@example.com"}' });
    assert.equal(create.status, 429, 'nothing is done for a locked-out address');
    await create.text();
    assert.equal((await gw.app.services.accounts.findUsers({ email: 'locked@example.com' })).length, 0);
  });
});
