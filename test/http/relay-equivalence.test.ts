import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletion, startScriptedUpstream, type ScriptedRequest, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

/**
 * What the relay pipeline (issue #10) promised to keep as the passthrough relay had it (7f8796b): this
 * file passes on both. One scripted upstream stands in for OpenAI (two keys), Anthropic and Gemini.
 */
const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const OPENAI_KEYS = ['sk-equiv-openai-first-0001', 'sk-equiv-openai-second-0002'];
const ANTHROPIC_KEY = 'sk-ant-equiv-SECRET-0003';
const CLAUDE = 'claude-sonnet-4-20250514';
const GEMINI = 'gemini-2.5-flash';

const anthropicMessage = JSON.stringify({
  id: 'msg_equiv',
  type: 'message',
  role: 'assistant',
  model: CLAUDE,
  content: [{ type: 'text', text: 'from claude' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 5, output_tokens: 3 },
});
const anthropicEvents = [
  ['message_start', { type: 'message_start', message: { id: 'msg_s', type: 'message', role: 'assistant', model: CLAUDE, content: [], usage: { input_tokens: 5, output_tokens: 1 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'streamed' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }],
  ['message_stop', { type: 'message_stop' }],
] as const;
const anthropicStream = anthropicEvents.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
const geminiChunk = `data: ${JSON.stringify({
  candidates: [{ content: { role: 'model', parts: [{ text: 'from gemini' }] }, finishReason: 'STOP' }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
  modelVersion: GEMINI,
})}\r\n\r\n`;
const openAIChunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

type Handler = (req: ScriptedRequest, res: ServerResponse) => void;

/** Answers as each provider would when the test set no handler of its own. */
const defaultAnswer: Handler = (req, res) => {
  if (req.url.startsWith('/v1/messages')) {
    const stream = req.json().stream === true;
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json', 'request-id': 'req_ant_1' });
    res.end(stream ? anthropicStream : anthropicMessage);
  } else if (req.url.startsWith('/v1beta/')) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(geminiChunk);
  } else {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_oa_1' });
    res.end(chatCompletion('gpt-4o-2024-08-06', { prompt_tokens: 5, completion_tokens: 3 }, 'from openai'));
  }
};

describe('the relay keeps the passthrough relay\'s behaviour', () => {
  let upstream: ScriptedUpstream;
  let database: TestDatabase;
  let gw: TestGateway;
  before(async () => {
    upstream = await startScriptedUpstream(defaultAnswer);
    database = sqliteDatabase();
    const providers = {
      openai: { base_url: upstream.url, api_keys: OPENAI_KEYS },
      anthropic: { base_url: upstream.url, api_keys: [ANTHROPIC_KEY] },
      gemini: { base_url: upstream.url, api_keys: ['AIza-equiv-gemini-0004'] },
    };
    writeFileSync(join(database.dir, 'tollgate.json'), JSON.stringify({ providers }));
    gw = await startGateway({ CATALOG_DIR: FIXTURES, FAILOVER_TIMEOUT_MS: '2000' }, database);
  });
  after(async () => {
    gw.app.http.server.closeAllConnections();
    await gw.close();
    await upstream.close();
    await database.drop();
  });
  const answer = (handler: Handler) => upstream.answer(handler);
  const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const rows = async (keyId: string) => {
    await gw.app.flush();
    return gw.app.store.db.kysely.selectFrom('requests').selectAll().where('key_id', '=', keyId).orderBy('created_at').orderBy('id').execute();
  };
  const charged = async (keyId: string) => {
    await gw.app.billing.idle();
    const entries = await gw.app.store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('key_id', '=', keyId).where('kind', '=', 'charge').execute();
    return entries.reduce((sum, e) => sum - e.amount_micro, 0);
  };
  const chat = (extra: Record<string, unknown> = {}) => ({ max_tokens: 20, messages: [{ role: 'user', content: 'hello there' }], ...extra });

  test('an OpenAI error under a chat bridge (/v1/completions on gpt-4o) reaches the client as the provider sent it', async () => {
    const { key, keyId } = await gw.newKey();
    const error = '{"error":{"message":"bad prompt","type":"invalid_request_error","param":null,"code":"bad"}}';
    answer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': 'req_oa_err', 'x-ratelimit-remaining-requests': '9', 'set-cookie': 'a=b' });
      res.end(error);
    });
    const res = await post('/v1/completions', key, { model: 'gpt-4o', prompt: 'hi', max_tokens: 5 });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), error);
    assert.equal(res.headers.get('x-request-id'), 'req_oa_err');
    assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '9');
    assert.equal(res.headers.get('set-cookie'), null);
    const [row] = await rows(keyId);
    assert.deepEqual([row!.path, row!.status, row!.error, row!.upstream_request_id], ['/v1/chat/completions', 400, 'upstream_400', 'req_oa_err']);
  });

  test('an Anthropic error on /v1 is reshaped for OpenAI clients and keeps only the retry and id headers; natively it is scrubbed, not reshaped', async () => {
    const { key, keyId } = await gw.newKey();
    const body = { type: 'error', error: { type: 'rate_limit_error', message: `slow down, key ${ANTHROPIC_KEY}` } };
    answer((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3', 'request-id': 'req_ant_429', 'anthropic-ratelimit-requests-remaining': '0' });
      res.end(JSON.stringify(body));
    });
    const unified = await post('/v1/chat/completions', key, { model: `anthropic/${CLAUDE}`, ...chat() });
    assert.equal(unified.status, 429);
    const mapped = await unified.json();
    assert.equal(typeof mapped.error.message, 'string');
    assert.ok(!JSON.stringify(mapped).includes(ANTHROPIC_KEY));
    assert.equal(unified.headers.get('retry-after'), '3');
    assert.equal(unified.headers.get('request-id'), 'req_ant_429');
    assert.equal(unified.headers.get('anthropic-ratelimit-requests-remaining'), null);

    const native = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: CLAUDE, ...chat() }),
    });
    assert.equal(native.status, 429);
    assert.deepEqual(await native.json(), { ...body, error: { ...body.error, message: 'slow down, key [redacted]' } });
    assert.equal(native.headers.get('anthropic-ratelimit-requests-remaining'), '0');
    const history = await rows(keyId);
    assert.deepEqual(history.map((r) => [r.surface, r.path, r.status, r.error]), [
      ['openai', '/v1/messages', 429, 'upstream_429'],
      ['anthropic', '/v1/messages', 429, 'upstream_429'],
    ]);
  });

  test('headers sent upstream: OpenAI-dialect /v1 calls carry the client\'s (filtered, JSON typed); Anthropic and Gemini exactly the gateway\'s', async () => {
    const { key } = await gw.newKey();
    answer(defaultAnswer);
    const from = upstream.requests.length;
    const extra = { 'x-trace-id': 'trace-7', 'anthropic-beta': 'tools-2024', 'content-type': 'text/plain' };
    for (const model of ['openai/gpt-4o', `anthropic/${CLAUDE}`, `gemini/${GEMINI}`]) {
      const res = await post('/v1/chat/completions', key, { model, ...chat({ stream: model.startsWith('gemini') }) }, extra);
      assert.equal(res.status, 200, model);
      await res.text();
    }
    const [openai, anthropic, gemini] = upstream.requests.slice(from);
    assert.equal(openai!.headers['x-trace-id'], 'trace-7');
    assert.equal(openai!.headers['anthropic-beta'], 'tools-2024');
    assert.equal(openai!.headers['content-type'], 'application/json');
    assert.match(String(openai!.headers['authorization']), /^Bearer sk-equiv-openai-/);
    assert.equal(openai!.json().model, 'gpt-4o');
    for (const r of [anthropic!, gemini!]) {
      assert.equal(r.headers['x-trace-id'], undefined);
      assert.equal(r.headers['anthropic-beta'], undefined);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['authorization'], undefined);
    }
    assert.equal(anthropic!.headers['anthropic-version'], '2023-06-01');
    assert.equal(anthropic!.headers['x-api-key'], ANTHROPIC_KEY);
    assert.equal(gemini!.url, `/v1beta/models/${GEMINI}:streamGenerateContent?alt=sse`);
  });

  test('history rows of /v1 calls name the upstream call: path, method, model, stream', async () => {
    const { key, keyId } = await gw.newKey();
    answer(defaultAnswer);
    for (const [model, stream] of [['openai/gpt-4o', true], [`anthropic/${CLAUDE}`, true], [`anthropic/${CLAUDE}`, false], [`gemini/${GEMINI}`, true]] as const) {
      const res = await post('/v1/chat/completions', key, { model, ...chat({ stream }) });
      assert.equal(res.status, 200);
      await res.text();
    }
    const history = await rows(keyId);
    assert.deepEqual(
      history.map((r) => [r.provider, r.method, r.path, r.model, r.stream, r.status, r.error]),
      [
        ['openai', 'POST', '/v1/chat/completions', 'gpt-4o', 0, 200, null], // the scripted answer is JSON
        ['anthropic', 'POST', '/v1/messages', CLAUDE, 1, 200, null],
        ['anthropic', 'POST', '/v1/messages', CLAUDE, 0, 200, null],
        ['gemini', 'POST', `/v1beta/models/${GEMINI}:streamGenerateContent`, GEMINI, 1, 200, null],
      ],
    );
    assert.ok(history.every((r) => r.surface === 'openai' && (r.cost_micro ?? 0) > 0));
  });

  test('a client gone while the provider has not answered: 499, nothing charged, the upstream request cancelled', async () => {
    const { key, keyId } = await gw.newKey();
    let received!: () => void;
    const got = new Promise<void>((resolve) => (received = resolve));
    let closed!: () => void;
    const cancelled = new Promise<void>((resolve) => (closed = resolve));
    answer((_req, res) => {
      res.on('close', () => closed());
      received();
    });
    const controller = new AbortController();
    const pending = post('/openai/v1/chat/completions', key, { model: 'gpt-4o', ...chat() }, {}, controller.signal).catch(() => undefined);
    await got;
    controller.abort();
    await pending;
    await cancelled;
    const [row] = await rows(keyId);
    assert.deepEqual([row!.status, row!.error, row!.upstream_request_id, row!.cost_micro ?? 0], [499, 'client_aborted', null, 0]);
    assert.equal(await charged(keyId), 0);
  });

  test('a client gone mid-stream: 499, charged for what was produced (no usage seen: counted)', async () => {
    const { key, keyId } = await gw.newKey();
    let closed!: () => void;
    const cancelled = new Promise<void>((resolve) => (closed = resolve));
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_oa_stream' });
      res.write(openAIChunk('one two three four five'));
      res.on('close', () => closed());
    });
    const controller = new AbortController();
    const res = await post('/openai/v1/chat/completions', key, { model: 'gpt-4o', ...chat({ stream: true }) }, {}, controller.signal);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await cancelled;
    const [row] = await rows(keyId);
    assert.deepEqual([row!.status, row!.error, row!.upstream_request_id, row!.stream, row!.usage_source], [499, 'client_aborted', 'req_oa_stream', 1, 'counted']);
    assert.ok((row!.output_tokens ?? 0) > 0);
    assert.equal(await charged(keyId), row!.cost_micro);
    assert.ok((row!.cost_micro ?? 0) > 0);
  });

  test('a whole JSON answer the provider cut is a 502 in the surface\'s shape, recorded as cut', async () => {
    const { key, keyId } = await gw.newKey();
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(anthropicMessage.slice(0, 60));
    });
    const res = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: CLAUDE, ...chat() }),
    });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.type, 'error');
    const [row] = await rows(keyId);
    assert.deepEqual([row!.status, row!.error], [502, 'upstream_cut']);
  });

  test('a JSON answer larger than 32 MiB is relayed as it comes, with the provider\'s length; cut, the client sees it cut', async () => {
    const { key } = await gw.newKey();
    const big = Buffer.from(JSON.stringify({ created: 1, data: [{ b64_json: 'A'.repeat(33 * 1024 * 1024) }] }));
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) });
      res.end(big);
    });
    const image = { model: 'dall-e-3', prompt: 'a cat', n: 1, size: '1024x1024' };
    const whole = await post('/openai/v1/images/generations', key, image);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-length'), String(big.length));
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(big));

    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) });
      res.write(big.subarray(0, 33 * 1024 * 1024), () => res.destroy());
    });
    const cut = await post('/openai/v1/images/generations', key, image);
    assert.equal(cut.status, 200);
    await assert.rejects(cut.arrayBuffer());
  });

  test('a failing key is retried with the other one before the backup is tried; both failing hands the call to the backup', async () => {
    const put = await gw.admin('PUT', '/admin/models/openai/gpt-4o', { fallbacks: [`anthropic/${CLAUDE}`] });
    assert.equal(put.status, 200);
    const { key, keyId } = await gw.newKey();
    let openaiCalls = 0;
    let failing = 1;
    answer((req, res) => {
      if (req.url.startsWith('/v1/chat/')) {
        openaiCalls++;
        if (failing-- > 0) {
          res.writeHead(503, { 'content-type': 'application/json', 'x-request-id': `req_oa_503_${openaiCalls}` });
          res.end('{"error":{"message":"overloaded"}}');
          return;
        }
      }
      defaultAnswer(req, res);
    });
    const retried = await post('/v1/chat/completions', key, { model: 'openai/gpt-4o', ...chat() });
    assert.equal(retried.status, 200);
    assert.equal((await retried.json()).choices[0].message.content, 'from openai');
    assert.equal(openaiCalls, 2);
    const keysUsed = upstream.requests.slice(-2).map((r) => r.headers['authorization']);
    assert.notEqual(keysUsed[0], keysUsed[1]);

    openaiCalls = 0;
    failing = 2;
    const backedUp = await post('/v1/chat/completions', key, { model: 'openai/gpt-4o', ...chat() });
    assert.equal(backedUp.status, 200);
    const served = await backedUp.json();
    assert.equal(served.model, 'openai/gpt-4o');
    assert.equal(served.choices[0].message.content, 'from claude');
    assert.equal(openaiCalls, 2);
    const history = await rows(keyId);
    assert.deepEqual(history.map((r) => [r.provider, r.status, r.error, r.upstream_request_id]), [
      ['openai', 200, null, 'req_oa_1'],
      ['openai', 503, 'upstream_503', 'req_oa_503_2'],
      ['anthropic', 200, null, 'req_ant_1'],
    ]);
    assert.equal(await gw.admin('PUT', '/admin/models/openai/gpt-4o', { fallbacks: [] }).then((r) => r.status), 200);
  });
});
