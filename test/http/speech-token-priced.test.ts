// gpt-4o-mini-tts bills text input tokens + audio output tokens (no per-character price). The speech answer
// is bare audio with no usage, so the call is billed at the request's documented upper bound, never 0.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { speechTokens } from '../../src/dialects/openai/request-usage.js';
import { startStack, type Stack } from '../helpers/stack.js';

const RATE = 100n; // RUB per USD in the test gateway (markup 1)

describe('token-priced speech (gpt-4o-mini-tts)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const lastRow = async () => {
    await stack.gw.app.flush();
    return (await stack.gw.app.store.db.kysely.selectFrom('requests').selectAll().orderBy('created_at', 'desc').limit(1).execute())[0]!;
  };
  const speak = (path: string, body: Record<string, unknown>) =>
    fetch(`${stack.gw.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  for (const path of ['/v1/audio/speech', '/openai/v1/audio/speech']) {
    test(`${path}: 200, billed by the estimate in tokens, recorded as estimated`, async () => {
      const input = 'Привет! Это проверка синтеза речи.';
      const res = await speak(path, { model: 'gpt-4o-mini-tts', voice: 'alloy', input });
      assert.equal(res.status, 200, await res.clone().text());
      await res.arrayBuffer();
      const row = await lastRow();
      assert.equal(row.model, 'gpt-4o-mini-tts');
      assert.equal(row.usage_source, 'estimated');
      const expected = speechTokens(input, '', 1);
      assert.equal(row.input_tokens, expected.inputTokens);
      assert.equal(row.output_tokens, expected.outputTokens);
      // $0.60 per 1M text tokens + $12 per 1M audio tokens, in micro-rubles at 100 RUB/USD, rounded up once.
      const microUsdTimes1M = BigInt(expected.inputTokens) * 600_000n + BigInt(expected.outputTokens) * 12_000_000n;
      const micro = (microUsdTimes1M * RATE + 999_999n) / 1_000_000n;
      assert.ok((row.cost_micro ?? 0) > 0);
      assert.equal(BigInt(row.cost_micro!), micro);
    });
  }

  test('tts-1 is still billed per character', async () => {
    const res = await speak('/v1/audio/speech', { model: 'tts-1', voice: 'alloy', input: 'hello' });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const row = await lastRow();
    assert.equal(row.usage_source, 'request');
    assert.equal(row.cost_micro, 5 * 15 * 100); // 5 characters × $15 per 1M × 100 RUB/USD = 7500 µRUB
  });
});

describe('speechTokens: an upper bound from the text', () => {
  test('about 2.1 audio tokens per character (10 characters a second), more for CJK and slow speed', () => {
    assert.equal(speechTokens('a'.repeat(100), '', 1).audioOutputTokens, 209); // 10 s × 20.83 tokens/s
    assert.equal(speechTokens('中'.repeat(100), '', 1).audioOutputTokens, 521); // 25 s
    assert.equal(speechTokens('a'.repeat(100), '', 0.5).audioOutputTokens, 417);
    assert.equal(speechTokens('a'.repeat(100), '', 2).audioOutputTokens, 209, 'faster speech is not discounted');
    assert.ok(speechTokens('hello', 'speak warmly', 1).inputTokens > speechTokens('hello', '', 1).inputTokens);
  });
});
