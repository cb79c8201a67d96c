import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countChatCompletionTokens } from 'gpt-tokenizer/model/gpt-4o';
import type { ChatCompletionRequest } from 'gpt-tokenizer/GptEncoding';
import {
  LEGACY_COMPLETIONS_DEFAULT_MAX_TOKENS,
  OPENAI_REQUEST_OVERHEAD_TOKENS,
  estimateOpenAIRequest,
  modelFamily,
} from '../../../src/dialects/openai/request-estimate.js';
import {
  OPENAI_GPT_4O_MINI_IMAGE_TOKENS,
  OPENAI_MEDIA,
  REFERENCED_CONTENT_TOKENS,
  TOKENIZE_BUDGET_BYTES,
  approximateTokens,
  loadTokenizer,
  tokenizerStats,
} from '../../../src/lib/token-count.js';
import { CHINESE, CODE, ENGLISH, PDF_MAGIC, PNG_MAGIC, RUSSIAN, WAV_MAGIC, base64Payload, json } from './samples.js';

const CHAT = '/v1/chat/completions';
/** A generous time budget where a test asserts what the tokenizer counted (the default 0.25 ms may run out on a busy machine). */
const SLOW_OK = { tokenizeTimeBudgetMs: 1_000 };
const o200k = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

/** OpenAI's documented prompt_tokens for a text chat with functions (gpt-tokenizer implements the known formula). */
function referencePromptTokens(request: ChatCompletionRequest): number {
  return countChatCompletionTokens!(request);
}

const WEATHER_TOOL = {
  name: 'get_current_weather',
  description: 'Get the current weather in a given location',
  parameters: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['location'],
  },
};
const SEARCH_TOOL = {
  name: 'search_orders',
  description: 'Search the order database by customer, date range and status.',
  parameters: {
    type: 'object',
    properties: {
      customer_id: { type: 'string', description: 'Customer id' },
      from: { type: 'string', description: 'ISO date, inclusive' },
      to: { type: 'string', description: 'ISO date, exclusive' },
      status: { type: 'string', enum: ['open', 'shipped', 'cancelled'] },
      limit: { type: 'integer', description: 'Most results to return' },
    },
    required: ['customer_id'],
  },
};

