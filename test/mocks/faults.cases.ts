// Fault injection across the three mocks (imported by mocks.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startMock, type MockUpstream } from './index.js';

const user = (content: string) => [{ role: 'user' as const, content }];

describe('faults: openai', () => {
  let mock: MockUpstream;
  let client: OpenAI;
  const chatStream = () => client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: user('one two three') });
  before(async () => {
    mock = await startMock('openai');
    client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(() => mock.close());

  test('status fault: provider error shape, extra headers, SDK retry then success', async () => {
    mock.reset();
    mock.failNext({ status: 429, headers: { 'retry-after-ms': '5' } });
    const retrying = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 2 });
    const r = await retrying.chat.completions.create({ model: 'gpt-4o', messages: user('hi') });
    assert.equal(r.choices[0]?.message.content, 'Echo: hi');
    assert.equal(mock.requests.length, 2);
    mock.failNext({ status: 500 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: user('hi') }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.InternalServerError);
      assert.equal(e.status, 500);
      assert.deepEqual(e.error, { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: 'server_error' });
      assert.match(e.requestID ?? '', /^req_mock/);
      return true;
    });
    mock.failNext({ status: 400, errorBody: { error: { message: 'custom', type: 'invalid_request_error', param: 'x', code: 'c' } } });
    const raw = await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer k' } });
    assert.equal(raw.status, 400);
    assert.deepEqual(await raw.json(), { error: { message: 'custom', type: 'invalid_request_error', param: 'x', code: 'c' } });
  });

  test('failNext count, setFault persistence, reset; stream options ignored for non-stream', async () => {
    mock.reset();
    mock.failNext({ status: 503 }, 2);
    for (const want of [503, 503, 200]) assert.equal((await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer k' } })).status, want);
    mock.setFault({ status: 502 });
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer k' } })).status, 502);
    mock.reset();
    assert.equal(mock.requests.length, 0);
    mock.setFault({ dropAfterChunks: 0, errorEventAfterChunks: 0, stallAfterChunks: 0 });
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: user('fine') });
    assert.equal(r.choices[0]?.message.content, 'Echo: fine');
    mock.setFault(undefined);
  });

  test('dropAfterChunks: SDK stream throws after N chunks', async () => {
    mock.failNext({ dropAfterChunks: 2 });
    const got: unknown[] = [];
    await assert.rejects(async () => {
      for await (const c of await chatStream()) got.push(c);
    });
    assert.equal(got.length, 2);
  });

  test('errorEventAfterChunks: chat stream throws APIError; responses emits error + response.failed', async () => {
    mock.failNext({ errorEventAfterChunks: 3 });
    const got: unknown[] = [];
    await assert.rejects(async () => {
      for await (const c of await chatStream()) got.push(c);
    }, (e: unknown) => e instanceof OpenAI.APIError && /server had an error/.test(e.message));
    assert.equal(got.length, 3);
    mock.failNext({ errorEventAfterChunks: 2 });
    const types: string[] = [];
    for await (const e of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true })) types.push(e.type);
    assert.deepEqual(types, ['response.created', 'response.in_progress', 'error', 'response.failed']);
  });

  test('hang: abort and timeout', async () => {
    mock.failNext({ hang: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(client.models.list({ signal: ac.signal }), OpenAI.APIUserAbortError);
    mock.failNext({ hang: true });
    await assert.rejects(client.models.list({ timeout: 100 }), OpenAI.APIConnectionTimeoutError);
  });

  test('delayHeadersMs and chunkDelayMs', async () => {
    mock.failNext({ delayHeadersMs: 150 });
    let t = Date.now();
    await client.models.list();
    assert.ok(Date.now() - t >= 140);
    mock.failNext({ chunkDelayMs: 25 });
    t = Date.now();
    let n = 0;
    for await (const _ of await chatStream()) n++;
    assert.equal(n, 7); // role + 5 deltas + finish
    assert.ok(Date.now() - t >= 25 * 7 - 10); // 8 events incl. [DONE] → 7 gaps
  });

  test('stallAfterChunks: socket stays open, no more data', async () => {
    mock.failNext({ stallAfterChunks: 2 });
    const ac = new AbortController();
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST', signal: ac.signal, headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: user('x') }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while ((text.match(/^data:/gm) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('idle'), 250))]);
    assert.equal(next, 'idle');
    assert.equal((text.match(/^data:/gm) ?? []).length, 2);
    ac.abort();
    await reader.read().catch(() => undefined);
  });
});

