import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { ADMIN_TOKEN, startGateway, type TestGateway } from '../helpers/gateway.js';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`POST /admin/users/{id}/credit with Idempotency-Key (${kind})`, () => {
    let database: TestDatabase;
    let gw: TestGateway;
    let users = 0;
    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      gw = await startGateway({}, database);
    });
    after(async () => {
      await gw.close();
      await database.drop();
    });

    const newUser = async (): Promise<string> => (await gw.admin('POST', '/admin/users', { email: `idem-${kind}-${++users}@example.com` })).body.id;
    const credit = async (userId: string, body: unknown, key?: string) => {
      const res = await fetch(`${gw.url}/admin/users/${userId}/credit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const ledger = async (userId: string) => (await gw.admin('GET', `/admin/users/${userId}/ledger`)).body.data as Array<{ amount: number }>;
    const balanceOf = async (userId: string) => (await gw.admin('GET', `/admin/users/${userId}`)).body.balance as number;

    test('a retried top-up credits once, and the retry gets the first answer', async () => {
      const userId = await newUser();
      const first = await credit(userId, { amount: '100', note: 'invoice 17' }, 'topup-17');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      await credit(userId, { amount: '5' }); // the balance moves on in between
      const retry = await credit(userId, { amount: '100', note: 'invoice 17' }, 'topup-17');
      assert.equal(retry.status, first.status);
      assert.deepEqual(retry.body, first.body);
      assert.equal(first.body.balance, 100);
      assert.equal(first.body.balance_micro, 100_000_000);
      assert.equal(await balanceOf(userId), 105);
      assert.equal((await ledger(userId)).length, 2);
    });

    test('the same key with another amount or note is a 409 in the OpenAI shape, and moves nothing', async () => {
      const userId = await newUser();
      assert.equal((await credit(userId, { amount: '10', note: 'a' }, 'key-1')).status, 200);
      for (const body of [{ amount: '11', note: 'a' }, { amount: '10', note: 'b' }, { amount: '10' }, { amount: '-10', note: 'a' }]) {
        const res = await credit(userId, body, 'key-1');
        assert.equal(res.status, 409, JSON.stringify(body));
        assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message', 'param', 'type']);
        assert.equal(res.body.error.code, 'conflict');
        assert.equal(res.body.error.type, 'invalid_request_error');
        assert.match(res.body.error.message, /Idempotency-Key/);
      }
      assert.equal(await balanceOf(userId), 10);
      assert.equal((await ledger(userId)).length, 1);
    });

    test('keys are per user, and a credit without a key is never deduplicated', async () => {
      const [a, b] = [await newUser(), await newUser()];
      assert.equal((await credit(a, { amount: '1' }, 'shared')).status, 200);
      assert.equal((await credit(b, { amount: '1' }, 'shared')).status, 200);
      assert.equal((await credit(a, { amount: '1' })).status, 200);
      assert.equal((await credit(a, { amount: '1' })).status, 200);
      assert.equal(await balanceOf(a), 3);
      assert.equal(await balanceOf(b), 1);
    });

    test('a key must be 1 to 255 printable ASCII characters', async () => {
      const userId = await newUser();
      for (const key of ['', 'x'.repeat(256), 'tab\there', 'ключ']) {
        // fetch refuses non-latin1 header values: send the UTF-8 bytes as latin1, as a raw client would.
        const res = await credit(userId, { amount: '1' }, Buffer.from(key, 'utf8').toString('latin1'));
        assert.equal(res.status, 400, JSON.stringify(key));
        assert.equal(res.body.error.param, 'Idempotency-Key');
      }
      assert.equal((await credit(userId, { amount: '1' }, 'x'.repeat(255))).status, 200);
      assert.equal((await credit(userId, { amount: '1' }, ' !~printable ASCII, spaces included~')).status, 200);
      assert.equal(await balanceOf(userId), 2);
    });

    test('concurrent identical requests write one ledger row and all get the same answer', async () => {
      const userId = await newUser();
      const answers = await Promise.all(Array.from({ length: 8 }, () => credit(userId, { amount: '7', note: 'race' }, 'race-key')));
      for (const answer of answers) {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.deepEqual(answer.body, answers[0]!.body);
      }
      assert.equal(await balanceOf(userId), 7);
      assert.equal((await ledger(userId)).length, 1);
    });

    // Several gateways share only PostgreSQL (one gateway process owns a SQLite file).
    if (kind === 'postgres') test('concurrent identical requests through two gateways on the same database write one ledger row', async () => {
      const second = await startGateway({}, database);
      try {
        const userId = await newUser();
        const answers = await Promise.all(
          Array.from({ length: 6 }, (_, i) => {
            const target = i % 2 === 0 ? gw : second;
            return fetch(`${target.url}/admin/users/${userId}/credit`, {
              method: 'POST',
              headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': 'two-nodes' },
              body: JSON.stringify({ amount: '3' }),
            }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
          }),
        );
        for (const answer of answers) assert.deepEqual(answer, answers[0]);
        assert.equal(answers[0]!.status, 200);
        assert.equal(await balanceOf(userId), 3);
        assert.equal((await ledger(userId)).length, 1);
      } finally {
        await second.app.http.close();
        await second.app.close();
      }
    });
  });
}
