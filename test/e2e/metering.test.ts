import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { RequestRow } from '../../src/store/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;
const RATE = 100; // RUB per USD, so a micro-USD costs 100 micro-rubles

type Row = RequestRow;

describe('metering: every native call records the provider-reported usage and its price', () => {
  let stack: Stack;
  let keyId: string;
  let key: string;
  before(async () => {
    stack = await startStack({ CATALOG_DIR: FIXTURES });
    await stack.gw.admin('PUT', '/admin/settings', { usd_rub_rate: String(RATE) });
    ({ key, keyId } = await stack.gw.newKey());
  });
  after(() => stack.close());

  async function lastRow(): Promise<Row> {
    await stack.gw.app.flush();
    return (await stack.gw.app.store.db.kysely
      .selectFrom('requests')
      .selectAll()
      .where('key_id', '=', keyId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow());
  }

  /** micro-rubles for gpt-4o at $2.50 / $1.25 cached / $10 per 1M tokens. */
  const gpt4oMicro = (input: number, cached: number, output: number) => Math.ceil(((input - cached) * 2.5 + cached * 1.25 + output * 10) * RATE);

  test('OpenAI chat, plain: tokens as reported, cached priced at its own rate', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'count these seven words for me please' }] });
    const row = await lastRow();
    const usage = res.usage!;
    const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
    assert.ok(cached > 0, 'the mock reports cached tokens');
    assert.equal(row.input_tokens, usage.prompt_tokens);
    assert.equal(row.cached_tokens, cached);
    assert.equal(row.output_tokens, usage.completion_tokens);
    assert.equal(row.usage_source, 'reported');
    assert.equal(row.cost_micro, gpt4oMicro(usage.prompt_tokens, cached, usage.completion_tokens));
    assert.equal(row.usd_rub_rate, '100');
    assert.match(row.price_version ?? '', /^seed:/);
  });

  test('OpenAI chat stream without include_usage: usage asked upstream, the usage chunk kept from the client', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'stream these words to me' }];
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let sawUsage = false;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage || chunk.choices.length === 0) sawUsage = true;
    }
    assert.ok(chunks > 3);
    assert.equal(sawUsage, false, 'the client did not ask for usage and does not get it');
    const upstreamBody = JSON.parse(stack.openai.lastRequest()!.body.toString());
    assert.deepEqual(upstreamBody.stream_options, { include_usage: true });
    const row = await lastRow();
    assert.equal(row.usage_source, 'reported');
    assert.equal(row.input_tokens, plain.usage!.prompt_tokens);
    assert.equal(row.output_tokens, plain.usage!.completion_tokens);
    assert.ok((row.cost_micro ?? 0) > 0);
  });

  test('OpenAI chat stream with include_usage: the client keeps its usage chunk', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'usage please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    assert.ok(usage);
    const row = await lastRow();
    assert.equal(row.output_tokens, usage.completion_tokens);
  });

  test('a stream cut before its usage is recorded as such, never as a full answer', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    stack.openai.failNext({ dropAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a b c d e f' }], stream: true });
    await assert.rejects(async () => {
      for await (const _ of stream) {
        // drain
      }
    });
    const row = await lastRow();
    assert.notEqual(row.usage_source, 'reported');
  });

  test('Anthropic stream: input counts cache reads and writes once, output from the last message_delta', async () => {
    const client = new Anthropic({ baseURL: `${stack.gw.url}/anthropic`, apiKey: key, maxRetries: 0 });
    const final = await client.messages
      .stream({ model: 'claude-sonnet-4-0', max_tokens: 200, messages: [{ role: 'user', content: 'tell me something about caching and tokens' }] })
      .finalMessage();
    const u = final.usage;
    const row = await lastRow();
    const input = u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
    assert.equal(row.input_tokens, input);
    assert.equal(row.cached_tokens, u.cache_read_input_tokens ?? 0);
    assert.equal(row.cache_write_tokens, u.cache_creation_input_tokens ?? 0);
    assert.equal(row.output_tokens, u.output_tokens);
    const microUsd = u.input_tokens * 3 + (u.cache_read_input_tokens ?? 0) * 0.3 + (u.cache_creation_input_tokens ?? 0) * 3.75 + u.output_tokens * 15;
    assert.equal(row.cost_micro, Math.ceil(microUsd * RATE));
  });

  test('Gemini stream: thoughts are output, the last usageMetadata wins', async () => {
    const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: `${stack.gw.url}/google` } });
    let last: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number; cachedContentTokenCount?: number } | undefined;
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'think then answer briefly' })) {
      if (chunk.usageMetadata) last = chunk.usageMetadata;
    }
    assert.ok(last);
    const row = await lastRow();
    assert.equal(row.input_tokens, last.promptTokenCount);
    assert.equal(row.output_tokens, (last.candidatesTokenCount ?? 0) + (last.thoughtsTokenCount ?? 0));
    assert.equal(row.reasoning_tokens, last.thoughtsTokenCount ?? 0);
    assert.equal(row.usage_source, 'reported');
  });

  test('a model missing from the catalog is refused; when the admin allows unpriced models it is recorded without a cost, never at 0', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const forwarded = stack.openai.requests.length;
    await assert.rejects(client.chat.completions.create({ model: 'gpt-unpriced', messages: [{ role: 'user', content: 'x' }] }), { status: 404 });
    assert.equal(stack.openai.requests.length, forwarded);
    await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: true });
    try {
      await client.chat.completions.create({ model: 'gpt-unpriced', messages: [{ role: 'user', content: 'x' }] });
    } finally {
      await stack.gw.admin('PUT', '/admin/settings', { allow_unpriced_models: false });
    }
    const row = await lastRow();
    assert.ok((row.input_tokens ?? 0) > 0);
    assert.equal(row.cost_micro, null);
  });

  test('speech is billed by input characters, DALL·E by count, size and quality, from the request', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    const input = 'Привет, мир! Hello.'; // 19 characters, more bytes
    await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input })).arrayBuffer();
    let row = await lastRow();
    assert.equal(row.usage_source, 'request');
    // 19 characters at $15 per 1M = 285 µUSD → ×100 RUB/USD
    assert.equal(row.cost_micro, 28_500);

    await client.images.generate({ model: 'dall-e-3', prompt: 'a cat', n: 2, size: '1024x1024', quality: 'hd' });
    row = await lastRow();
    assert.equal(row.usage_source, 'request');
    assert.equal(row.cost_usd, '0.16');
    assert.equal(row.cost_micro, 16_000_000);
  });

  test('upstream errors are recorded without usage', async () => {
    const client = new OpenAI({ baseURL: `${stack.gw.url}/openai/v1`, apiKey: key, maxRetries: 0 });
    stack.openai.failNext({ status: 500 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }));
    const row = await lastRow();
    assert.equal(row.input_tokens, null);
    assert.equal(row.cost_micro, null);
  });
});
