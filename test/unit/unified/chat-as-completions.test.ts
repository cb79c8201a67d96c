import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../../src/core/errors.js';
import { completionsAsChat } from '../../../src/dialects/openai/chat-as-completions.js';

const base = { model: 'anthropic/claude-sonnet-4-20250514', prompt: 'Say hi' };

test('the prompt becomes one user message; sampling parameters pass, the rest is left out', () => {
  const chat = completionsAsChat({ ...base, max_tokens: 5, temperature: 0.2, stop: ['\n'], stream: true, user: 'u1', echo: false, best_of: 1, suffix: '', logit_bias: {} });
  assert.deepEqual(chat, { model: base.model, messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 5, temperature: 0.2, stop: ['\n'], stream: true, user: 'u1' });
  assert.deepEqual(completionsAsChat({ ...base, prompt: ['one'] }).messages, [{ role: 'user', content: 'one' }]);
});

test('what a chat model cannot do is refused with the parameter named, 0 log-probabilities included', () => {
  const cases: Array<[string, unknown]> = [['suffix', ' end'], ['echo', true], ['logprobs', 0], ['logprobs', 1], ['best_of', 3], ['logit_bias', { '50256': -100 }]];
  for (const [param, value] of cases) {
    assert.throws(() => completionsAsChat({ ...base, [param]: value }), (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === param, `${param}=${JSON.stringify(value)}`);
  }
  assert.throws(() => completionsAsChat({ ...base, prompt: ['a', 'b'] }), { param: 'prompt' });
  assert.throws(() => completionsAsChat({ ...base, prompt: [1, 2, 3] }), { param: 'prompt' });
});
