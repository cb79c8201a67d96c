import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../../src/core/errors.js';
import { completionsAsChat } from '../../../src/dialects/openai/chat-as-completions.js';

const base = { model: 'anthropic/claude-sonnet-4-20250514', prompt: 'Say hi' };

// How a prompt becomes chat, and a chat answer a completion: the bridge's fixture cases in
// src/dialects/openai/__fixtures__/bridges/completions/ (test/unit/dialect-ops.test.ts).

test('what a chat model cannot do is refused with the parameter named, 0 log-probabilities included', () => {
  const cases: Array<[string, unknown]> = [['suffix', ' end'], ['echo', true], ['logprobs', 0], ['logprobs', 1], ['best_of', 3], ['logit_bias', { '50256': -100 }]];
  for (const [param, value] of cases) {
    assert.throws(() => completionsAsChat({ ...base, [param]: value }), (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === param, `${param}=${JSON.stringify(value)}`);
  }
  assert.throws(() => completionsAsChat({ ...base, prompt: ['a', 'b'] }), { param: 'prompt' });
});
