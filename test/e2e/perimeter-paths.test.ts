import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from '../helpers/raw-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const OPENAI_CHAT = JSON.stringify({ model: 'gpt-4o-mini', max_completion_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
const ANTHROPIC_MESSAGE = JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
const GEMINI_CONTENT = JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 20 } });

/** Paths a raw client may write for a billed endpoint, and the endpoint the upstream must see. */
const SPELLINGS: Array<{ path: string; body: string; upstream: keyof Pick<Stack, 'openai' | 'anthropic' | 'gemini'>; canonical: string }> = [
  ...['/openai/v1/./chat/completions', '/openai/v1/chat/completions/', '/openai/v1/x/../chat/completions', '/openai/v1/%2e/chat/completions', '/openai/v1//chat/completions', '/openai/v1/%63hat/completions'].map(
    (path) => ({ path, body: OPENAI_CHAT, upstream: 'openai' as const, canonical: '/v1/chat/completions' }),
  ),
  ...['/anthropic/v1/./messages', '/anthropic/v1/messages/'].map((path) => ({ path, body: ANTHROPIC_MESSAGE, upstream: 'anthropic' as const, canonical: '/v1/messages' })),
  ...['/google/v1beta/models/gemini-2.5-flash:generateContent/', '/google/v1beta/models/gemini-2.5-flash%3AgenerateContent'].map((path) => ({
    path,
    body: GEMINI_CONTENT,
    upstream: 'gemini' as const,
    canonical: '/v1beta/models/gemini-2.5-flash:generateContent',
  })),
];

