import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresDatabase } from '../helpers/databases.js';
import { startGateway } from '../helpers/gateway.js';

test('PostgreSQL: a restart releases the holds its node left behind, and those of dead or expired nodes; a live node keeps its own', async () => {
  const database = await postgresDatabase();
  try {
    const first = await startGateway({ NODE_ID: 'node-a' }, database);
    const { userId, keyId } = await first.newKey({ credit: '10' });
    const now = Date.now();
    const period = new Date(now).toISOString().slice(0, 7);
    const hold = (requestId: string, nodeId: string, expiresAt: number) =>
      first.app.store.billing.reserve({ requestId, userId, keyId, amountMicro: 1_000_000, period, nodeId, now, expiresAt });
    assert.equal(await hold('req_crashed_a', 'node-a', now + 3_600_000), 'ok'); // this node's, not yet expired
    assert.equal(await hold('req_crashed_b', 'node-b', now - 1), 'ok'); // another node's, expired
    assert.equal(await hold('req_live_c', 'node-c', now + 3_600_000), 'ok'); // another node's, still in flight
    await first.app.store.billing.heartbeat('node-c', now, 3_600_000); // node-c is alive: its lease runs
    await first.close(); // as if it had crashed: the holds stay in the database

    const second = await startGateway({ NODE_ID: 'node-a' }, database);
    try {
      const db = second.app.store.db.kysely;
      const left = await db.selectFrom('holds').select('request_id').where('user_id', '=', userId).execute();
      assert.deepEqual(left.map((row) => row.request_id), ['req_live_c']);
      const user = await db.selectFrom('users').select(['held_micro', 'balance_micro']).where('id', '=', userId).executeTakeFirstOrThrow();
      assert.equal(user.held_micro, 1_000_000);
      assert.equal(user.balance_micro, 10_000_000, 'released, not charged');
      const key = await db.selectFrom('api_keys').select('held_micro').where('id', '=', keyId).executeTakeFirstOrThrow();
      assert.equal(key.held_micro, 1_000_000);
    } finally {
      await second.close();
    }
  } finally {
    await database.drop();
  }
});
