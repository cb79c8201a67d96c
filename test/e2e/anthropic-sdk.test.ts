import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { containsUpstreamSecret, startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

describe('@anthropic-ai/sdk through /anthropic', () => {
  let stack: Stack;
  let client: Anthropic;

  before(async () => {
    stack = await startStack();
    client = new Anthropic({ baseURL: `${stack.gw.url}/anthropic`, apiKey: stack.key, maxRetries: 0 });
  });
  after(() => stack.close());

  function lastUpstreamRequest() {
    const req = stack.anthropic.lastRequest();
    assert.ok(req);
    assert.equal(req.headers['x-api-key'], UPSTREAM_KEYS.anthropic, 'upstream key swapped in');
    assert.equal(req.headers['anthropic-version'], '2023-06-01', 'anthropic-version forwarded');
    assert.ok(!JSON.stringify(req.headers).includes(stack.key), 'client key never reaches the upstream');
    return req;
  }

  test('messages.create', async () => {
    const msg = await client.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello claude' }],
    });
    assert.equal(msg.type, 'message');
    const block = msg.content[0];
    assert.ok(block?.type === 'text' && /hello claude/.test(block.text));
    assert.ok(msg.usage.input_tokens > 0);
    assert.equal(lastUpstreamRequest().url, '/v1/messages');
  });

  test('stream with finalMessage()', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream to me' }],
    });
    let deltas = 0;
    stream.on('text', () => deltas++);
    const final = await stream.finalMessage();
    assert.ok(deltas >= 3, `got ${deltas} text deltas`);
    const block = final.content[0];
    assert.ok(block?.type === 'text' && /stream to me/.test(block.text));
    assert.ok(final.usage.output_tokens > 0);
    lastUpstreamRequest();
  });

  test('tool use', async () => {
    const msg = await client.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 200,
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'find paris' }],
    });
    assert.equal(msg.stop_reason, 'tool_use');
    const use = msg.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use' && use.name === 'lookup');
    assert.equal(typeof use.input, 'object');
  });

  test('anthropic-beta is forwarded', async () => {
    await client.messages.create(
      { model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      { headers: { 'anthropic-beta': 'output-128k-2025-02-19' } },
    );
    assert.equal(lastUpstreamRequest().headers['anthropic-beta'], 'output-128k-2025-02-19');
  });

  test('count_tokens', async () => {
    const res = await client.messages.countTokens({
      model: 'claude-sonnet-4-20250514',
      messages: [{ role: 'user', content: 'count these words please' }],
    });
    assert.ok(res.input_tokens > 0);
    assert.equal(lastUpstreamRequest().url, '/v1/messages/count_tokens');
  });

  test('an overloaded upstream keeps its 529 and Anthropic shape', async () => {
    stack.anthropic.failNext({ status: 529 });
    await assert.rejects(
      client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof Anthropic.APIError);
        assert.equal(err.status, 529);
        assert.equal((err.error as { error?: { type?: string } }).error?.type, 'overloaded_error');
        assert.ok(!containsUpstreamSecret(JSON.stringify(err.error)));
        return true;
      },
    );
  });

  test('a mid-stream error event reaches the SDK as an error', async () => {
    stack.anthropic.failNext({ errorEventAfterChunks: 3 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'a b c' }] });
    await assert.rejects(stream.finalMessage());
  });

  test('a dropped stream rejects finalMessage() instead of hanging', async () => {
    stack.anthropic.failNext({ dropAfterChunks: 3 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'a b c' }] });
    await assert.rejects(stream.finalMessage());
  });

  test('bad client key → 401 in Anthropic shape', async () => {
    const bad = new Anthropic({ baseURL: `${stack.gw.url}/anthropic`, apiKey: 'tg-not-a-real-key', maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.AuthenticationError);
      assert.deepEqual(Object.keys(err.error as object).sort(), ['error', 'type']);
      assert.equal((err.error as { error: { type: string } }).error.type, 'authentication_error');
      return true;
    });
  });
});