test('close() destroys hanging and stalled sockets; invalid JSON → 400 in provider shape', async () => {
  const mock = await startMock('openai');
  const bad = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{nope' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  mock.failNext({ hang: true });
  mock.failNext({ stallAfterChunks: 1 });
  const hung = fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer k' } });
  const stalled = await fetch(`${mock.url}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ model: 'm', stream: true, messages: user('x') }),
  });
  await new Promise((r) => setTimeout(r, 50));
  const t = Date.now();
  await mock.close();
  assert.ok(Date.now() - t < 1000);
  await assert.rejects(hung);
  await assert.rejects(stalled.text());
});

describe('faults: anthropic', () => {
  let mock: MockUpstream;
  let client: Anthropic;
  const params = { model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: user('hello') };
  before(async () => {
    mock = await startMock('anthropic');
    client = new Anthropic({ baseURL: mock.url, apiKey: 'x', maxRetries: 0 });
  });
  after(() => mock.close());

  test('529 → overloaded_error, 429 → rate_limit_error with retry-after', async () => {
    mock.failNext({ status: 529 });
    await assert.rejects(client.messages.create(params), (e: unknown) =>
      e instanceof Anthropic.APIError && e.status === 529 && (e.error as { error: { type: string } }).error.type === 'overloaded_error');
    mock.failNext({ status: 429, headers: { 'retry-after': '7' } });
    await assert.rejects(client.messages.create(params), (e: unknown) =>
      e instanceof Anthropic.RateLimitError && e.headers?.get('retry-after') === '7'
      && (e.error as { type: string; error: { type: string } }).type === 'error');
  });

  test('errorEventAfterChunks and dropAfterChunks make the stream reject', async () => {
    mock.failNext({ errorEventAfterChunks: 4 });
    await assert.rejects(client.messages.stream(params).finalMessage(), (e: unknown) =>
      e instanceof Anthropic.APIError && /overloaded_error|Overloaded/.test(e.message));
    mock.failNext({ dropAfterChunks: 3 });
    await assert.rejects(client.messages.stream(params).finalMessage());
  });
});

describe('faults: gemini', () => {
  let mock: MockUpstream;
  let ai: GoogleGenAI;
  const stream = async (): Promise<string[]> => {
    const out: string[] = [];
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'a b c' })) out.push(c.text ?? '');
    return out;
  };
  before(async () => {
    mock = await startMock('gemini');
    ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url } });
  });
  after(() => mock.close());

  test('429 → RESOURCE_EXHAUSTED ApiError', async () => {
    mock.failNext({ status: 429 });
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }), (e: unknown) =>
      e instanceof ApiError && e.status === 429 && e.message.includes('RESOURCE_EXHAUSTED') && e.message.includes('RetryInfo'));
  });

  test('mid-stream error event and drop make the SDK throw', async () => {
    mock.failNext({ errorEventAfterChunks: 2 });
    await assert.rejects(stream(), (e: unknown) => e instanceof ApiError && e.status === 503);
    mock.failNext({ dropAfterChunks: 1 });
    await assert.rejects(stream());
  });

  test('JSON-array mode error record', async () => {
    const post = async (): Promise<unknown> => (await fetch(`${mock.url}/v1beta/models/m:streamGenerateContent?key=k`, {
      method: 'POST', body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    })).json();
    mock.failNext({ errorEventAfterChunks: 0 });
    assert.deepEqual(await post(), [{ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }]);
    mock.failNext({ errorEventAfterChunks: 2 });
    const arr = (await post()) as Array<Record<string, unknown>>;
    assert.equal(arr.length, 3);
    assert.ok(arr[2]?.error);
  });
});
