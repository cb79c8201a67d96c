import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { postgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const chat = (gw: TestGateway, key: string) =>
  new OpenAI({ apiKey: key, baseURL: `${gw.url}/openai/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const outcome = (call: Promise<unknown>) => call.then(() => 'ok' as const, (err: unknown) => (err instanceof OpenAI.RateLimitError ? ('limited' as const) : Promise.reject(err)));

/** Three nodes on one PostgreSQL and one Redis: a key's limits are counted once for all of them. */
describe('rate limits across three nodes (PostgreSQL + Redis)', () => {
  let database: TestDatabase;
  let stack: Stack;
  let nodes: TestGateway[];

  before(async () => {
    database = await postgresDatabase();
    stack = await startStack({ REDIS_URL }, database);
    const env = { REDIS_URL, OPENAI_API_KEY: UPSTREAM_KEYS.openai, OPENAI_BASE_URL: stack.openai.url };
    nodes = [stack.gw, await startGateway(env, database), await startGateway(env, database)];
  });
  after(async () => {
    for (const node of nodes.slice(1)) await node.close();
    await stack.close();
    await database.drop();
  });

  test('rpm_limit 6 gives 6 answers in all, not 6 per node; nothing forwarded beyond them', async () => {
    const { key, keyId } = await stack.gw.newKey({ credit: '100' });
    assert.equal((await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { rpm_limit: 6 })).status, 200);
    const forwarded = stack.openai.requests.length;
    const outcomes: string[] = [];
    for (let i = 0; i < 18; i++) outcomes.push(await outcome(chat(nodes[i % 3]!, key)));
    assert.equal(outcomes.filter((o) => o === 'ok').length, 6, outcomes.join());
    assert.equal(stack.openai.requests.length - forwarded, 6);
    for (const node of nodes) {
      const ready = await fetch(`${node.url}/ready`).then((r) => r.json() as Promise<{ rate_limits: { store: string } }>);
      assert.equal(ready.rate_limits.store, 'redis');
    }
  });

  test('an account limit set on one node holds on the others at once; concurrent bursts on all nodes stay within it', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    assert.equal((await nodes[1]!.admin('PATCH', `/admin/users/${userId}`, { rpm_limit: 5 })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the other nodes' key caches (KEY_CACHE_MS)
    const burst = await Promise.all(Array.from({ length: 15 }, (_, i) => outcome(chat(nodes[i % 3]!, key))));
    assert.equal(burst.filter((o) => o === 'ok').length, 5, burst.join());
  });
});

describe('Redis unreachable', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ REDIS_URL: 'redis://127.0.0.1:6399', METRICS_TOKEN: 'metrics-token-0123456789' });
  });
  after(async () => stack.close());

  test('the node limits its own calls, says so on /ready, and never refuses for Redis’ sake', async () => {
    const { key, keyId } = await stack.gw.newKey({ credit: '100' });
    const free = await stack.gw.newKey({ credit: '100' });
    await stack.gw.admin('PATCH', `/admin/keys/${keyId}`, { rpm_limit: 2 });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await outcome(chat(stack.gw, key)));
    assert.deepEqual(outcomes, ['ok', 'ok', 'limited', 'limited']);
    for (let i = 0; i < 3; i++) await chat(stack.gw, free.key);
    const ready = await fetch(`${stack.gw.url}/ready`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { rate_limits: { store: string; degraded?: { error: string } } };
    assert.equal(body.rate_limits.store, 'local');
    assert.ok(body.rate_limits.degraded?.error);
    assert.ok(stack.gw.logs.some((line) => line.includes('Redis is unreachable')));
    const metrics = await fetch(`${stack.gw.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } }).then((r) => r.text());
    assert.match(metrics, /^tollgate_ratelimit_degraded 1$/m);
  });
});
