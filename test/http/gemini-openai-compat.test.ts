import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

const UPSTREAM_KEY = 'gemini-upstream-key-0001';
const USAGE = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };
// gemini-2.5-flash: $0.30 in, $2.50 out per 1M; the test gateway's rate is 100 RUB/USD, markup 1.
const CHARGE_MICRO_RUB = (1000 * 0.3 + 200 * 2.5) * 100;

function compatAnswer(res: import('node:http').ServerResponse, body: Record<string, unknown>): void {
  if (body['stream'] !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: body['model'], choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: USAGE }));
    return;
  }
  const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const base = { id: 'c2', object: 'chat.completion.chunk', created: 1, model: body['model'] };
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }] }));
  const wantsUsage = (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
  res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...(wantsUsage ? {} : { usage: null }) }));
  if (wantsUsage) res.write(chunk({ ...base, choices: [], usage: USAGE }));
  res.end('data: [DONE]\n\n');
}

describe("Gemini's OpenAI-compatible endpoints (/google/v1beta/openai/*)", () => {
  let upstream: ScriptedUpstream;
  let gw: TestGateway;
  let key: string;
  let keyId: string;
  const client = (secret: string) => new OpenAI({ apiKey: secret, baseURL: `${gw.url}/google/v1beta/openai`, maxRetries: 0 });
  const rows = async () => {
    await gw.app.flush();
    return gw.app.store.db.kysely.selectFrom('requests').selectAll().where('key_id', '=', keyId).orderBy('created_at').execute();
  };
  before(async () => {
    upstream = await startScriptedUpstream((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [] }));
        return;
      }
      compatAnswer(res, JSON.parse(req.body.toString('utf8')) as Record<string, unknown>);
    });
    gw = await startGateway({ GEMINI_API_KEY: UPSTREAM_KEY, GEMINI_BASE_URL: upstream.url });
    ({ key, keyId } = await gw.newKey({ credit: '100' }));
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('send Authorization: Bearer, while the native API keeps x-goog-api-key', async () => {
    const compat = await fetch(`${gw.url}/google/v1beta/openai/models`, { headers: { 'x-goog-api-key': key } });
    assert.equal(compat.status, 200);
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.url, '/v1beta/openai/models');
    assert.equal(sent.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.equal(sent.headers['x-goog-api-key'], undefined, 'not the native header as well');

    assert.equal((await fetch(`${gw.url}/google/v1beta/models`, { headers: { 'x-goog-api-key': key } })).status, 200);
    const native = upstream.requests.at(-1)!;
    assert.equal(native.headers['x-goog-api-key'], UPSTREAM_KEY);
    assert.equal(native.headers.authorization, undefined);
  });

  test('chat completions are metered as OpenAI-dialect calls and billed at the Gemini model’s price', async () => {
    const answer = await client(key).chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(answer.choices[0]!.message.content, 'hi');
    const row = (await rows()).at(-1)!;
    assert.equal(row.provider, 'gemini');
    assert.equal(row.model, 'gemini-2.5-flash');
    assert.equal(row.status, 200);
    assert.equal(row.input_tokens, 1000);
    assert.equal(row.output_tokens, 200);
    assert.equal(row.cost_micro, CHARGE_MICRO_RUB);
  });

  test('a stream is billed from its usage chunk, which the client that did not ask for it never sees', async () => {
    const stream = await client(key).chat.completions.create({ model: 'gemini-2.5-flash', stream: true, messages: [{ role: 'user', content: 'hello' }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((c) => !c.usage), 'no usage chunk reaches a client that did not ask for one');
    const sent = JSON.parse(upstream.requests.at(-1)!.body.toString('utf8')) as { stream_options?: { include_usage?: boolean } };
    assert.equal(sent.stream_options?.include_usage, true, 'usage is asked of the upstream');
    const row = (await rows()).at(-1)!;
    assert.equal(row.cost_micro, CHARGE_MICRO_RUB);
  });

  test('the gateway’s own refusals come in OpenAI’s shape (the client there is an OpenAI SDK)', async () => {
    const poor = await gw.newKey({ credit: '0' });
    const before = upstream.requests.length;
    await assert.rejects(client(poor.key).chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hello' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 402);
      assert.equal(err.message, '402 Insufficient balance to run this request.');
      assert.equal((err.error as { type?: string }).type, 'insufficient_quota');
      return true;
    });
    assert.equal(upstream.requests.length, before, 'nothing forwarded');
    await assert.rejects(client(key).chat.completions.create({ model: 'gemini-unknown-9', messages: [{ role: 'user', content: 'hello' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.ok(err.status === 403 || err.status === 404, `an unpriced model is refused (${err.status})`);
      return true;
    });
    assert.equal(upstream.requests.length, before, 'an unpriced model is not forwarded either');
  });
});
