import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { containsUpstreamSecret, startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

describe('openai SDK through /openai/v1', () => {
  let stack: Stack;
  let client: OpenAI;

  before(async () => {
    stack = await startStack();
    client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: stack.key, maxRetries: 0 });
  });
  after(() => stack.close());

  function lastUpstreamRequest() {
    const req = stack.openai.lastRequest();
    assert.ok(req, 'the mock received the request');
    assert.equal(req.headers['authorization'], `Bearer ${UPSTREAM_KEYS.openai}`, 'upstream key swapped in');
    assert.ok(!JSON.stringify(req.headers).includes(stack.key), 'client key never reaches the upstream');
    return req;
  }

  test('chat completion', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(res.object, 'chat.completion');
    assert.match(res.choices[0]?.message.content ?? '', /hello there/);
    assert.ok(res.usage && res.usage.prompt_tokens > 0);
    const req = lastUpstreamRequest();
    assert.equal(req.url, '/v1/chat/completions');
    assert.equal(JSON.parse(req.body.toString()).model, 'gpt-4o');
  });

  test('chat stream arrives chunk by chunk with the usage chunk the client asked for', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(chunks >= 5, `got ${chunks} chunks`);
    assert.match(text, /stream please/);
    assert.ok(usage && usage.completion_tokens > 0);
    lastUpstreamRequest();
  });

  test('tools', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    assert.equal(res.choices[0]?.finish_reason, 'tool_calls');
    const call = res.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'weather');
    JSON.parse(call.function.arguments);
  });

  test('embeddings with the SDK default base64 encoding', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two words'] });
    assert.equal(res.data.length, 2);
    assert.ok(Array.isArray(res.data[0]?.embedding) && res.data[0].embedding.length > 0);
    assert.ok(res.data[0].embedding.every((x) => Number.isFinite(x)));
    assert.equal(JSON.parse(lastUpstreamRequest().body.toString()).encoding_format, 'base64');
  });

  test('models list and one model', async () => {
    const page = await client.models.list();
    assert.ok(page.data.some((m) => m.id === 'gpt-4o'));
    const model = await client.models.retrieve('gpt-4o');
    assert.equal(model.id, 'gpt-4o');
    assert.equal(lastUpstreamRequest().url, '/v1/models/gpt-4o');
  });

  test('audio speech returns the bytes', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello world' });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.ok(bytes.length > 100, `got ${bytes.length} bytes`);
    assert.equal(bytes.subarray(0, 3).toString('latin1'), 'ID3');
  });

  test('transcription uploads multipart byte for byte', async () => {
    const audio = Buffer.alloc(50_000, 7);
    const res = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'clip.mp3') });
    assert.match(res.text, /clip\.mp3/);
    assert.match(res.text, /50000/);
    const req = lastUpstreamRequest();
    assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
  });

  test('responses, plain and streamed', async () => {
    const res = await client.responses.create({ model: 'gpt-4.1', input: 'say hi' });
    assert.equal(res.status, 'completed');
    assert.match(res.output_text, /say hi/);

    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'stream hi', stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.match(text, /stream hi/);
  });

  test('OpenAI-compatible mounts: xAI, DeepSeek, OpenRouter', async () => {
    // OpenRouter's models are not in the seed catalog: the admin prices the ones the gateway sells.
    const priced = await stack.gw.admin('PUT', '/admin/models/openrouter/mistralai/mistral-medium-3.1', {
      ops: ['chat'],
      prices: { input_per_mtok: '0.40', output_per_mtok: '2.00' },
    });
    assert.equal(priced.status, 200);
    for (const [mount, secret, model] of [
      ['xai', UPSTREAM_KEYS.xai, 'grok-3'],
      ['deepseek', UPSTREAM_KEYS.deepseek, 'deepseek-flash'],
      ['openrouter', UPSTREAM_KEYS.openrouter, 'mistralai/mistral-medium-3.1'],
    ] as const) {
      const c = new OpenAI({ baseURL: `${stack.gw.url}/${mount}/v1`, apiKey: stack.key, maxRetries: 0 });
      const res = await c.chat.completions.create({ model, max_tokens: 100, messages: [{ role: 'user', content: `hi ${mount}` }] });
      assert.match(res.choices[0]?.message.content ?? '', new RegExp(`hi ${mount}`));
      assert.equal(stack.openai.lastRequest()?.headers['authorization'], `Bearer ${secret}`);
    }
  });

  test('an upstream error keeps its status and shape, without the upstream key', async () => {
    stack.openai.failNext({ status: 429, headers: { 'retry-after': '7' } });
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 429);
        assert.equal(err.headers?.get('retry-after'), '7');
        assert.ok(!containsUpstreamSecret(JSON.stringify(err.error)));
        return true;
      },
    );
  });

  test('a stream cut mid-way raises in the SDK instead of ending quietly', async () => {
    stack.openai.failNext({ dropAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a b c d e' }], stream: true });
    await assert.rejects(async () => {
      for await (const _ of stream) {
        // drain
      }
    });
  });
});
