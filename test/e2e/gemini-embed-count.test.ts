import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';
import { words } from '../mocks/index.js';
import { SLOW_COUNT_TOKENS } from '../mocks/gemini-mock.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
/** The fixture catalog's provider files only (the folder may hold other fixtures). */
function catalogDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-catalog-'));
  for (const file of ['anthropic.json', 'gemini.json', 'openai.json']) copyFileSync(join(FIXTURES, file), join(dir, file));
  return dir;
}
/** The mock's countTokens: words + 3 per content. At $0.15 per 1M tokens and 100 RUB/USD, 15 micro-RUB a token. */
const counted = (...texts: string[]) => texts.reduce((sum, t) => sum + words(t) + 3, 0);
const MICRO_PER_TOKEN = 15;

describe('Gemini embeddings are billed by Gemini\'s own countTokens, after the answer is out', () => {
  let stack: Stack;
  let key: string;
  let userId: string;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: catalogDir() });
    for (const model of ['gemini-embedding-001', 'text-embedding-004', SLOW_COUNT_TOKENS.model]) {
      await stack.gw.admin('PUT', `/admin/models/gemini/${model}`, { ops: ['embeddings'], prices: { input_per_mtok: '0.15' } });
    }
    ({ key, userId } = await stack.gw.newKey({ credit: '10' }));
  });
  after(() => stack.close());

  const lastCharge = async () => {
    await stack.gw.app.services.relay.idle(); // the settlement follows the count
    await stack.gw.app.flush();
    const db = stack.gw.app.store.db.kysely;
    const charge = await db.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const row = await db.selectFrom('requests').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    return { charged: -charge.amount_micro, row };
  };
  const countCalls = () => stack.gemini.requests.filter((r) => r.url.includes(':countTokens'));

  test('unified /v1/embeddings, English text: the charge is countTokens\' figure, not the byte bound', async () => {
    const text = 'The quick brown fox jumps over the lazy dog near the quiet river bank today';
    const client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const before = countCalls().length;
    await client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: text, encoding_format: 'float' });
    const { charged, row } = await lastCharge();
    assert.equal(row.usage_source, 'count_tokens');
    assert.equal(row.input_tokens, counted(text));
    assert.equal(charged, counted(text) * MICRO_PER_TOKEN);
    assert.ok(charged < Math.ceil(Buffer.byteLength(text) / 2) * MICRO_PER_TOKEN, 'below the byte bound');
    const call = countCalls().slice(before);
    assert.equal(call.length, 1);
    assert.match(call[0]!.url, /^\/v1beta\/models\/gemini-embedding-001:countTokens$/);
    assert.equal(call[0]!.headers['x-goog-api-key'], UPSTREAM_KEYS.gemini);
    assert.deepEqual(JSON.parse(call[0]!.body.toString()), { contents: [{ parts: [{ text }] }] });

    // The same text again is counted from the cache: no second count call.
    await client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: text, encoding_format: 'float' });
    assert.equal((await lastCharge()).charged, counted(text) * MICRO_PER_TOKEN);
    assert.equal(countCalls().length, before + 1);
  });

  test('native :batchEmbedContents: one count per text, summed', async () => {
    const texts = ['first document about billing', 'second one, a little longer than the first'];
    const model = 'models/gemini-embedding-001';
    const body = { requests: texts.map((text) => ({ model, content: { parts: [{ text }] } })) };
    const res = await fetch(`${stack.gw.url}/google/v1beta/models/gemini-embedding-001:batchEmbedContents`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).embeddings.length, 2);
    const { charged, row } = await lastCharge();
    assert.equal(row.usage_source, 'count_tokens');
    assert.equal(charged, counted(...texts) * MICRO_PER_TOKEN);
  });

  test('when countTokens fails, the byte bound is billed and the row says so', async () => {
    const text = 'a model whose countTokens is refused';
    const res = await fetch(`${stack.gw.url}/google/v1beta/models/text-embedding-004:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text }] } }),
    });
    assert.equal(res.status, 200);
    const { charged, row } = await lastCharge();
    assert.equal(row.usage_source, 'byte_bound');
    assert.ok(row.input_tokens! > counted(text));
    assert.equal(charged, row.input_tokens! * MICRO_PER_TOKEN);
  });

  test('the answer does not wait for the count: a count slower than 2 s is not waited for, and the bound is billed', async () => {
    const started = Date.now();
    const res = await fetch(`${stack.gw.url}/google/v1beta/models/${SLOW_COUNT_TOKENS.model}:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'slow to count' }] } }),
    });
    assert.equal(res.status, 200);
    await res.json();
    assert.ok(Date.now() - started < SLOW_COUNT_TOKENS.delayMs / 2, 'answered before the count returned');
    const { charged, row } = await lastCharge();
    assert.ok(Date.now() - started < SLOW_COUNT_TOKENS.delayMs, 'settled at the 2 s bound, not when the count came');
    assert.equal(row.usage_source, 'byte_bound');
    assert.equal(charged, row.input_tokens! * MICRO_PER_TOKEN);
  });
});
