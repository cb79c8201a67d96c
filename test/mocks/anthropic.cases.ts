// Anthropic mock driven by @anthropic-ai/sdk (imported by mocks.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startMock, type MockUpstream } from './index.js';

describe('anthropic mock', () => {
  let mock: MockUpstream;
  let client: Anthropic;
  before(async () => {
    mock = await startMock('anthropic');
    client = new Anthropic({ baseURL: mock.url, apiKey: 'x', maxRetries: 0 });
  });
  after(() => mock.close());

  test('messages.create: text, usage, headers', async () => {
    const { data, response } = await client.messages
      .create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, system: 'be kind', messages: [{ role: 'user', content: 'good morning to you' }] })
      .withResponse();
    assert.deepEqual(data.content, [{ type: 'text', text: 'Echo: good morning to you' }]);
    assert.equal(data.stop_reason, 'end_turn');
    // prompt = words("be kind good morning to you") + 3 = 9; cached = 2 → input_tokens (uncached) = 7
    assert.equal(data.usage.input_tokens, 7);
    assert.equal(data.usage.cache_read_input_tokens, 2);
    assert.equal(data.usage.cache_creation_input_tokens, 0);
    assert.equal(data.usage.output_tokens, 5);
    assert.match(response.headers.get('request-id') ?? '', /^req_mock\d+$/);
    assert.ok(response.headers.get('anthropic-ratelimit-requests-remaining'));
    const req = mock.lastRequest();
    assert.equal(req?.url, '/v1/messages');
    assert.equal(req?.headers['x-api-key'], 'x');
    assert.equal(req?.headers['anthropic-version'], '2023-06-01');
  });

  test('max_tokens cut gives stop_reason max_tokens', async () => {
    const m = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 2, messages: [{ role: 'user', content: 'a b c' }] });
    assert.deepEqual(m.content, [{ type: 'text', text: 'Echo: a' }]);
    assert.equal(m.stop_reason, 'max_tokens');
  });

  test('messages.stream().finalMessage() and exact wire sequence', async () => {
    const msg = await client.messages
      .stream({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'stream please' }] })
      .finalMessage();
    assert.deepEqual(msg.content.map((c) => (c.type === 'text' ? c.text : c.type)), ['Echo: stream please']);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.output_tokens, 3);
    assert.equal(msg.usage.input_tokens, 4);
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const raw = await res.text();
    const names = [...raw.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(names, [
      'message_start', 'content_block_start', 'ping', ...Array(5).fill('content_block_delta'),
      'content_block_stop', 'message_delta', 'message_stop',
    ]);
  });

  test('tool use: non-stream and stream', async () => {
    const tools = [{ name: 'lookup', input_schema: { type: 'object' as const, properties: {} } }];
    const messages = [{ role: 'user' as const, content: 'find rome' }];
    const m = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, tools, messages });
    assert.equal(m.stop_reason, 'tool_use');
    const block = m.content[0];
    assert.ok(block?.type === 'tool_use');
    assert.deepEqual(block.input, { input: 'find rome' });
    assert.equal(block.name, 'lookup');
    const s = await client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 100, tools, messages }).finalMessage();
    const sb = s.content[0];
    assert.ok(sb?.type === 'tool_use');
    assert.deepEqual(sb.input, { input: 'find rome' });
    assert.equal(s.stop_reason, 'tool_use');
    const followUp = await client.messages.create({
      model: 'claude-sonnet-4-20250514', max_tokens: 100, tools,
      messages: [...messages, { role: 'assistant', content: m.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: 'sunny' }] }],
    });
    assert.deepEqual(followUp.content, [{ type: 'text', text: 'Echo: sunny' }]);
  });

  test('countTokens, models, auth errors, unknown route', async () => {
    const c = await client.messages.countTokens({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'one two three' }] });
    assert.equal(c.input_tokens, 6);
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    assert.ok(models.includes('claude-sonnet-4-20250514'));
    const noKey = await fetch(`${mock.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as { error: { type: string } }).error.type, 'authentication_error');
    const noVer = await fetch(`${mock.url}/v1/models`, { headers: { 'x-api-key': 'k' } });
    assert.equal(noVer.status, 400);
    const body = (await noVer.json()) as { type: string; error: { type: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    await assert.rejects(
      client.post('/v1/nope', { body: {} }),
      (e: unknown) => e instanceof Anthropic.NotFoundError && (e.error as { error: { type: string } }).error.type === 'not_found_error',
    );
  });
});
