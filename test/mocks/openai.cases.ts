// OpenAI mock driven by the official openai SDK (imported by mocks.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { fakeAudio, fakeEmbedding, startMock, type MockUpstream } from './index.js';

describe('openai mock', () => {
  let mock: MockUpstream;
  let client: OpenAI;
  before(async () => {
    mock = await startMock('openai');
    client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(() => mock.close());

  test('chat non-stream: echo, usage, headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'hello there' }] })
      .withResponse();
    assert.equal(data.choices[0]?.message.content, 'Echo: hello there');
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    // prompt = words("be nice hello there") + 3 = 7; cached = floor(7/4) = 1; completion = 3
    assert.deepEqual([data.usage?.prompt_tokens, data.usage?.completion_tokens, data.usage?.total_tokens], [7, 3, 10]);
    assert.equal(data.usage?.prompt_tokens_details?.cached_tokens, 1);
    assert.match(response.headers.get('x-request-id') ?? '', /^req_mock\d+$/);
    assert.ok(response.headers.get('x-ratelimit-remaining-requests'));
    const req = mock.lastRequest();
    assert.equal(req?.url, '/v1/chat/completions');
    assert.equal(req?.headers.authorization, 'Bearer sk-test');
    assert.equal(JSON.parse(req?.body.toString() ?? '{}').model, 'gpt-4o');
  });

  test('chat max_tokens truncates with finish_reason length', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o', max_completion_tokens: 2, messages: [{ role: 'user', content: 'a b c d' }] });
    assert.equal(r.choices[0]?.message.content, 'Echo: a');
    assert.equal(r.choices[0]?.finish_reason, 'length');
  });

  test('chat stream with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me please' }],
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, 'Echo: stream me please');
    assert.equal(chunks.filter((c) => c.choices[0]?.delta.content).length, 5);
    const last = chunks[chunks.length - 1];
    assert.deepEqual(last?.choices, []);
    assert.equal(last?.usage?.prompt_tokens, 6);
    assert.equal(last?.usage?.completion_tokens, 4);
    assert.equal(chunks[chunks.length - 2]?.choices[0]?.finish_reason, 'stop');
  });

  test('chat stream without include_usage has no usage chunk; raw wire ends with [DONE]', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const raw = await res.text();
    assert.ok(raw.endsWith('data: [DONE]\n\n'));
    assert.ok(!raw.includes('"usage"'));
    assert.ok(!raw.includes('event:'));
  });

  test('chat tools: non-stream and stream tool calls', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const messages = [{ role: 'user' as const, content: 'find paris' }];
    const r = await client.chat.completions.create({ model: 'gpt-4o', tools, messages });
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'lookup');
    assert.deepEqual(JSON.parse(call.function.arguments), { input: 'find paris' });
    const final = await client.chat.completions.stream({ model: 'gpt-4o', tools, messages }).finalChatCompletion();
    const sc = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(sc && sc.type === 'function');
    assert.equal(sc.id, `call_mock${mock.requests.length}`);
    assert.deepEqual(JSON.parse(sc.function.arguments), { input: 'find paris' });
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    // after a tool result the model answers with text
    const r2 = await client.chat.completions.create({
      model: 'gpt-4o', tools,
      messages: [...messages, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
    });
    assert.equal(r2.choices[0]?.message.content, 'Echo: sunny');
  });

  test('embeddings: SDK default base64 decodes to the float vector; float format too', async () => {
    const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one two', 'three'] });
    assert.equal(JSON.parse(mock.lastRequest()?.body.toString() ?? '{}').encoding_format, 'base64');
    assert.deepEqual(r.data[0]?.embedding, fakeEmbedding('one two'));
    assert.deepEqual(r.data[1]?.embedding, fakeEmbedding('three'));
    assert.equal(r.usage.prompt_tokens, 3);
    const f = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float', dimensions: 4 });
    assert.deepEqual(f.data[0]?.embedding, fakeEmbedding('x', 4));
  });

  test('responses: non-stream and stream', async () => {
    const r = await client.responses.create({ model: 'gpt-4.1', instructions: 'short', input: 'tell me' });
    assert.equal(r.output_text, 'Echo: tell me');
    assert.deepEqual([r.usage?.input_tokens, r.usage?.output_tokens, r.usage?.input_tokens_details.cached_tokens], [6, 3, 1]);
    const s = client.responses.stream({ model: 'gpt-4.1', input: [{ role: 'user', content: 'stream this' }] });
    const types: string[] = [];
    const seqs: number[] = [];
    for await (const e of s) {
      types.push(e.type);
      seqs.push(e.sequence_number);
    }
    const final = await s.finalResponse();
    assert.equal(final.output_text, 'Echo: stream this');
    assert.equal(final.usage?.output_tokens, 3);
    assert.deepEqual(seqs, seqs.map((_, i) => i));
    assert.deepEqual([types[0], types[1], types[2], types[3]], ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.equal(types.filter((t) => t === 'response.output_text.delta').length, 5);
    assert.equal(types[types.length - 1], 'response.completed');
  });

  test('responses: function call', async () => {
    const tools = [{ type: 'function' as const, name: 'weather', parameters: { type: 'object', properties: {} }, strict: false }];
    const r = await client.responses.create({ model: 'gpt-4.1', tools, input: 'oslo' });
    const item = r.output[0];
    assert.ok(item?.type === 'function_call');
    assert.equal(item.name, 'weather');
    assert.deepEqual(JSON.parse(item.arguments), { input: 'oslo' });
    const s = await client.responses.stream({ model: 'gpt-4.1', tools, input: 'oslo' }).finalResponse();
    const si = s.output[0];
    assert.ok(si?.type === 'function_call');
    assert.deepEqual(JSON.parse(si.arguments), { input: 'oslo' });
  });

  test('audio speech returns deterministic bytes', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello world' });
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(bytes, fakeAudio('Hello world'));
    assert.equal(bytes.subarray(0, 3).toString(), 'ID3');
    assert.equal(mock.lastRequest()?.headers.accept, 'application/octet-stream');
  });

  test('audio transcription parses multipart', async () => {
    const file = await toFile(Buffer.alloc(2500, 1), 'clip.wav', { type: 'audio/wav' });
    const r = await client.audio.transcriptions.create({ model: 'whisper-1', file });
    assert.equal(r.text, 'Transcript of clip.wav (2500 bytes)');
    assert.deepEqual((r as { usage?: unknown }).usage, { type: 'duration', seconds: 3 });
    assert.match(String(mock.lastRequest()?.headers['content-type']), /^multipart\/form-data; boundary=/);
    const t = await client.audio.transcriptions.create({ model: 'whisper-1', file, response_format: 'text' });
    assert.equal(String(t).trim(), 'Transcript of clip.wav (2500 bytes)');
  });

  test('images, models, auth and unknown routes', async () => {
    const img = await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', n: 2 });
    assert.equal(img.data?.length, 2);
    assert.ok(img.data?.[0]?.b64_json);
    assert.ok(img.usage?.input_tokens);
    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    assert.ok(models.includes('gpt-4o'));
    assert.equal((await client.models.retrieve('gpt-4o-mini')).id, 'gpt-4o-mini');
    const noAuth = await fetch(`${mock.url}/v1/models`);
    assert.equal(noAuth.status, 401);
    const body = (await noAuth.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    const nf = await fetch(`${mock.url}/v1/nope`, { headers: { authorization: 'Bearer k' } });
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  });
});
