import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelAllowed } from '../../src/core/model-patterns.js';

test('no list allows every model', () => {
  assert.equal(modelAllowed(null, ['openai'], 'gpt-4o'), true);
});

test('exact names, prefixes and provider patterns', () => {
  const patterns = ['gpt-4o*', 'anthropic/*', 'gemini-2.5-flash'];
  assert.equal(modelAllowed(patterns, ['openai'], 'gpt-4o'), true);
  assert.equal(modelAllowed(patterns, ['openai'], 'gpt-4o-mini'), true);
  assert.equal(modelAllowed(patterns, ['openai'], 'gpt-4.1'), false);
  assert.equal(modelAllowed(patterns, ['anthropic'], 'claude-sonnet-4-20250514'), true);
  assert.equal(modelAllowed(patterns, ['openai'], 'claude-sonnet-4-20250514'), false, 'the provider part must match the provider serving it');
  assert.equal(modelAllowed(patterns, ['gemini', 'google'], 'gemini-2.5-flash'), true);
  assert.equal(modelAllowed(patterns, ['gemini', 'google'], 'gemini-2.5-pro'), false);
});

test('provider aliases both match, and pattern characters are literal except *', () => {
  assert.equal(modelAllowed(['google/*'], ['gemini', 'google'], 'gemini-2.5-pro'), true);
  assert.equal(modelAllowed(['gpt-4.1'], ['openai'], 'gpt-401'), false, '. is not a wildcard');
  assert.equal(modelAllowed([], ['openai'], 'gpt-4o'), false, 'an empty list allows nothing');
});
