import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMock, type MockUpstream } from '../mocks/index.js';
import { openRouterCostPico } from '../mocks/openrouter.js';

const KEY = 'sk-or-test-upstream-0001';
const MODEL = 'mistralai/mistral-medium-3.1';

/** micro-RUB at the tests' 100 RUB/USD and markup 1: 10^-12 USD × 100 × 10^6 = pico / 10^4, rounded up. */
const microRub = (pico: bigint): number => Number((pico + 9_999n) / 10_000n);

describe('OpenRouter: its models list is the catalog, and its own price of each call is billed', () => {
  let upstream: MockUpstream;
  let database: TestDatabase;
  let gw: TestGateway;
  let client: OpenAI;
  let key: string;
  let userId: string;
  before(async () => {
    upstream = await startMock('openai', { openrouter: true });
    database = sqliteDatabase();
    gw = await startGateway({ OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: upstream.url }, database);
    ({ key, userId } = await gw.newKey({ credit: '100' }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await database?.drop();
  });

  const lastCall = async () => {
    await gw.app.flush();
    const db = gw.app.store.db.kysely;
    const charge = await db.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const row = await db.selectFrom('requests').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    return { charged: -charge.amount_micro, row };
  };

  test('the list was fetched at boot with the key: its models are on /v1/models with per-1M prices; unpriced and image-only ones are not priced or served', async () => {
    const fetched = upstream.requests.find((r) => r.method === 'GET' && r.url === '/v1/models');
    assert.equal(fetched?.headers['authorization'], `Bearer ${KEY}`);
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.ok(ids.includes(`openrouter/${MODEL}`));
    assert.ok(!ids.includes('openrouter/black-forest-labs/flux-image'));
    const one = (await client.models.retrieve(`openrouter/${MODEL}`)) as unknown as Record<string, unknown>;
    assert.deepEqual(one['prices'], { input_per_mtok: '0.4', output_per_mtok: '2' });
    assert.equal(one['context_window'], 131072);
    assert.equal(one['max_output_tokens'], 32768);
    const mini = (await client.models.retrieve('openrouter/openai/gpt-4o-mini')) as unknown as Record<string, unknown>;
    assert.deepEqual(mini['prices'], { input_per_mtok: '0.15', output_per_mtok: '0.6', cached_input_per_mtok: '0.075' });
    // A router with no price ("-1") stays refused: never free.
    await assert.rejects(client.chat.completions.create({ model: 'openrouter/openrouter/auto', messages: [{ role: 'user', content: 'x' }] }), { status: 403 });
    const ready = await (await fetch(`${gw.url}/ready`)).json();
    assert.equal(ready.catalog_lists[0].source, 'upstream');
    assert.equal(ready.catalog_lists[0].last_error, null);
  });

  test('the README example on /v1 with the openai SDK: 200, usage accounting asked for, charged cost × rate × markup exactly', async () => {
    const res = await client.chat.completions.create({ model: `openrouter/${MODEL}`, messages: [{ role: 'user', content: 'Hello from the README' }] });
    assert.equal(res.model, `openrouter/${MODEL}`);
    const sent = JSON.parse(upstream.lastRequest()!.body.toString());
    assert.equal(sent.model, MODEL);
    assert.deepEqual(sent.usage, { include: true });
    const u = res.usage!;
    const { charged, row } = await lastCall();
    const cost = openRouterCostPico(MODEL, u.prompt_tokens, u.completion_tokens);
    assert.equal(charged, microRub(cost));
    // The surcharge the mock adds on top of the listed prices is billed: the answer's cost, not the list's.
    assert.notEqual(charged, microRub(BigInt(u.prompt_tokens) * 400_000n + BigInt(u.completion_tokens) * 2_000_000n));
    assert.equal(row.usage_source, 'reported_cost');
    assert.equal(row.cost_micro, charged);
  });

  test('native /openrouter/v1/chat/completions is billed the same, and a client that set usage itself is left as it was', async () => {
    const native = new OpenAI({ baseURL: `${gw.url}/openrouter/v1`, apiKey: key, maxRetries: 0 });
    const res = await native.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'native call here' }] });
    assert.equal(typeof (res.usage as unknown as { cost: number }).cost, 'number');
    const { charged, row } = await lastCall();
    assert.equal(charged, microRub(openRouterCostPico(MODEL, res.usage!.prompt_tokens, res.usage!.completion_tokens)));
    assert.equal(row.usage_source, 'reported_cost');

    const body = JSON.stringify({ model: MODEL, usage: { include: false }, messages: [{ role: 'user', content: 'no accounting please' }] });
    const raw = await fetch(`${gw.url}/openrouter/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const answer = await raw.json();
    assert.equal(upstream.lastRequest()!.body.toString(), body);
    const after = await lastCall();
    // No cost in the answer: billed at the list's token prices.
    assert.equal(after.row.usage_source, 'reported');
    assert.equal(after.charged, microRub(BigInt(answer.usage.prompt_tokens) * 400_000n + BigInt(answer.usage.completion_tokens) * 2_000_000n));
  });

  test('a stream is billed its cost too, and the usage chunk the gateway asked for is not shown to the client', async () => {
    const stream = await client.chat.completions.create({ model: `openrouter/${MODEL}`, stream: true, messages: [{ role: 'user', content: 'stream this one please' }] });
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    assert.match(text, /stream this one please/);
    assert.equal(sawUsage, false);
    const sent = JSON.parse(upstream.lastRequest()!.body.toString());
    assert.deepEqual(sent.usage, { include: true });
    const { charged, row } = await lastCall();
    assert.equal(row.usage_source, 'reported_cost');
    assert.equal(charged, microRub(openRouterCostPico(MODEL, row.input_tokens!, row.output_tokens!)));
  });

  test('a refresh that fails keeps the last list, and says so on /ready', async () => {
    const list = (gw.app.services as unknown as { catalogLists(): Array<Record<string, unknown>> }).catalogLists();
    assert.equal(list[0]!['models'], 3); // the two priced models and the unpriced router
    upstream.failNext({ status: 500 });
    const { OpenRouterModels } = await import('../../src/services/catalog/openrouter-models.js');
    const refresher = new OpenRouterModels({ catalog: gw.app.services.catalog, store: gw.app.store, clock: { now: () => Date.now() } as never, log: gw.app.logger, baseUrl: upstream.url, key: KEY });
    assert.equal(await refresher.refresh(), false);
    assert.match(refresher.status().last_error ?? '', /500/);
    const res = await client.chat.completions.create({ model: `openrouter/${MODEL}`, messages: [{ role: 'user', content: 'still served' }] });
    assert.equal(res.choices[0]!.message.content, 'Echo: still served');
  });

  test('an admin override wins over the list, and stays after the list is fetched again', async () => {
    const put = await gw.admin('PUT', `/admin/models/openrouter/${MODEL}`, { prices: { input_per_mtok: '1', output_per_mtok: '5' } });
    assert.equal(put.status, 200);
    assert.equal(put.body.origin, 'override');
    const { OpenRouterModels } = await import('../../src/services/catalog/openrouter-models.js');
    const refresher = new OpenRouterModels({ catalog: gw.app.services.catalog, store: gw.app.store, clock: { now: () => Date.now() } as never, log: gw.app.logger, baseUrl: upstream.url, key: KEY });
    assert.equal(await refresher.refresh(), true);
    const model = (await gw.admin('GET', `/admin/models/openrouter/${MODEL}`)).body;
    assert.deepEqual([model.origin, model.prices], ['override', { input_per_mtok: '1', output_per_mtok: '5' }]);
    assert.equal(model.context_window, 131072);
    assert.equal((await gw.admin('GET', '/admin/models/openrouter/openai/gpt-4o-mini')).body.origin, 'listed');
  });

  test('the CLI lists the saved list too', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'models', 'list', '--provider', 'openrouter'], { cwd: root, env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: database.url }, timeout: 20_000 }, (err, out) => (err ? reject(err) : resolve(out)));
    });
    const ids = (JSON.parse(stdout) as Array<{ id: string }>).map((m) => m.id);
    assert.ok(ids.includes('openrouter/openai/gpt-4o-mini'));
  });

  test('a restart without the network serves the saved list', async () => {
    const second = await startGateway({ OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: 'http://127.0.0.1:9' }, database);
    try {
      const ready = await (await fetch(`${second.url}/ready`)).json();
      assert.equal(ready.catalog_lists[0].source, 'saved');
      assert.equal(ready.catalog_lists[0].models, 3);
      assert.ok(second.app.services.catalog.find('openrouter', MODEL));
    } finally {
      await second.app.http.close();
      await second.app.close();
    }
  });
});