describe('estimateOpenAIRequest', () => {
  before(() => loadTokenizer());

  it('chat, system + user: an upper bound of prompt_tokens, not more than 3× it plus overhead', () => {
    for (const user of [ENGLISH, RUSSIAN, CHINESE, CODE, 'Hi!']) {
      const messages = [
        { role: 'system', content: 'You are a helpful assistant. Answer in the language of the question.' },
        { role: 'user', content: user },
      ];
      const est = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o', messages, max_tokens: 256 }), SLOW_OK)!;
      const real = referencePromptTokens({ messages: messages as ChatCompletionRequest['messages'] });
      assert.ok(est.inputTokens >= real, `${user.slice(0, 10)}: ${est.inputTokens} < ${real}`);
      assert.ok(est.inputTokens <= 3 * real + 64, `${user.slice(0, 10)}: ${est.inputTokens} > 3 × ${real} + 64`);
      assert.deepEqual({ max: est.maxOutputTokens, choices: est.choices }, { max: 256, choices: 1 });
    }
  });

  it('chat with tools: tool definitions count, and the bound holds against the function-calling formula', () => {
    const messages = [
      { role: 'system', content: 'You are a support agent for an online shop.' },
      { role: 'user', content: 'Where is my order from last week? My customer id is C-1042. Also, is it raining in Boston?' },
    ];
    const tools = [WEATHER_TOOL, SEARCH_TOOL].map((f) => ({ type: 'function', function: f }));
    const withTools = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4.1', messages, tools, tool_choice: 'auto', max_completion_tokens: 1000 }), SLOW_OK)!;
    const without = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4.1', messages, max_completion_tokens: 1000 }), SLOW_OK)!;
    const real = referencePromptTokens({ messages: messages as ChatCompletionRequest['messages'], functions: [WEATHER_TOOL, SEARCH_TOOL] as ChatCompletionRequest['functions'] });
    assert.ok(withTools.inputTokens >= real, `${withTools.inputTokens} < ${real}`);
    assert.ok(withTools.inputTokens <= 3 * real + 64, `${withTools.inputTokens} > 3 × ${real} + 64`);
    assert.ok(withTools.inputTokens - without.inputTokens >= real - referencePromptTokens({ messages: messages as ChatCompletionRequest['messages'] }));
    assert.equal(withTools.maxOutputTokens, 1000);
  });

  it('multi-turn chat in several languages, with n', () => {
    const turns = [ENGLISH, RUSSIAN, CHINESE, CODE, ENGLISH.slice(0, 200), RUSSIAN.slice(0, 300)];
    const messages = [{ role: 'system', content: 'Be brief.' }, ...turns.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content }))];
    const est = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o-2024-08-06', messages, n: 3, max_completion_tokens: 500, max_tokens: 9 }), SLOW_OK)!;
    const real = referencePromptTokens({ messages: messages as ChatCompletionRequest['messages'] });
    assert.ok(est.inputTokens >= real && est.inputTokens <= 3 * real + 64, `${est.inputTokens} vs ${real}`);
    assert.deepEqual({ max: est.maxOutputTokens, choices: est.choices }, { max: 500, choices: 3 });
  });

  it('counts o200k text for OpenAI models only; other models on this dialect get the bytes bound', () => {
    const messages = [{ role: 'user', content: ENGLISH }];
    const before = tokenizerStats();
    const claude = estimateOpenAIRequest(CHAT, json({ model: 'anthropic/claude-sonnet-4.5', messages }))!;
    const deepseek = estimateOpenAIRequest(CHAT, json({ messages, model: 'deepseek-chat' }))!;
    assert.deepEqual(tokenizerStats(), before, 'no tokenizer call for non-OpenAI models');
    assert.ok(claude.inputTokens >= approximateTokens(Buffer.byteLength(ENGLISH)));
    assert.equal(deepseek.inputTokens, claude.inputTokens - approximateTokens('anthropic/claude-sonnet-4.5'.length) + approximateTokens('deepseek-chat'.length));
    const gpt = estimateOpenAIRequest(CHAT, json({ messages, model: 'gpt-5-mini' }), SLOW_OK)!;
    assert.ok(gpt.inputTokens < claude.inputTokens, 'o200k counted the OpenAI model tighter');
    assert.equal(estimateOpenAIRequest(CHAT, json({ messages, model: 'gpt-5-mini' }), { tokenizer: 'approximate' })!.inputTokens, claude.inputTokens - approximateTokens(27) + approximateTokens(10));
    assert.deepEqual(
      ['gpt-4o', 'openai/gpt-4.1-mini', 'ft:gpt-4o-mini:acme::x1', 'o3-pro', 'gpt-4-turbo', 'text-embedding-3-small', 'grok-4', undefined].map(modelFamily),
      ['o200k', 'o200k', 'o200k', 'o200k', 'cl100k', 'cl100k', 'other', 'other'],
    );
  });

  it('an inline image is counted by allowance, not as 200 KB of text', () => {
    const url = `data:image/png;base64,${base64Payload(PNG_MAGIC, 150_000)}`; // ~200 KB of base64
    assert.ok(url.length > 195_000);
    const body = json({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url, detail: 'high' } }] }],
    });
    const est = estimateOpenAIRequest(CHAT, body, SLOW_OK)!;
    assert.ok(est.inputTokens >= OPENAI_MEDIA.image, `${est.inputTokens}`);
    assert.ok(est.inputTokens <= OPENAI_MEDIA.image + 100, `${est.inputTokens}: the image was counted as text`);
  });

  it('a 5 MB base64 image yields the allowance; by URL too; gpt-4o-mini gets its own', () => {
    const huge = base64Payload([0xff, 0xd8, 0xff, 0xe0], 3_750_000);
    assert.ok(huge.length >= 5_000_000);
    const part = (url: string) => ({ type: 'image_url', image_url: { url } });
    const messages = (...urls: string[]) => [{ role: 'user', content: [{ type: 'text', text: 'Compare these.' }, ...urls.map(part)] }];
    const one = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o', messages: messages(`data:image/jpeg;base64,${huge}`) }))!;
    assert.ok(one.inputTokens < OPENAI_MEDIA.image + 100, `${one.inputTokens}`);
    const two = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o', messages: messages(`data:image/jpeg;base64,${huge}`, 'https://example.com/cat.png') }))!;
    assert.ok(two.inputTokens >= 2 * OPENAI_MEDIA.image && two.inputTokens < 2 * OPENAI_MEDIA.image + 100, `${two.inputTokens}`);
    const mini = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o-mini', messages: messages('https://example.com/cat.png') }))!;
    assert.ok(mini.inputTokens >= OPENAI_GPT_4O_MINI_IMAGE_TOKENS, `${mini.inputTokens}`);
    // Responses API image input, by data URL, by URL or by file id
    const responses = estimateOpenAIRequest('/v1/responses', json({
      model: 'gpt-5',
      input: [{ role: 'user', content: [
        { type: 'input_text', text: 'Describe.' },
        { type: 'input_image', image_url: `data:image/jpeg;base64,${huge}` },
        { type: 'input_image', file_id: 'file-abc' },
      ] }],
    }))!;
    assert.ok(responses.inputTokens >= 2 * OPENAI_MEDIA.image && responses.inputTokens < 2 * OPENAI_MEDIA.image + 100, `${responses.inputTokens}`);
  });

  it('audio and PDF inputs by bytes, referenced files and stored state by allowance', () => {
    const wav = base64Payload(WAV_MAGIC, 96_000);
    const audio = estimateOpenAIRequest(CHAT, json({
      model: 'gpt-4o-audio-preview',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: wav, format: 'wav' } }] }],
    }))!;
    const audioTokens = Math.ceil(Math.floor((wav.length * 3) / 4) * OPENAI_MEDIA.audioPerByte);
    assert.ok(audio.inputTokens >= audioTokens && audio.inputTokens < audioTokens + 100, `${audio.inputTokens}`);

    const pdf = base64Payload(PDF_MAGIC, 30_000);
    const file = estimateOpenAIRequest(CHAT, json({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${pdf}` } }, { type: 'file', file: { file_id: 'file-xyz' } }] }],
    }))!;
    const pdfTokens = Math.ceil(Math.floor((pdf.length * 3) / 4) * OPENAI_MEDIA.pdfPerByte);
    assert.ok(file.inputTokens >= pdfTokens + REFERENCED_CONTENT_TOKENS, `${file.inputTokens}`);
    assert.ok(file.inputTokens < pdfTokens + REFERENCED_CONTENT_TOKENS + 200, `${file.inputTokens}`);

    const followUp = estimateOpenAIRequest('/v1/responses', json({ model: 'o4-mini', previous_response_id: 'resp_123', input: 'And then?' }))!;
    assert.ok(followUp.inputTokens >= REFERENCED_CONTENT_TOKENS);
  });

  it('base64 pasted as a whole message is text to the model: one token per byte bounds it', () => {
    const pasted = base64Payload(PNG_MAGIC, 3_000);
    const asText = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o', messages: [{ role: 'user', content: pasted }] }))!;
    assert.ok(asText.inputTokens >= pasted.length, `${asText.inputTokens}`);
    assert.ok(asText.inputTokens >= o200k(pasted));
    // Known limit (documented in request-estimate.ts): base64 *inside* prose is approximated at 2 bytes a token,
    // while o200k spends ~1.46 characters a token on it.
    const mixed = estimateOpenAIRequest(CHAT, json({ model: 'gpt-4o', messages: [{ role: 'user', content: `decode this: ${pasted}` }] }))!;
    assert.ok(mixed.inputTokens >= approximateTokens(pasted.length) && mixed.inputTokens < pasted.length);
  });

  it('a 2 MB prompt is approximated, never tokenized whole, and still bounds the real count', () => {
    const prompt = (ENGLISH + '\n').repeat(Math.ceil(2_000_000 / (ENGLISH.length + 1)));
    const body = json({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Summarise.' }, { role: 'user', content: prompt }] });
    const before = tokenizerStats();
    const est = estimateOpenAIRequest(CHAT, body)!;
    const after = tokenizerStats();
    assert.ok(after.bytes - before.bytes <= TOKENIZE_BUDGET_BYTES, `tokenized ${after.bytes - before.bytes} bytes`);
    assert.ok(est.inputTokens >= approximateTokens(Buffer.byteLength(prompt)));
    assert.ok(est.inputTokens >= o200k(prompt), 'bounds the real count');
    assert.equal(est.maxOutputTokens, undefined);
  });

  it('legacy completions: string or token prompts, the 16-token default, best_of', () => {
    const text = estimateOpenAIRequest('/v1/completions', json({ model: 'gpt-3.5-turbo-instruct', prompt: ENGLISH }))!;
    assert.ok(text.inputTokens >= o200k(ENGLISH));
    assert.equal(text.maxOutputTokens, LEGACY_COMPLETIONS_DEFAULT_MAX_TOKENS);
    const tokens = estimateOpenAIRequest('/v1/completions', json({ model: 'davinci-002', prompt: [[1, 2, 3], [4, 5]], max_tokens: 50, n: 2, best_of: 5 }))!;
    assert.ok(tokens.inputTokens >= 5 && tokens.inputTokens <= 5 + OPENAI_REQUEST_OVERHEAD_TOKENS + 32, `${tokens.inputTokens}`);
    assert.deepEqual({ max: tokens.maxOutputTokens, choices: tokens.choices }, { max: 50, choices: 5 });
    // another host of this dialect keeps its own default: no cap assumed
    assert.equal(estimateOpenAIRequest('/v1/completions', json({ model: 'meta-llama/llama-3-70b', prompt: 'Hi' }))!.maxOutputTokens, undefined);
  });

  it('responses: input, instructions and max_output_tokens', () => {
    const est = estimateOpenAIRequest('/v1/responses', json({ model: 'gpt-5', instructions: RUSSIAN, input: ENGLISH, max_output_tokens: 2048, reasoning: { effort: 'high' } }), SLOW_OK)!;
    assert.ok(est.inputTokens >= o200k(RUSSIAN) + o200k(ENGLISH));
    assert.deepEqual({ max: est.maxOutputTokens, choices: est.choices }, { max: 2048, choices: 1 });
  });

  it('embeddings: strings and token arrays, no output', () => {
    const inputs = [ENGLISH, RUSSIAN, CHINESE];
    const strings = estimateOpenAIRequest('/v1/embeddings', json({ model: 'text-embedding-3-small', input: inputs }))!;
    assert.ok(strings.inputTokens >= inputs.reduce((s, t) => s + o200k(t), 0));
    assert.deepEqual({ max: strings.maxOutputTokens, choices: strings.choices }, { max: 0, choices: 1 });
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    const arrays = estimateOpenAIRequest('/v1/embeddings', json({ model: 'text-embedding-3-large', input: [ids, ids.slice(0, 10)], dimensions: 256 }))!;
    assert.ok(arrays.inputTokens >= 1010 && arrays.inputTokens <= 1010 + OPENAI_REQUEST_OVERHEAD_TOKENS + 40, `${arrays.inputTokens}`);
  });

  it('other paths are not estimated; a query string is ignored', () => {
    const body = json({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    for (const path of ['/v1/models', '/v1/images/generations', '/v1/audio/speech', '/v1/chat/completions/x', '/v2/chat/completions']) {
      assert.equal(estimateOpenAIRequest(path, body), undefined, path);
    }
    assert.deepEqual(estimateOpenAIRequest('/v1/chat/completions?api-version=1', body), estimateOpenAIRequest(CHAT, body));
  });

  it('malformed or truncated bodies never throw', () => {
    const body = json({ model: 'gpt-4o', max_tokens: 77, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${base64Payload(PNG_MAGIC, 4000)}` } }] }] });
    for (let cut = 0; cut <= body.length; cut += 97) {
      const est = estimateOpenAIRequest(CHAT, body.subarray(0, cut));
      assert.ok(est && Number.isInteger(est.inputTokens) && est.inputTokens > 0 && est.choices === 1, `cut at ${cut}`);
    }
    for (const text of ['', 'null', '[]', '"x"', '{"messages":', '{"max_tokens":"lots","n":-3}', '{"max_tokens":1e400}', '\u0000\u0001']) {
      const est = estimateOpenAIRequest(CHAT, Buffer.from(text));
      assert.ok(est && est.inputTokens >= OPENAI_REQUEST_OVERHEAD_TOKENS && est.choices === 1 && est.maxOutputTokens === undefined, text);
    }
  });
});
