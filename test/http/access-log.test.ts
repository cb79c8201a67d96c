import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletion, startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

const UPSTREAM_KEY = 'sk-upstream-access-log-0001';

interface Line {
  msg: string;
  level: number;
  [field: string]: unknown;
}

describe('the access log: one info line per request, never a secret', () => {
  let upstream: ScriptedUpstream;
  let gw: TestGateway;
  let key: string;
  let keyPrefix: string;
  const linesSince = (from: number): Line[] =>
    gw.logs
      .slice(from)
      .flatMap((chunk) => chunk.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const access = (from: number) => linesSince(from).filter((l) => l.msg === 'call' || l.msg === 'http');
  const settle = () => gw.app.flush();
  const post = (path: string, secret: string, body: unknown) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    upstream = await startScriptedUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(chatCompletion('gpt-4o', { prompt_tokens: 120, completion_tokens: 30 }));
    });
    gw = await startGateway({ OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.url, ANTHROPIC_API_KEY: UPSTREAM_KEY, ANTHROPIC_BASE_URL: upstream.url });
    let keyId: string;
    ({ key, keyId } = await gw.newKey({ credit: '100' }));
    keyPrefix = (await gw.app.store.db.kysely.selectFrom('api_keys').select('prefix').where('id', '=', keyId).executeTakeFirstOrThrow()).prefix;
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('a native call: method, path, status, model, tokens, cost, latency and the key prefix', async () => {
    const from = gw.logs.length;
    const res = await post('/openai/v1/chat/completions', key, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    await res.text();
    await settle();
    const lines = access(from);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const line = lines[0]!;
    assert.equal(line.msg, 'call');
    assert.equal(line.level, 30, 'info');
    assert.equal(line['method'], 'POST');
    assert.equal(line['path'], '/v1/chat/completions');
    assert.equal(line['provider'], 'openai');
    assert.equal(line['surface'], 'openai');
    assert.equal(line['status'], 200);
    assert.equal(line['model'], 'gpt-4o');
    assert.equal(line['input_tokens'], 120);
    assert.equal(line['output_tokens'], 30);
    assert.ok(typeof line['cost_micro_rub'] === 'number' && line['cost_micro_rub'] > 0);
    assert.ok(typeof line['latency_ms'] === 'number');
    assert.equal(line['key_prefix'], keyPrefix);
    assert.ok(key.startsWith(keyPrefix) && key.length > keyPrefix.length + 16, 'the prefix is not the secret');
  });

  test('a unified call is one line too, and a refusal (402) is logged with its status', async () => {
    const from = gw.logs.length;
    const ok = await post('/v1/chat/completions', key, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    await ok.text();
    const poor = await gw.newKey({ credit: '0' });
    const refused = await post('/v1/chat/completions', poor.key, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(refused.status, 402);
    await settle();
    const lines = access(from).filter((l) => l['url'] === undefined || !String(l['url']).startsWith('/admin'));
    assert.deepEqual(
      lines.map((l) => [l.msg, l['status']]),
      [
        ['call', 200],
        ['call', 402],
      ],
    );
    assert.equal(lines[1]!['error'], 'TG_ERR_INSUFFICIENT_BALANCE');
    assert.equal(lines[1]!['stream'], true, 'a refused stream is recorded as the stream it asked for');
  });

  test('requests the relay never took: a bad key (native and unified), an admin route; probes are quiet', async () => {
    const from = gw.logs.length;
    assert.equal((await post('/openai/v1/chat/completions', 'tg-not-a-real-key-000000000000', { model: 'gpt-4o' })).status, 401);
    assert.equal((await post('/v1/chat/completions', 'tg-not-a-real-key-000000000000', { model: 'gpt-4o' })).status, 401);
    assert.equal((await gw.admin('GET', '/admin/settings')).status, 200);
    assert.equal((await fetch(`${gw.url}/health`)).status, 200);
    const lines = access(from);
    assert.deepEqual(
      lines.map((l) => [l.msg, l['method'], l['url'], l['status']]),
      [
        ['http', 'POST', '/openai/v1/chat/completions', 401],
        ['http', 'POST', '/v1/chat/completions', 401],
        ['http', 'GET', '/admin/settings', 200],
      ],
    );
  });

  test('a unified call refused before the relay (a body the dialect cannot translate) is logged once', async () => {
    const from = gw.logs.length;
    const res = await post('/v1/responses', key, { model: 'anthropic/claude-sonnet-4-5', input: [{ type: 'no_such_item' }] });
    assert.equal(res.status, 400);
    await res.text();
    await settle();
    const lines = access(from);
    assert.deepEqual(
      lines.map((l) => [l.msg, l['method'], l['url'], l['status']]),
      [['http', 'POST', '/v1/responses', 400]],
    );
  });

  test('no secret in any line: not the client key, not the upstream key, not the admin token', async () => {
    const all = gw.logs.join('');
    assert.ok(!all.includes(key), 'client key');
    assert.ok(!all.includes(UPSTREAM_KEY), 'upstream key');
    assert.ok(!all.includes('test-admin-token-0123456789'), 'admin token');
  });
});
