import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMock, type MockUpstream } from '../mocks/index.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;

describe('custom OpenAI-compatible upstreams declared in the config file (a local vLLM, an Ollama)', () => {
  let vllm: MockUpstream;
  let database: TestDatabase;
  let gw: TestGateway;
  let client: OpenAI;
  let userId: string;
  before(async () => {
    vllm = await startMock('openai', { open: true });
    database = sqliteDatabase();
    const config = {
      providers: {
        'local-vllm': {
          type: 'openai-compatible',
          base_url: vllm.url,
          models: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', context_window: 131072, prices: { input_per_mtok: '0.10', output_per_mtok: '0.20' } }, { id: 'unpriced-model' }],
        },
        ollama: { type: 'openai-compatible', base_url: vllm.url, api_keys: ['ollama-token-0001'], models: [{ id: 'qwen2.5:7b', prices: { input_per_mtok: '0', output_per_mtok: '0' } }] },
      },
    };
    writeFileSync(join(database.dir, 'tollgate.json'), JSON.stringify(config));
    gw = await startGateway({ CATALOG_DIR: FIXTURES }, database);
    const funded = await gw.newKey({ credit: '100' });
    userId = funded.userId;
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: funded.key, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await vllm.close();
    await database.drop();
  });

  test('listed on /v1/models; the body goes up with the host\'s model name and no key when none is declared', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.ok(ids.includes('local-vllm/meta-llama/Llama-3.1-8B-Instruct'));
    assert.ok(ids.includes('ollama/qwen2.5:7b'));
    const model = 'local-vllm/meta-llama/Llama-3.1-8B-Instruct';
    const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello local' }], temperature: 0.3 });
    assert.equal(res.model, model);
    const upstream = vllm.lastRequest()!;
    const sent = JSON.parse(upstream.body.toString());
    assert.equal(sent.model, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.equal(sent.temperature, 0.3);
    assert.equal(upstream.headers['authorization'], undefined);

    const stream = await client.chat.completions.create({ model: 'ollama/qwen2.5:7b', stream: true, messages: [{ role: 'user', content: 'stream locally' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.match(text, /stream locally/);
    assert.equal(vllm.lastRequest()!.headers['authorization'], 'Bearer ollama-token-0001');
  });

  test('billed at the prices declared in the file; an unpriced model is refused like any other', async () => {
    const res = await client.chat.completions.create({ model: 'local-vllm/meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'bill me' }] });
    const u = res.usage!;
    await gw.app.billing.idle();
    const rows = await gw.app.store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').orderBy('id', 'desc').execute();
    assert.equal(-rows[0]!.amount_micro, u.prompt_tokens * 10 + u.completion_tokens * 20); // micro-RUB at 100 RUB/USD
    await assert.rejects(client.chat.completions.create({ model: 'local-vllm/unpriced-model', messages: [{ role: 'user', content: 'x' }] }), { status: 403 });
    await assert.rejects(client.chat.completions.create({ model: 'local-vllm/not-declared', messages: [{ role: 'user', content: 'x' }] }), { status: 404 });
  });
});
