import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Op } from '../../src/core/ops.js';
import { CHAT_BRIDGES, DIALECTS, dialectServes } from '../../src/dialects/index.js';
import { PROVIDERS, type ProviderSpec } from '../../src/providers/index.js';
import { ProviderRegistry } from '../../src/providers/registry.js';

const anthropic = PROVIDERS.find((p) => p.id === 'anthropic')!;
const gemini = PROVIDERS.find((p) => p.id === 'gemini')!;

describe('the provider registry refuses operations a dialect cannot carry', () => {
  it('boots with the built-in providers', () => {
    assert.doesNotThrow(() => new ProviderRegistry(PROVIDERS));
  });

  it('refuses a provider that claims an op its dialect has neither a codec nor a chat bridge for', () => {
    const claimsImages: ProviderSpec = { ...anthropic, ops: new Set<Op>(['chat', 'images.generate']) };
    assert.throws(() => new ProviderRegistry([claimsImages]), /anthropic claims images\.generate, which the anthropic dialect has no codec for/);
  });

  it('takes an op served through a chat bridge as served', () => {
    assert.equal(DIALECTS.anthropic.ops.responses, undefined);
    assert.ok(CHAT_BRIDGES.responses);
    assert.ok(dialectServes('anthropic', 'responses'));
    assert.ok(dialectServes('gemini', 'completions'));
    assert.ok(!dialectServes('gemini', 'audio.speech'));
  });

  it('refuses a catalog model that claims such an op, and one of an unknown provider', () => {
    const registry = new ProviderRegistry(PROVIDERS);
    assert.doesNotThrow(() => registry.checkModel({ id: 'gemini-embedding-001', provider: gemini.id, ops: ['embeddings'] }));
    assert.throws(() => registry.checkModel({ id: 'gemini-2.5-flash-tts', provider: gemini.id, ops: ['audio.speech'] }), /model gemini\/gemini-2\.5-flash-tts claims audio\.speech/);
    assert.throws(() => registry.checkModel({ id: 'x', provider: 'nowhere', ops: ['chat'] }), /unknown provider "nowhere"/);
  });
});
