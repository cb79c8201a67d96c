import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageChunkFilter } from '../../../src/dialects/openai/usage-chunk-filter.js';

const chunk = (extra: string) => `data: {"id":"c1","object":"chat.completion.chunk","choices":[${extra}],"usage":null}`;
const events = [
  chunk('{"index":0,"delta":{"role":"assistant","content":""}}'),
  chunk('{"index":0,"delta":{"content":"Hello \\"usage\\": {x}"}}'),
  chunk('{"index":0,"delta":{},"finish_reason":"stop"}'),
];
const usage = 'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}';
const spacedUsage = 'data: {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3}}';

function run(input: string, pieces: number[]): string {
  const filter = new UsageChunkFilter();
  const bytes = Buffer.from(input);
  const out: Buffer[] = [];
  let at = 0;
  for (const size of pieces) {
    out.push(filter.push(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(filter.push(bytes.subarray(at)), filter.end());
  return Buffer.concat(out).toString();
}

for (const eol of ['\n', '\r\n']) {
  test(`drops exactly the usage-only event, whatever the chunking (${JSON.stringify(eol)})`, () => {
    const sep = eol + eol;
    const input = [...events, usage, 'data: [DONE]'].join(sep) + sep;
    const expected = [...events, 'data: [DONE]'].join(sep) + sep;
    assert.equal(run(input, []), expected);
    for (let size = 1; size <= 40; size += 3) {
      assert.equal(run(input, Array.from({ length: Math.ceil(input.length / size) }, () => size)), expected, `pieces of ${size}`);
    }
  });
}

test('spaced JSON from OpenAI-compatible hosts is recognised too; other events pass untouched', () => {
  const input = `${events[0]}\n\n${spacedUsage}\n\ndata: [DONE]\n\n`;
  assert.equal(run(input, [7, 50]), `${events[0]}\n\ndata: [DONE]\n\n`);
  const noUsage = `${events.join('\n\n')}\n\ndata: [DONE]\n\n`;
  assert.equal(run(noUsage, [5, 5, 5]), noUsage);
});

test('the chat stream tap finds the usage of a stream longer than what it keeps', async () => {
  const { OpenAIChatStreamTap } = await import('../../../src/dialects/openai/chat-stream-tap.js');
  const tap = new OpenAIChatStreamTap();
  const filler = `${chunk(`{"index":0,"delta":{"content":"${'x'.repeat(4000)}"}}`)}\n\n`;
  for (let i = 0; i < 2600; i++) tap.push(Buffer.from(filler)); // ~10 MB, past the 8 MB kept
  const tail = Buffer.from(`${usage}\n\ndata: [DONE]\n\n`);
  tap.push(tail.subarray(0, 30));
  tap.push(tail.subarray(30));
  const result = tap.end();
  assert.equal(result.complete, true);
  assert.deepEqual(result.usage && [result.usage.inputTokens, result.usage.outputTokens], [3, 2]);
});
