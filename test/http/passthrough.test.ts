import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { containsUpstreamSecret, startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';
import { ADMIN_TOKEN } from '../helpers/gateway.js';

const chat = (content = 'hi') => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] });

describe('native passthrough over raw HTTP', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ MAX_BODY_BYTES: '65536' });
  });
  after(() => stack.close());

  const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(stack.gw.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body as BodyInit });

  test('the key is accepted as Bearer, x-api-key and x-goog-api-key on every surface, and as ?key= on Google only', async () => {
    const variants: Array<[string, Record<string, string>, string]> = [
      ['bearer', { authorization: `Bearer ${stack.key}` }, ''],
      ['x-api-key', { 'x-api-key': stack.key }, ''],
      ['x-goog-api-key', { 'x-goog-api-key': stack.key }, ''],
      ['query', {}, `?key=${encodeURIComponent(stack.key)}`],
    ];
    for (const [name, headers, query] of variants) {
      // A key in the query ends up in access logs and proxies' histories: only Google's SDKs send it there.
      const headerOnly = name === 'query' ? 401 : 200;
      const openai = await post(`/openai/v1/chat/completions${query}`, chat(), headers);
      assert.equal(openai.status, headerOnly, `openai via ${name}`);
      await openai.text();
      const anthropic = await post(`/anthropic/v1/messages${query}`, JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), {
        'anthropic-version': '2023-06-01',
        ...headers,
      });
      assert.equal(anthropic.status, headerOnly, `anthropic via ${name}`);
      await anthropic.text();
      const gemini = await post(`/google/v1beta/models/gemini-2.5-flash:generateContent${query}`, JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }), headers);
      assert.equal(gemini.status, 200, `gemini via ${name}`);
      await gemini.text();
      assert.ok(!stack.gemini.lastRequest()!.url.includes('key='), 'the client key is removed from the query');
    }
  });

  test('missing, unknown, revoked and expired keys get 401 in each surface shape', async () => {
    const openai = await post('/openai/v1/chat/completions', chat());
    assert.equal(openai.status, 401);
    const body = await openai.json();
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.code, 'invalid_api_key');

    const anthropic = await post('/anthropic/v1/messages', '{}', { 'x-api-key': 'tg-unknown' });
    assert.equal(anthropic.status, 401);
    assert.deepEqual(await anthropic.json(), { type: 'error', error: { type: 'authentication_error', message: 'Invalid API key.' } });

    const gemini = await post('/google/v1beta/models/gemini-2.5-flash:generateContent?key=nope', '{}');
    assert.equal(gemini.status, 401);
    assert.deepEqual(await gemini.json(), { error: { code: 401, message: 'Invalid API key.', status: 'UNAUTHENTICATED' } });

    const revoked = await stack.gw.newKey();
    assert.equal((await post('/openai/v1/chat/completions', chat(), { authorization: `Bearer ${revoked.key}` })).status, 200);
    await stack.gw.admin('DELETE', `/admin/keys/${revoked.keyId}`);
    const afterRevoke = await post('/openai/v1/chat/completions', chat(), { authorization: `Bearer ${revoked.key}` });
    assert.equal(afterRevoke.status, 401);
    assert.match((await afterRevoke.json()).error.message, /revoked/);

    const expired = await stack.gw.newKey({ key: { expires_at: new Date(Date.now() - 1000).toISOString() } });
    const expiredRes = await post('/openai/v1/chat/completions', chat(), { authorization: `Bearer ${expired.key}` });
    assert.equal(expiredRes.status, 401);
    assert.match((await expiredRes.json()).error.message, /expired/);
  });

  test('a key revoked by another node (straight in the store) stops working within a second', async () => {
    const other = await stack.gw.newKey();
    const auth = { authorization: `Bearer ${other.key}` };
    assert.equal((await post('/openai/v1/chat/completions', chat(), auth)).status, 200);
    await stack.gw.app.store.db.kysely.updateTable('api_keys').set({ status: 'revoked' }).where('id', '=', other.keyId).execute();
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 2000) {
      status = (await post('/openai/v1/chat/completions', chat(), auth)).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - revokedAt <= 1100, `took ${Date.now() - revokedAt} ms`);
  });

  test('provider headers pass, client credentials and hop-by-hop headers do not', async () => {
    const res = await post('/openai/v1/chat/completions?api-version=2&key=' + stack.key + '&x=1', chat(), {
      'openai-organization': 'org-123',
      'openai-project': 'proj-9',
      'openai-beta': 'assistants=v2',
      cookie: 'session=abc',
      'x-forwarded-for': '10.1.2.3',
      'proxy-authorization': 'Basic Zm9v',
      'x-api-key': stack.key,
    });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-request-id')?.startsWith('req_mock'));
    assert.ok(res.headers.get('x-ratelimit-remaining-requests'));
    assert.equal(res.headers.get('openai-organization'), null);
    await res.text();
    const req = stack.openai.lastRequest()!;
    assert.equal(req.url, '/v1/chat/completions?api-version=2&x=1');
    assert.equal(req.headers['openai-beta'], 'assistants=v2');
    // The upstream account is the operator's (test/http/upstream-headers.test.ts).
    for (const dropped of ['openai-organization', 'openai-project', 'cookie', 'x-forwarded-for', 'proxy-authorization', 'x-api-key', 'x-goog-api-key']) {
      assert.equal(req.headers[dropped], undefined, `${dropped} is not forwarded`);
    }
    assert.equal(req.headers['authorization'], `Bearer ${UPSTREAM_KEYS.openai}`);
    assert.equal(req.body.toString(), chat(), 'body forwarded byte for byte');
  });

  test('an upstream error that echoes the upstream key is scrubbed', async () => {
    stack.openai.failNext({
      status: 401,
      errorBody: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEYS.openai}. Also sk-up***********0001.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    });
    const res = await post('/openai/v1/chat/completions', chat(), { authorization: `Bearer ${stack.key}` });
    assert.equal(res.status, 401);
    const text = await res.text();
    assert.ok(!containsUpstreamSecret(text), text);
    assert.match(text, /\[redacted\]/);
    assert.equal(JSON.parse(text).error.code, 'invalid_api_key');
  });

  test('bodies over the limit get 413 in shape and never reach the upstream', async () => {
    const before = stack.openai.requests.length;
    const big = new Uint8Array(70_000).fill(97);
    const declared = await post('/openai/v1/chat/completions', big, { authorization: `Bearer ${stack.key}` });
    assert.equal(declared.status, 413);
    assert.equal((await declared.json()).error.code, 'request_too_large');

    const anthropic = await post('/anthropic/v1/messages', big, { 'x-api-key': stack.key });
    assert.equal(anthropic.status, 413);
    assert.equal((await anthropic.json()).error.type, 'request_too_large');

    // Streamed without a length (chunked multipart): refused once it grows past the limit.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(10_000));
        controller.close();
      },
    });
    const res = await fetch(`${stack.gw.url}/openai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, 'request_too_large');
    assert.ok(stack.openai.requests.slice(before).every((r) => r.body.length < 65_536), 'no oversize body reached the upstream');
  });

  test('malformed JSON is forwarded for the upstream to judge, and the gateway stays up', async () => {
    const res = await post('/openai/v1/chat/completions', '{"model": "gpt-4o", "messages": [', { authorization: `Bearer ${stack.key}` });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal((await fetch(`${stack.gw.url}/health`)).status, 200);
  });

  test('Gemini JSON-array stream (no alt) relays incrementally and parses whole', async () => {
    const res = await post('/google/v1beta/models/gemini-2.5-flash:streamGenerateContent', JSON.stringify({ contents: [{ parts: [{ text: 'array mode' }] }] }), {
      'x-goog-api-key': stack.key,
    });
    assert.equal(res.status, 200);
    const records = JSON.parse(await res.text()) as Array<{ candidates?: unknown[] }>;
    assert.ok(Array.isArray(records) && records.length >= 3);
  });

  test('streams are relayed as they arrive, not buffered', async () => {
    stack.openai.failNext({ chunkDelayMs: 150 });
    const started = Date.now();
    const res = await post('/openai/v1/chat/completions', JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'one two three four five' }] }), {
      authorization: `Bearer ${stack.key}`,
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    assert.ok(first.value && first.value.length > 0);
    while (!(await reader.read()).done) {
      // drain
    }
    const total = Date.now() - started;
    assert.ok(total >= 600, `stream took ${total} ms`);
    assert.ok(firstAt < total / 2, `first chunk at ${firstAt} ms of ${total} ms`);
  });

  test('history rows are written off the hot path with model, status and latency', async () => {
    const { key, keyId } = await stack.gw.newKey();
    await (await post('/openai/v1/chat/completions', chat(), { authorization: `Bearer ${key}` })).text();
    await (await post('/google/v1beta/models/gemini-2.5-pro:generateContent', JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }), { 'x-goog-api-key': key })).text();
    stack.anthropic.failNext({ status: 500 });
    await (await post('/anthropic/v1/messages', JSON.stringify({ model: 'claude-opus-4-1', max_tokens: 5, messages: [] }), { 'x-api-key': key, 'anthropic-version': '2023-06-01' })).text();
    await stack.gw.app.flush();
    const rows = await stack.gw.app.store.db.kysely.selectFrom('requests').selectAll().where('key_id', '=', keyId).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.provider, r.model, r.status, r.surface]),
      [
        ['openai', 'gpt-4o', 200, 'openai'],
        ['gemini', 'gemini-2.5-pro', 200, 'gemini'],
        ['anthropic', 'claude-opus-4-1', 500, 'anthropic'],
      ],
    );
    assert.ok(rows.every((r) => r.latency_ms >= 0 && r.latency_ms < 5000));
    assert.equal(rows[2]?.error, 'upstream_500');
    const keyRow = await stack.gw.app.store.db.kysely.selectFrom('api_keys').select('last_used_at').where('id', '=', keyId).executeTakeFirstOrThrow();
    assert.ok(keyRow.last_used_at && keyRow.last_used_at > Date.now() - 10_000);
  });

  test('no secret ever reaches the logs', async () => {
    stack.openai.failNext({ status: 500 });
    await (await post('/openai/v1/chat/completions?key=' + stack.key, chat())).text();
    await stack.gw.admin('GET', '/admin/users?email=nobody@example.com');
    const logs = stack.gw.logs.join('');
    assert.ok(!logs.includes(stack.key));
    assert.ok(!containsUpstreamSecret(logs));
    assert.ok(!logs.includes(ADMIN_TOKEN));
  });
});