describe('the path a client writes is the path that is billed', () => {
  let stack: Stack;
  let poor: string;
  let funded: { userId: string; key: string };
  before(async () => {
    stack = await startStack();
    poor = (await stack.gw.newKey({ credit: '0' })).key;
    funded = await stack.gw.newKey({ credit: '100' });
  });
  after(() => stack.close());

  const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' });
  const forwarded = () => stack.openai.requests.length + stack.anthropic.requests.length + stack.gemini.requests.length;
  const charges = async (userId: string) =>
    (await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').select('id').where('user_id', '=', userId).where('kind', '=', 'charge').execute()).length;

  test('every spelling of a billed endpoint is admitted like the plain one: 402 without money, nothing forwarded', async () => {
    for (const { path, body } of SPELLINGS) {
      const before = forwarded();
      const res = await rawRequest(stack.gw.url, 'POST', path, headers(poor), body);
      assert.equal(res.status, 402, `${path}: ${res.body}`);
      assert.equal(forwarded(), before, `${path} reached no upstream`);
    }
  });

  test('with money, each spelling is forwarded as its canonical path and charged', async () => {
    for (const { path, body, upstream, canonical } of SPELLINGS) {
      const before = await charges(funded.userId);
      const res = await rawRequest(stack.gw.url, 'POST', path, headers(funded.key), body);
      assert.equal(res.status, 200, `${path}: ${res.body}`);
      assert.equal(new URL(stack[upstream].lastRequest()!.url, 'http://x').pathname, canonical, `${path} went up as ${canonical}`);
      await stack.gw.app.billing.idle();
      assert.equal(await charges(funded.userId), before + 1, `${path} was charged`);
    }
  });

  test('".." never climbs out of the mount: 400 in the surface shape, nothing forwarded', async () => {
    const cases: Array<[string, (body: any) => boolean]> = [
      ['/openai/v1/../../anthropic/v1/models', (b) => b.error?.type === 'invalid_request_error'],
      ['/openai/v1/../../../etc/passwd', (b) => b.error?.type === 'invalid_request_error'],
      ['/openai/v1/%2e%2e/%2e%2e/admin/users', (b) => b.error?.type === 'invalid_request_error'],
      ['/openai/v1/models/..%2f..%2fx', (b) => b.error?.type === 'invalid_request_error'],
      ['/anthropic/v1/../../openai/v1/models', (b) => b.type === 'error' && b.error?.type === 'invalid_request_error'],
      ['/google/v1beta/models/../../../x', (b) => b.error?.status === 'INVALID_ARGUMENT'],
    ];
    for (const [path, shaped] of cases) {
      for (const method of ['GET', 'POST']) {
        const before = forwarded();
        const res = await rawRequest(stack.gw.url, method, path, headers(funded.key), method === 'POST' ? OPENAI_CHAT : undefined);
        assert.equal(res.status, 400, `${method} ${path}: ${res.body}`);
        assert.ok(shaped(JSON.parse(res.body)), `${path} answers in its surface's shape: ${res.body}`);
        assert.equal(forwarded(), before, `${method} ${path} reached no upstream`);
      }
    }
  });

  test('the Gemini model is the one of the canonical path: the key allow-list and history see what runs', async () => {
    const { key, keyId } = await stack.gw.newKey({ key: { models: ['gemini-2.5-flash-lite'] } });
    const before = forwarded();
    const sneaky = await rawRequest(stack.gw.url, 'POST', '/google/v1beta/models/gemini-2.5-flash-lite/../gemini-2.5-pro:generateContent', { 'x-goog-api-key': key, 'content-type': 'application/json' }, GEMINI_CONTENT);
    assert.equal(sneaky.status, 403, sneaky.body);
    assert.equal(forwarded(), before, 'nothing forwarded');
    const allowed = await rawRequest(stack.gw.url, 'POST', '/google/v1beta/models/./gemini-2.5-flash-lite:generateContent', { 'x-goog-api-key': key, 'content-type': 'application/json' }, GEMINI_CONTENT);
    assert.equal(allowed.status, 200, allowed.body);
    assert.equal(new URL(stack.gemini.lastRequest()!.url, 'http://x').pathname, '/v1beta/models/gemini-2.5-flash-lite:generateContent');
    await stack.gw.app.flush();
    const rows = await stack.gw.app.store.requests.list({ keyId }, 10);
    assert.deepEqual(rows.map((r) => [r.status, r.model]), [[200, 'gemini-2.5-flash-lite'], [403, 'gemini-2.5-pro']]);
  });

  test('endpoints the meter does not know are not forwarded; free ones are', async () => {
    const refused: Array<[string, string, string | undefined]> = [
      ['POST', '/openai/v1/files', '{}'],
      ['GET', '/openai/v1/files', undefined],
      ['GET', '/openai/v1/chat/completions', undefined], // stored completions of every customer
      ['POST', '/openai/v1/Chat/Completions', OPENAI_CHAT],
      ['POST', '/openai/v1/chat/completions;v=1', OPENAI_CHAT],
      ['GET', '/openai/v1', undefined],
      ['DELETE', '/openai/v1/models/ft:gpt-4o-mini:org::x', undefined],
      ['POST', '/anthropic/v1/files', '{}'],
      ['GET', '/anthropic/v1/organizations/me', undefined],
      ['GET', '/google/v1beta/files', undefined],
      ['POST', '/google/v1beta/tunedModels/x:generateContent', GEMINI_CONTENT],
    ];
    for (const [method, path, body] of refused) {
      const before = forwarded();
      const res = await rawRequest(stack.gw.url, method, path, headers(funded.key), body);
      assert.equal(res.status, 404, `${method} ${path}: ${res.body}`);
      assert.match(res.body, /not served by this gateway/);
      assert.equal(forwarded(), before, `${method} ${path} reached no upstream`);
    }
    const free: Array<[string, string, string | undefined, keyof Pick<Stack, 'openai' | 'anthropic' | 'gemini'>]> = [
      ['GET', '/openai/v1/models', undefined, 'openai'],
      ['POST', '/anthropic/v1/messages/count_tokens', ANTHROPIC_MESSAGE, 'anthropic'],
      ['POST', '/google/v1beta/models/gemini-2.5-flash:countTokens', GEMINI_CONTENT, 'gemini'],
    ];
    for (const [method, path, body, upstream] of free) {
      const res = await rawRequest(stack.gw.url, method, path, headers(poor), body);
      assert.equal(res.status, 200, `${method} ${path} is free: ${res.body}`);
      assert.equal(new URL(stack[upstream].lastRequest()!.url, 'http://x').pathname, path.replace(/^\/(openai|anthropic|google)/, ''));
    }
  });

  test('with unpriced calls allowed by the operator, an unknown endpoint is forwarded unmetered', async () => {
    await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: true });
    try {
      const res = await rawRequest(stack.gw.url, 'GET', '/openai/v1/files', headers(poor));
      assert.equal(res.status, 404, 'the mock has no files endpoint: its own 404');
      assert.equal(new URL(stack.openai.lastRequest()!.url, 'http://x').pathname, '/v1/files');
    } finally {
      await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: false });
    }
  });

  test('a metered body that is not well-formed JSON is a 400 in the surface shape, before any model is looked up', async () => {
    const truncated = '{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"';
    const cases: Array<[string, (b: any) => boolean]> = [
      ['/anthropic/v1/messages', (b) => b.type === 'error' && b.error.type === 'invalid_request_error'],
      ['/openai/v1/chat/completions', (b) => b.error.type === 'invalid_request_error'],
      ['/google/v1beta/models/gemini-2.5-flash:generateContent', (b) => b.error.status === 'INVALID_ARGUMENT'],
    ];
    for (const [path, shaped] of cases) {
      const before = forwarded();
      const res = await rawRequest(stack.gw.url, 'POST', path, { ...headers(funded.key), 'x-goog-api-key': funded.key }, truncated);
      assert.equal(res.status, 400, `${path}: ${res.body}`);
      assert.match(res.body, /not valid JSON/);
      assert.doesNotMatch(res.body, /catalog|gpt-4o/, 'the model is never looked up');
      assert.ok(shaped(JSON.parse(res.body)), res.body);
      assert.equal(forwarded(), before);
    }
  });

  test('a key in the query string is accepted on the Google surface only', async () => {
    const query = `?key=${encodeURIComponent(funded.key)}`;
    assert.equal((await rawRequest(stack.gw.url, 'GET', `/google/v1beta/models${query}`)).status, 200);
    for (const path of ['/openai/v1/models', '/v1/models', '/v1/balance', '/proxyapi/balance']) {
      assert.equal((await rawRequest(stack.gw.url, 'GET', `${path}${query}`)).status, 401, path);
    }
  });
});
