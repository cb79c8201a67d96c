import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const CLAUDE = 'anthropic/claude-sonnet-4-20250514';

describe('unified /v1: a model\'s backup candidate is tried once when its provider fails before answering', () => {
  let stack: Stack;
  let client: OpenAI;
  let userId: string;
  before(async () => {
    // DeepSeek points at a port nobody listens on: every call to it fails to connect.
    stack = await startStack({ CATALOG_DIR: FIXTURES, FAILOVER_TIMEOUT_MS: '400', DEEPSEEK_BASE_URL: 'http://127.0.0.1:9' });
    await stack.gw.admin('PUT', `/admin/models/${CLAUDE}`, { fallbacks: ['openai/gpt-4o'] });
    await stack.gw.admin('PUT', '/admin/models/deepseek/deepseek-chat', {
      ops: ['chat'],
      prices: { input_per_mtok: '0.27', output_per_mtok: '1.10' },
      fallbacks: ['openai/gpt-4o-gone', 'openai/gpt-4o'],
    });
    const funded = await stack.gw.newKey({ credit: '100' });
    userId = funded.userId;
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: funded.key, maxRetries: 0 });
  });
  after(() => stack.close());

  const ask = (model: string) =>
    client.chat.completions.create({ model, max_tokens: 40, messages: [{ role: 'user', content: `hello from ${model}` }] });
  const charges = async () => {
    await stack.gw.app.billing.idle();
    const rows = await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').execute();
    return rows.map((r) => -r.amount_micro);
  };
  const history = async () => {
    await stack.gw.app.flush();
    return stack.gw.app.store.db.kysely.selectFrom('requests').select(['provider', 'model', 'status', 'error']).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
  };

  test('Anthropic overloaded (529) → served by the backup under the client\'s model name, billed once at the backup\'s price', async () => {
    const before = (await charges()).length;
    const openaiCalls = stack.openai.requests.length;
    stack.anthropic.failNext({ status: 529 });
    const res = await ask(CLAUDE);
    assert.equal(res.model, CLAUDE);
    assert.match(res.choices[0]!.message.content ?? '', /hello from/);
    assert.equal(stack.openai.requests.length, openaiCalls + 1);
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'gpt-4o');
    const u = res.usage!;
    const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
    const gpt4oCost = Math.ceil(((u.prompt_tokens - cached) * 2.5 + cached * 1.25 + u.completion_tokens * 10) * 100);
    assert.deepEqual((await charges()).slice(before), [gpt4oCost]);
    const rows = (await history()).slice(-2);
    assert.deepEqual(rows.map((r) => [r.provider, r.status, r.error]), [['anthropic', 529, 'upstream_529'], ['openai', 200, null]]);
  });

  test('a stream with no first byte within FAILOVER_TIMEOUT_MS, and a provider that cannot be reached, fail over', async () => {
    stack.anthropic.failNext({ delayHeadersMs: 3000 });
    const started = Date.now();
    const stream = await client.chat.completions.create({ model: CLAUDE, stream: true, max_tokens: 40, messages: [{ role: 'user', content: 'slow stream' }] });
    let text = '';
    for await (const chunk of stream) {
      assert.equal(chunk.model, CLAUDE);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    assert.match(text, /slow stream/);
    assert.ok(Date.now() - started < 2500, 'the backup answered without waiting for the slow provider');
    // The first fallback is not in the catalog: the next one is used.
    const viaDeepseek = await ask('deepseek/deepseek-chat');
    assert.equal(viaDeepseek.model, 'deepseek/deepseek-chat');
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'gpt-4o');
  });

  test('a whole (non-stream) answer that is slow but healthy is waited for, not abandoned', async () => {
    const openaiCalls = stack.openai.requests.length;
    stack.anthropic.failNext({ delayHeadersMs: 900 });
    const res = await ask(CLAUDE);
    assert.match(res.choices[0]!.message.content ?? '', /hello from/);
    assert.equal(stack.openai.requests.length, openaiCalls, 'no request went to the backup');
  });

  test('text completions through chat fail over too, answered as a text completion', async () => {
    stack.anthropic.failNext({ status: 503 });
    const res = await client.completions.create({ model: CLAUDE, prompt: 'complete me elsewhere', max_tokens: 20 });
    assert.equal(res.object, 'text_completion');
    assert.equal(res.model, CLAUDE);
    assert.match(res.choices[0]!.text, /complete me elsewhere/);
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'gpt-4o');
  });

  test('both candidates failing → 503 in OpenAI\'s shape, nothing charged, nothing held', async () => {
    const before = (await charges()).length;
    stack.anthropic.failNext({ status: 500 });
    stack.openai.failNext({ status: 429, headers: { 'retry-after': '1' } });
    await assert.rejects(ask(CLAUDE), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 503);
      assert.match(err.message, /unavailable/);
      assert.match(err.message, /backup openai\/gpt-4o failed too/);
      return true;
    });
    assert.equal((await charges()).length, before);
    const held = await stack.gw.app.store.db.kysely.selectFrom('users').select('held_micro').where('id', '=', userId).executeTakeFirstOrThrow();
    assert.equal(held.held_micro, 0);
  });

  test('a stream that started is never retried: a mid-stream error reaches the client', async () => {
    const openaiCalls = stack.openai.requests.length;
    stack.anthropic.failNext({ errorEventAfterChunks: 3 });
    const stream = await client.chat.completions.create({ model: CLAUDE, stream: true, max_tokens: 40, messages: [{ role: 'user', content: 'stream and break' }] });
    await assert.rejects(async () => {
      for await (const _chunk of stream) {
        // drain
      }
    });
    assert.equal(stack.openai.requests.length, openaiCalls, 'no request went to the backup');
  });

  test('errors that are the request\'s own (400) are not failed over; a model without fallbacks relays its provider\'s error', async () => {
    const openaiCalls = stack.openai.requests.length;
    stack.anthropic.failNext({ status: 400 });
    await assert.rejects(ask(CLAUDE), { status: 400 });
    stack.gemini.failNext({ status: 503 });
    await assert.rejects(ask('gemini/gemini-2.5-flash'), { status: 503 });
    assert.equal(stack.openai.requests.length, openaiCalls);
  });

  test('fallbacks are validated by the admin API', async () => {
    const self = await stack.gw.admin('PUT', `/admin/models/${CLAUDE}`, { fallbacks: [CLAUDE] });
    assert.equal(self.status, 400);
    const bad = await stack.gw.admin('PUT', `/admin/models/${CLAUDE}`, { fallbacks: ['no-provider'] });
    assert.equal(bad.status, 400);
    const shown = await stack.gw.admin('GET', `/admin/models/${CLAUDE}`);
    assert.deepEqual(shown.body.fallbacks, ['openai/gpt-4o']);
  });

  test('a backup the key may not use is skipped: the provider\'s own error is relayed', async () => {
    const { key } = await stack.gw.newKey({ credit: '10', key: { models: ['anthropic/*'] } });
    const limited = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const openaiCalls = stack.openai.requests.length;
    stack.anthropic.failNext({ status: 529 });
    await assert.rejects(limited.chat.completions.create({ model: CLAUDE, max_tokens: 20, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 503);
      assert.doesNotMatch(err.message, /backup/);
      return true;
    });
    assert.equal(stack.openai.requests.length, openaiCalls);
  });

  test('/v1/responses on a native model fails over to a chat-only backup through the bridge', async () => {
    await stack.gw.admin('PUT', '/admin/models/openai/gpt-4.1', { ops: ['chat', 'responses'], prices: { input_per_mtok: '2.00', output_per_mtok: '8.00' }, fallbacks: [CLAUDE] });
    stack.openai.failNext({ status: 500 });
    const res = await client.responses.create({ model: 'openai/gpt-4.1', input: 'bridge me to the backup' });
    assert.equal(res.model, 'openai/gpt-4.1');
    assert.match(res.output_text, /bridge me to the backup/);
    assert.equal(JSON.parse(stack.anthropic.lastRequest()!.body.toString()).model, 'claude-sonnet-4-20250514');
  });

  test('Gemini rejecting its key (400 API_KEY_INVALID) fails over too', async () => {
    await stack.gw.admin('PUT', '/admin/models/gemini/gemini-2.5-flash', { fallbacks: ['openai/gpt-4o'] });
    stack.gemini.failNext({
      status: 400,
      errorBody: { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] } },
    });
    const res = await ask('gemini/gemini-2.5-flash');
    assert.equal(res.model, 'gemini/gemini-2.5-flash');
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'gpt-4o');
  });
});
