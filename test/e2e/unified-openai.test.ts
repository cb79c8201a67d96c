import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { wav } from '../helpers/audio.js';
import { startStack, UPSTREAM_KEYS, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;

describe('unified /v1 API with the openai SDK: OpenAI-dialect providers', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
    await stack.gw.admin('PUT', '/admin/models/openrouter/mistralai/mistral-medium-3.1', { ops: ['chat'], prices: { input_per_mtok: '0.40', output_per_mtok: '2.00' } });
    await stack.gw.admin('PUT', '/admin/models/xai/grok-3', { ops: ['chat'], prices: { input_per_mtok: '3.00', output_per_mtok: '15.00' } });
  });
  after(() => stack.close());

  test('GET /v1 describes the API; /v1/models lists enabled models as provider/model with prices', async () => {
    const index = await (await fetch(`${stack.gw.url}/v1`)).json();
    assert.ok(index.endpoints.includes('POST /v1/chat/completions'));
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.ok(ids.includes('openai/gpt-4o'));
    assert.ok(ids.includes('anthropic/claude-sonnet-4-20250514'));
    const one = await client.models.retrieve('openai/gpt-4o');
    assert.equal(one.owned_by, 'openai');
    assert.equal((one as unknown as { context_window: number }).context_window, 128000);
    assert.deepEqual((one as unknown as { prices: unknown }).prices, { input_per_mtok: '2.50', cached_input_per_mtok: '1.25', output_per_mtok: '10.00' });
    await assert.rejects(client.models.retrieve('openai/gpt-nope'), { status: 404 });
  });

  test('a key limited to some models sees only those', async () => {
    const { key } = await stack.gw.newKey({ key: { models: ['anthropic/*'] } });
    const limited = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of limited.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['anthropic/claude-sonnet-4-20250514']);
  });

  test('openai/gpt-4o and the bare name: forwarded with the provider\'s name, answered with the client\'s', async () => {
    for (const model of ['openai/gpt-4o', 'gpt-4o']) {
      const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `hello ${model}` }] });
      assert.equal(res.model, model);
      assert.match(res.choices[0]!.message.content ?? '', new RegExp(`hello ${model}`));
      assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'gpt-4o');
      assert.equal(stack.openai.lastRequest()!.headers['authorization'], `Bearer ${UPSTREAM_KEYS.openai}`);
    }
  });

  test('streams keep every chunk and carry the client\'s model name; usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream to me please' }],
    });
    let text = '';
    let usage = false;
    for await (const chunk of stream) {
      assert.equal(chunk.model, 'openai/gpt-4o');
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = true;
    }
    assert.match(text, /stream to me please/);
    assert.ok(usage);
  });

  test('xAI and OpenRouter (whose names contain slashes) through the same endpoint', async () => {
    const grok = await client.chat.completions.create({ model: 'xai/grok-3', messages: [{ role: 'user', content: 'hi grok' }] });
    assert.equal(grok.model, 'xai/grok-3');
    assert.equal(stack.openai.lastRequest()!.headers['authorization'], `Bearer ${UPSTREAM_KEYS.xai}`);
    const mistral = await client.chat.completions.create({ model: 'openrouter/mistralai/mistral-medium-3.1', messages: [{ role: 'user', content: 'hi router' }] });
    assert.equal(mistral.model, 'openrouter/mistralai/mistral-medium-3.1');
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'mistralai/mistral-medium-3.1');
  });

  test('/v1/models/{model}/chat/completions takes the model from the URL', async () => {
    const res = await fetch(`${stack.gw.url}/v1/models/openai/gpt-4o/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'model in url' }] }),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).model, 'openai/gpt-4o');
  });

  test('unknown model 404, model the key may not use 403, op the model does not serve 400, bad JSON 400: OpenAI shape', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope/x', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 404);
      assert.equal((err.error as { code?: string }).code, 'model_not_found');
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model: 'openai/dall-e-3', messages: [{ role: 'user', content: 'x' }] }), { status: 400 });
    const { key } = await stack.gw.newKey({ key: { models: ['anthropic/*'] } });
    const limited = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    await assert.rejects(limited.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }), { status: 403 });
    const bad = await fetch(`${stack.gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.type, 'invalid_request_error');
  });

  test('unified calls are billed exactly like native ones', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const billed = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const res = await billed.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'bill me exactly' }] });
    const u = res.usage!;
    const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
    const cost = Math.ceil(((u.prompt_tokens - cached) * 2.5 + cached * 1.25 + u.completion_tokens * 10) * 100);
    await stack.gw.app.billing.idle();
    const user = await stack.gw.app.store.db.kysely.selectFrom('users').select('balance_micro').where('id', '=', userId).executeTakeFirstOrThrow();
    assert.equal(user.balance_micro, 100_000_000 - cost);
  });
});

