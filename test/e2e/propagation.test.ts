import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

/** Bounds the wait well below the polls' (KEY_CACHE_MS 1 s, settings 5 s): only the change feed can meet it. */
const WITHIN_MS = 400;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = WITHIN_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Issue #14: a change made on one node applies on every node within a second (PostgreSQL LISTEN/NOTIFY). */
describe('changes reach the other nodes at once (two nodes on PostgreSQL)', () => {
  let database: TestDatabase;
  let stack: Stack;
  let other: TestGateway;

  before(async () => {
    database = await postgresDatabase();
    stack = await startStack({}, database);
    other = await startGateway({ OPENAI_API_KEY: UPSTREAM_KEYS.openai, OPENAI_BASE_URL: stack.openai.url }, database);
  });
  after(async () => {
    await other.close();
    await stack.close();
    await database.drop();
  });

  const status = (gw: TestGateway, key: string) =>
    new OpenAI({ apiKey: key, baseURL: `${gw.url}/openai/v1`, maxRetries: 0 }).chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => 200,
        (err: { status?: number }) => err.status ?? 0,
      );

  test('a key revoked, paused or changed on one node is refused on the other within 400 ms', async () => {
    const { key, keyId } = await stack.gw.newKey();
    assert.equal(await status(other, key), 200, 'cached on the other node');
    const started = Date.now();
    assert.equal((await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { status: 'paused' })).status, 200);
    assert.equal(await eventually(() => status(other, key), (s) => s === 403), 403, `still served ${Date.now() - started} ms after the pause`);
    await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { status: 'active' });
    assert.equal(await eventually(() => status(other, key), (s) => s === 200), 200);
    await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { rpm_limit: 1 });
    const limited = await eventually(async () => [await status(other, key), await status(other, key)], ([a, b]) => b === 429 || a === 429);
    assert.ok(limited.includes(429), limited.join());
  });

  test('a user blocked on one node is refused on the other within 400 ms', async () => {
    const { key, userId } = await stack.gw.newKey();
    assert.equal(await status(other, key), 200);
    await stack.gw.app.services.sessions.block(userId);
    assert.equal(await eventually(() => status(other, key), (s) => s === 403), 403);
  });

  test('a price and the rate changed on one node are what the other shows within 400 ms', async () => {
    const changed = await stack.gw.admin('PUT', '/admin/models/openai/gpt-4o-mini', { prices: { input_per_mtok: '7.00', output_per_mtok: '9.00' } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const seen = await eventually(() => other.admin('GET', '/admin/models/openai/gpt-4o-mini'), (res) => res.body.prices?.input_per_mtok === '7.00');
    assert.equal(seen.body.prices.input_per_mtok, '7.00');
    assert.equal((await stack.gw.admin('PUT', '/admin/settings', { usd_rub_rate: '123.45' })).status, 200);
    const settings = await eventually(() => other.admin('GET', '/admin/settings'), (res) => res.body.usd_rub_rate === '123.45');
    assert.equal(settings.body.usd_rub_rate, '123.45');
  });
});
