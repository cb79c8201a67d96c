import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMock, type MockUpstream } from '../mocks/index.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const KEYS = ['sk-first-key-0001', 'sk-second-key-0002'];

describe('several upstream keys: rotation, one retry before the first byte, resting refused keys', () => {
  let mock: MockUpstream;
  let database: TestDatabase;
  let gw: TestGateway;
  let client: OpenAI;
  before(async () => {
    mock = await startMock('openai');
    database = sqliteDatabase();
    writeFileSync(join(database.dir, 'tollgate.json'), JSON.stringify({ providers: { openai: { base_url: mock.url, api_keys: KEYS } } }));
    gw = await startGateway({ CATALOG_DIR: FIXTURES }, database);
    const { key } = await gw.newKey();
    client = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await mock.close();
    await database.drop();
  });

  const used = (from: number) => mock.requests.slice(from).map((r) => r.headers['authorization']);
  const ask = () => client.chat.completions.create({ model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });

  test('keys are used in turn', async () => {
    const from = mock.requests.length;
    await ask();
    await ask();
    assert.deepEqual(new Set(used(from)), new Set(KEYS.map((k) => `Bearer ${k}`)));
  });

  test('a 5xx before anything was sent is retried once with the other key; the client sees only the success', async () => {
    const from = mock.requests.length;
    mock.failNext({ status: 500 });
    const res = await ask();
    assert.ok(res.choices[0]!.message.content);
    const auth = used(from);
    assert.equal(auth.length, 2);
    assert.notEqual(auth[0], auth[1]);
  });

  test('two failures in a row: the second answer reaches the client, no third try', async () => {
    const from = mock.requests.length;
    mock.failNext({ status: 503 }, 2);
    await assert.rejects(ask(), { status: 503 });
    assert.equal(used(from).length, 2);
  });

  test('a key answering 429 is rested: the next calls go to the other key', async () => {
    const from = mock.requests.length;
    mock.failNext({ status: 429, headers: { 'retry-after': '60' } });
    await ask();
    const [throttled, retried] = used(from);
    assert.notEqual(throttled, retried);
    const after = mock.requests.length;
    await ask();
    await ask();
    assert.deepEqual(used(after), [retried, retried], 'the throttled key rests');
  });

  test('never retried once bytes reached the client', async () => {
    const from = mock.requests.length;
    mock.failNext({ dropAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'one two three four' }] });
    await assert.rejects(async () => {
      for await (const _ of stream);
    });
    assert.equal(used(from).length, 1);
  });
});

test('Gemini: a key reported invalid in a 400 body (API_KEY_INVALID) rests like a 401 one', async () => {
  const mock = await startMock('gemini');
  const database = sqliteDatabase();
  const keys = ['AIza-first-0001', 'AIza-second-0002'];
  writeFileSync(join(database.dir, 'tollgate.json'), JSON.stringify({ providers: { gemini: { base_url: mock.url, api_keys: keys } } }));
  const gw = await startGateway({ CATALOG_DIR: FIXTURES }, database);
  try {
    const { key } = await gw.newKey();
    const ask = () =>
      fetch(`${gw.url}/google/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
    const usedKey = (i: number) => String(mock.requests[i]!.headers['x-goog-api-key']);
    mock.failNext({
      status: 400,
      errorBody: { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }] } },
    });
    const refused = await ask();
    assert.equal(refused.status, 400);
    const text = await refused.text();
    assert.ok(!keys.some((k) => text.includes(k)));
    const rejected = usedKey(0);
    for (let i = 0; i < 3; i++) assert.equal((await ask()).status, 200);
    assert.deepEqual([1, 2, 3].map(usedKey), Array(3).fill(keys.find((k) => k !== rejected)));
  } finally {
    await gw.close();
    await mock.close();
    await database.drop();
  }
});