describe('unified /v1 images and speech', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: stack.key, maxRetries: 0 });
  });
  after(() => stack.close());

  test('DALL·E through /v1/images/generations, speech bytes through /v1/audio/speech, both billed from the request', async () => {
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const billed = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const image = await billed.images.generate({ model: 'openai/dall-e-3', prompt: 'a red cube', size: '1024x1024' });
    assert.equal(image.data!.length, 1);
    assert.equal(JSON.parse(stack.openai.lastRequest()!.body.toString()).model, 'dall-e-3');
    const audio = Buffer.from(await (await billed.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Привет' })).arrayBuffer());
    assert.ok(audio.length > 0);
    await stack.gw.app.billing.idle();
    const charges = await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').execute();
    assert.deepEqual(charges.map((c) => -c.amount_micro).sort((a, b) => a - b), [6 * 15 * 100, 0.04 * 100 * 1_000_000].sort((a, b) => a - b));
    await assert.rejects(client.images.generate({ model: 'anthropic/claude-sonnet-4-20250514', prompt: 'x' }), { status: 400 });
  });

  test('image edits and transcriptions (multipart): the form goes up with only the model renamed, billed as native', async () => {
    await stack.gw.admin('PUT', '/admin/models/openai/dall-e-2', { ops: ['images.edit'], prices: { per_image: { '1024x1024/standard': '0.020' } } });
    const { key, userId } = await stack.gw.newKey({ credit: '100' });
    const billed = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const edit = await billed.images.edit({ model: 'openai/dall-e-2', image: await toFile(png, 'cube.png', { type: 'image/png' }), prompt: 'make it blue', n: 2 });
    assert.equal(edit.data!.length, 2);
    assert.equal(edit.data![0]!.revised_prompt, 'dall-e-2: make it blue');
    const upstream = stack.openai.lastRequest()!;
    assert.equal(upstream.url, '/v1/images/edits');
    assert.ok(upstream.body.includes(png), 'the image bytes are forwarded unchanged');
    assert.ok(!upstream.body.includes('openai/dall-e-2'));

    const audio = wav(2);
    const transcript = await billed.audio.transcriptions.create({ model: 'openai/whisper-1', file: await toFile(audio, 'a.wav') });
    assert.match(transcript.text, /Transcript of a.wav/);
    const text = await billed.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'a.wav'), response_format: 'text' });
    assert.match(String(text), /Transcript of a.wav/);
    const translation = await billed.audio.translations.create({ model: 'openai/whisper-1', file: await toFile(audio, 'a.wav') });
    assert.match(translation.text, /Translation of a.wav/);
    await stack.gw.app.billing.idle();
    const charges = await stack.gw.app.store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', userId).where('kind', '=', 'charge').execute();
    // 2 images × $0.02; whisper $0.0001 a second × 100 RUB: the mock states ceil(32,044 / 1000) = 33 s, the
    // text answer none (the WAV header's 2 s), translations no duration either (2 s).
    assert.deepEqual(charges.map((c) => -c.amount_micro).sort((a, b) => a - b), [2 * 10_000, 2 * 10_000, 33 * 10_000, 2 * 0.02 * 100 * 1_000_000].sort((a, b) => a - b));

    await assert.rejects(billed.audio.transcriptions.create({ model: 'anthropic/claude-sonnet-4-20250514', file: await toFile(audio, 'a.wav') }), { status: 400 });
    await assert.rejects(billed.audio.transcriptions.create({ model: 'openai/whisper-9', file: await toFile(audio, 'a.wav') }), { status: 404 });
    for (const base of ['/v1', '/openai/v1']) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'a.wav');
      form.append('model', base === '/v1' ? 'openai/whisper-1' : 'whisper-1');
      form.append('model', 'gpt-4o-transcribe');
      const twice = await fetch(`${stack.gw.url}${base}/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
      assert.equal(twice.status, 400, base);
      assert.equal((await twice.json()).error.param, 'model');
    }
    const notForm = await fetch(`${stack.gw.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(notForm.status, 400);
  });
});

test('/v1: a request without a valid key is refused before its body is read', async () => {
  const stack = await startStack({ CATALOG_DIR: FIXTURES });
  try {
    const http = await import('node:http');
    const port = Number(new URL(stack.gw.url).port);
    // Declares 20 MB but sends only a few bytes: the 401 must come without waiting for the rest.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024), authorization: 'Bearer tg-wrong' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
      req.write('{"model":');
      setTimeout(() => {
        req.destroy();
        reject(new Error('no answer: the body was awaited'));
      }, 3000).unref();
    });
    assert.equal(status, 401);
  } finally {
    await stack.close();
  }
});
