import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalOf } from '../../src/core/decimal.js';
import { estimateCost } from '../../src/services/billing/estimate-cost.js';
import type { ModelEntry } from '../../src/services/catalog/model-entry.js';

const settings = { usdRubRate: decimalOf('100'), markup: decimalOf('1'), allowUnpricedModels: false, usdRubRateSource: 'admin' as const };
const chatModel: ModelEntry = {
  provider: 'openai',
  id: 'gpt-4o',
  aliases: [],
  ops: ['chat'],
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  pricing: { prices: { inputPerMtok: '2.50', outputPerMtok: '10.00' } },
  enabled: true,
  fallbacks: [],
};
const micro = (usd: number) => Math.ceil(usd * 100 * 1_000_000);

test('hold = input bound × input price + the request\'s output cap × output price × answers', () => {
  const estimate = estimateCost(chatModel, { tokens: { inputTokens: 1000, maxOutputTokens: 500, choices: 2 } }, settings);
  assert.deepEqual(estimate, {
    ok: true,
    micro: micro((1000 * 2.5 + 1000 * 10) / 1e6),
    inputTokens: 1000,
    // what a provider may report before it is not believed: 2 × input + 1,024; the output cap × 1.05 + 32
    bounds: { inputTokens: 3024, outputTokens: 1082 },
  });
});

test('usage bounds: a prompt referencing content of unknown size may report up to twice the context window', () => {
  const estimate = estimateCost(chatModel, { tokens: { inputTokens: 1000, maxOutputTokens: 10, choices: 1, referenced: true } }, settings);
  assert.deepEqual(estimate.ok && estimate.bounds, { inputTokens: 256_000, outputTokens: 43 });
  const speech = estimateCost(
    { ...chatModel, pricing: { prices: { perMillionCharacters: '15' } } } as ModelEntry,
    { requestUsage: { usage: { inputTokens: 0, outputTokens: 0, units: { character: 10 } } } },
    settings,
  );
  assert.equal(speech.ok && speech.bounds, undefined, 'calls billed from the request are not bounded by tokens');
});

test('no cap in the request: the model\'s maximum output; a cap above it is cut to it', () => {
  const none = estimateCost(chatModel, { tokens: { inputTokens: 0, choices: 1 } }, settings);
  assert.equal(none.ok && none.micro, micro((16_384 * 10) / 1e6));
  const above = estimateCost(chatModel, { tokens: { inputTokens: 0, maxOutputTokens: 1_000_000, choices: 1 } }, settings);
  assert.equal(above.ok && above.micro, micro((16_384 * 10) / 1e6));
});

test('input is never held above the context window', () => {
  const estimate = estimateCost(chatModel, { tokens: { inputTokens: 10_000_000, maxOutputTokens: 0, choices: 1 } }, settings);
  assert.equal(estimate.ok && estimate.inputTokens, 128_000);
});

test('no rate, or a price the request needs is missing: not ok, with what is missing', () => {
  assert.deepEqual(estimateCost(chatModel, { tokens: { inputTokens: 1, choices: 1 } }, { ...settings, usdRubRate: null }), { ok: false, missing: 'USD→RUB rate' });
  const speech = estimateCost(chatModel, { requestUsage: { usage: { inputTokens: 0, outputTokens: 0, units: { character: 10 } } } }, settings);
  assert.equal(speech.ok, false);
});

test('transcription: per-minute models by duration (header or size bound), token-priced ones per second of audio', () => {
  const whisper: ModelEntry = { ...chatModel, id: 'whisper-1', pricing: { prices: { perMinute: '0.006' } } };
  const known = estimateCost(whisper, { uploadBytes: 1_000_000, audioSeconds: 30 }, settings);
  assert.equal(known.ok && known.micro, micro(30 * 0.0001));
  const bound = estimateCost(whisper, { uploadBytes: 200_000 }, settings);
  assert.equal(bound.ok && bound.micro, micro(100 * 0.0001), '200 KB at ≥ 2,000 bytes a second lasts at most 100 s');
  const tokens = estimateCost({ ...chatModel, id: 'gpt-4o-transcribe' }, { uploadBytes: 0, audioSeconds: 10 }, settings);
  assert.equal(tokens.ok && tokens.micro, micro((200 * 2.5 + 100 * 10) / 1e6));
});
