import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANTHROPIC_REQUEST_OVERHEAD_TOKENS, estimateAnthropicRequest } from '../../../src/dialects/anthropic/request-estimate.js';
import {
  ANTHROPIC_BUILTIN_TOOL_TOKENS,
  ANTHROPIC_MEDIA,
  ANTHROPIC_TOOL_SYSTEM_PROMPT_TOKENS,
  REFERENCED_CONTENT_TOKENS,
  approximateTokens,
} from '../../../src/lib/token-count.js';
import { CHINESE, CODE, ENGLISH, PDF_MAGIC, PNG_MAGIC, RUSSIAN, base64Payload, json } from './samples.js';

const MESSAGES = '/v1/messages';
const textBytes = (...texts: string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);

const TOOLS = [
  {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    input_schema: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'The unit of temperature' },
      },
      required: ['location'],
    },
  },
  {
    name: 'get_time',
    description: 'Get the current time in a given time zone',
    input_schema: { type: 'object', properties: { timezone: { type: 'string', description: 'IANA time zone name' } }, required: ['timezone'] },
  },
];

describe('estimateAnthropicRequest', () => {
  it('text: every string by the bytes bound, max_tokens as the cap', () => {
    const messages = [
      { role: 'user', content: ENGLISH },
      { role: 'assistant', content: [{ type: 'text', text: RUSSIAN }] },
      { role: 'user', content: [{ type: 'text', text: CHINESE }, { type: 'text', text: CODE }] },
    ];
    const est = estimateAnthropicRequest(MESSAGES, json({ model: 'claude-sonnet-4-5', max_tokens: 4096, system: 'Be precise.', messages }))!;
    const content = approximateTokens(textBytes(ENGLISH)) + approximateTokens(textBytes(RUSSIAN)) + approximateTokens(textBytes(CHINESE)) + approximateTokens(textBytes(CODE));
    assert.ok(est.inputTokens >= content + ANTHROPIC_REQUEST_OVERHEAD_TOKENS, `${est.inputTokens}`);
    assert.ok(est.inputTokens <= content + ANTHROPIC_REQUEST_OVERHEAD_TOKENS + 100, `${est.inputTokens}: more than the keys' share`);
    assert.deepEqual({ max: est.maxOutputTokens, choices: est.choices }, { max: 4096, choices: 1 });
  });

  it('tools add their definitions and the hidden tool-use system prompt; a base64 image its allowance', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: base64Payload(PNG_MAGIC, 600_000) } };
    const messages = [{ role: 'user', content: [image, { type: 'text', text: 'What is the weather where this photo was taken?' }] }];
    const plain = estimateAnthropicRequest(MESSAGES, json({ model: 'claude-opus-4-7', max_tokens: 1024, messages }))!;
    const withTools = estimateAnthropicRequest(MESSAGES, json({ model: 'claude-opus-4-7', max_tokens: 1024, tools: TOOLS, tool_choice: { type: 'auto' }, messages }))!;
    assert.ok(plain.inputTokens >= ANTHROPIC_MEDIA.image && plain.inputTokens < ANTHROPIC_MEDIA.image + 100, `${plain.inputTokens}: the image counted as text?`);
    const toolText = approximateTokens(textBytes(JSON.stringify(TOOLS)) / 2); // at least half the definition's bytes are strings
    assert.ok(withTools.inputTokens - plain.inputTokens >= ANTHROPIC_TOOL_SYSTEM_PROMPT_TOKENS + toolText, `${withTools.inputTokens - plain.inputTokens}`);
    assert.equal(withTools.maxOutputTokens, 1024);
  });

  it('images by URL or file id, PDFs by bytes, documents by reference, Anthropic-defined tools', () => {
    const pdf = base64Payload(PDF_MAGIC, 40_000);
    const content = [
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'image', source: { type: 'file', file_id: 'file_011' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: ENGLISH } },
      { type: 'text', text: 'Summarise all of this.' },
    ];
    const est = estimateAnthropicRequest(MESSAGES, json({
      model: 'claude-sonnet-4-5',
      max_tokens: 2000,
      tools: [{ type: 'bash_20250124', name: 'bash' }, { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }],
      messages: [{ role: 'user', content }],
    }))!;
    const pdfTokens = Math.ceil(Math.floor((pdf.length * 3) / 4) * ANTHROPIC_MEDIA.pdfPerByte);
    const floor =
      2 * ANTHROPIC_MEDIA.image + pdfTokens + REFERENCED_CONTENT_TOKENS + approximateTokens(textBytes(ENGLISH)) +
      ANTHROPIC_TOOL_SYSTEM_PROMPT_TOKENS + 2 * ANTHROPIC_BUILTIN_TOOL_TOKENS;
    assert.ok(est.inputTokens >= floor && est.inputTokens < floor + 300, `${est.inputTokens} vs ${floor}`);
  });

  it('a 5 MB image is one allowance; thinking signatures are not text; redacted thinking is bounded by its bytes', () => {
    const huge = base64Payload([0xff, 0xd8, 0xff, 0xe0], 3_750_000);
    const signature = base64Payload([1, 2, 3], 3_000);
    const redacted = base64Payload([4, 5, 6], 3_000);
    const est = estimateAnthropicRequest(MESSAGES, json({
      model: 'claude-sonnet-4-5',
      max_tokens: 16_000,
      thinking: { type: 'enabled', budget_tokens: 10_000 },
      messages: [
        { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: huge } }, { type: 'text', text: 'Describe it.' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'The user wants a description.', signature }, { type: 'redacted_thinking', data: redacted }, { type: 'text', text: 'A cat.' }] },
        { role: 'user', content: 'More detail, please.' },
      ],
    }))!;
    assert.ok(est.inputTokens >= ANTHROPIC_MEDIA.image + redacted.length, `${est.inputTokens}`);
    assert.ok(est.inputTokens < ANTHROPIC_MEDIA.image + redacted.length + 200, `${est.inputTokens}: the signature or image counted`);
    assert.equal(est.maxOutputTokens, 16_000, 'max_tokens already includes the thinking budget');
  });

  it('only /v1/messages is estimated (count_tokens is free)', () => {
    const body = json({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(estimateAnthropicRequest('/v1/messages/count_tokens', body), undefined);
    assert.equal(estimateAnthropicRequest('/v1/complete', body), undefined);
    assert.equal(estimateAnthropicRequest('/v1/models', body), undefined);
    assert.deepEqual(estimateAnthropicRequest('/v1/messages?beta=true', body), estimateAnthropicRequest(MESSAGES, body));
  });

  it('malformed or truncated bodies never throw', () => {
    const body = json({ model: 'claude-sonnet-4-5', max_tokens: 5, tools: TOOLS, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: base64Payload(PNG_MAGIC, 3000) } }] }] });
    for (let cut = 0; cut <= body.length; cut += 61) {
      const est = estimateAnthropicRequest(MESSAGES, body.subarray(0, cut));
      assert.ok(est && Number.isInteger(est.inputTokens) && est.inputTokens >= ANTHROPIC_REQUEST_OVERHEAD_TOKENS, `cut at ${cut}`);
    }
    for (const text of ['', '{', '[1,2', '{"max_tokens":-1}', '{"max_tokens":"x"}', 'not json at all']) {
      const est = estimateAnthropicRequest(MESSAGES, Buffer.from(text));
      assert.ok(est && est.maxOutputTokens === undefined && est.choices === 1, text);
    }
  });
});
