import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { fakeEmbedding, FAKE_DIMS } from '../mocks/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;

describe('unified /v1/embeddings with the openai SDK', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
    await stack.gw.admin('PUT', '/admin/models/openai/text-embedding-3-small', { ops: ['embeddings'], prices: { input_per_mtok: '0.02' } });
    await stack.gw.admin('PUT', '/admin/models/gemini/gemini-embedding-001', { ops: ['embeddings'], prices: { input_per_mtok: '0.15' } });
  });
  after(() => stack.close());

  test('OpenAI: the SDK\'s default base64 encoding round-trips; the model name is the client\'s', async () => {
    const res = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['first text', 'second text'] });
    assert.equal(res.model, 'openai/text-embedding-3-small');
    assert.equal(res.data.length, 2);
    assert.equal(res.data[0]!.embedding.length, FAKE_DIMS);
    assert.ok(res.usage.prompt_tokens > 0);
  });

  // The SDK asks for base64 itself when the caller names no format, and decodes it.
  for (const encoding of [undefined, 'float'] as const) {
    test(`Gemini (${encoding ?? 'SDK default: base64'}): one text via embedContent, several via batchEmbedContents, as OpenAI embeddings`, async () => {
      const one = await client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: 'hello embeddings', ...(encoding ? { encoding_format: encoding } : {}) });
      assert.equal(one.model, 'gemini/gemini-embedding-001');
      assert.match(stack.gemini.lastRequest()!.url, /:embedContent/);
      const expected = fakeEmbedding('hello embeddings');
      assert.deepEqual(Array.from(one.data[0]!.embedding as unknown as number[]), expected);
      assert.ok(one.usage.prompt_tokens > 0);
      const many = await client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: ['a b', 'c d e'], ...(encoding ? { encoding_format: encoding } : {}) });
      assert.match(stack.gemini.lastRequest()!.url, /:batchEmbedContents/);
      assert.deepEqual(many.data.map((d) => d.index), [0, 1]);
      assert.deepEqual(Array.from(many.data[1]!.embedding as unknown as number[]), fakeEmbedding('c d e'));
    });
  }

  test('a chat model is refused for embeddings (400), Anthropic has none (400), token arrays for Gemini (400)', async () => {
    await assert.rejects(client.embeddings.create({ model: 'openai/gpt-4o', input: 'x' }), { status: 400 });
    await assert.rejects(client.embeddings.create({ model: 'anthropic/claude-sonnet-4-20250514', input: 'x' }), { status: 400 });
    await assert.rejects(client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: [[1, 2, 3]] }), { status: 400 });
  });

  test('Gemini embeddings are billed by Gemini\'s countTokens (the answer itself states the bound, at most that)', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '10' });
    const billed = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const res = await billed.embeddings.create({ model: 'gemini/gemini-embedding-001', input: 'count me', encoding_format: 'float' });
    await stack.gw.app.services.relay.idle(); // the charge follows the count, after the answer
    await stack.gw.app.billing.idle();
    const charge = await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).where('kind', '=', 'charge').executeTakeFirstOrThrow();
    // The mock counts words + 3 = 5 tokens; $0.15 per 1M tokens at 100 RUB/USD = 15 micro-RUB a token.
    assert.equal(-charge.amount_micro, 5 * 15);
    assert.ok(res.usage.prompt_tokens >= 5);
  });
});
