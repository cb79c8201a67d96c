// The catalog sync (scripts/catalog-sync.ts) against a recorded subset of @pydantic/genai-prices 0.1.8's data,
// not the live package: the mapping to seed fields, the merge with tollgate's overrides, and the review diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatChange, priceDiff } from '../../scripts/catalog/diff.js';
import { buildSeed, formatSeed, keepRetrievedDate, PACKAGE_SOURCE_URL, type OverrideDoc, type SeedDoc } from '../../scripts/catalog/merge.js';
import { decimalText, findPackageModel, mapPackagePrices, matches, PACKAGE_PROVIDER, type PackageProvider } from '../../scripts/catalog/package-map.js';

const fixture = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'catalog-sync', 'genai-prices-0.1.8.json'), 'utf8')) as {
  providers: Record<string, PackageProvider>;
};
const openai = fixture.providers['openai']!;
const anthropic = fixture.providers['anthropic']!;
const deepseek = fixture.providers['deepseek']!;
const model = (provider: PackageProvider, id: string) => provider.models.find((m) => m.id === id)!;

test('package numbers become exact decimal strings through their text, never arithmetic', () => {
  assert.equal(decimalText(2.5), '2.5');
  assert.equal(decimalText(0.0028), '0.0028');
  assert.equal(decimalText(1.5e-7), '0.00000015');
  assert.equal(decimalText(120), '120');
  assert.throws(() => decimalText(-1));
});

test('match rules: exact id first, then the package match logic, then aliases', () => {
  assert.ok(matches({ or: [{ starts_with: 'claude-opus-4-8' }, { equals: 'x' }] }, 'claude-opus-4-8-20260101'));
  assert.ok(!matches({ and: [{ starts_with: 'a' }, { regex: '^(?!.*-tts)' }] }, 'a-tts'));
  assert.equal(findPackageModel(openai, ['gpt-4o-2024-08-06'])?.id, 'gpt-4o');
  assert.equal(findPackageModel(openai, ['nothing', 'gpt-4o-mini-tts'])?.id, 'gpt-4o-mini-tts');
  assert.equal(findPackageModel(openai, ['nothing']), undefined);
});

test('prices map to seed fields; unknown package keys are reported, not imported', () => {
  const mapped = mapPackagePrices(model(anthropic, 'claude-opus-4-8'), '2026-12-02');
  assert.deepEqual(mapped.prices, {
    input_per_mtok: '5', cache_write_per_mtok: '6.25', cached_input_per_mtok: '0.5', output_per_mtok: '25', cache_write_1h_per_mtok: '10',
  });
  assert.deepEqual(mapped.notImported, ['web_searches_kcount']);
  assert.deepEqual(mapped.tiers, []);
});

test('per-field package tiers become whole-request tiers at the same threshold (> start)', () => {
  const mapped = mapPackagePrices(model(openai, 'gpt-5.4'), '2026-12-02');
  assert.deepEqual(mapped.prices, { input_per_mtok: '2.5', cached_input_per_mtok: '0.25', output_per_mtok: '15' });
  assert.deepEqual(mapped.tiers, [{ above_input_tokens: 271999, input_per_mtok: '5', cached_input_per_mtok: '0.5', output_per_mtok: '22.5' }]);
});

test('dated prices: the latest one started on the sync date wins; time-of-day discounts are skipped', () => {
  const before = mapPackagePrices(model(deepseek, 'deepseek-v4-flash'), '2026-08-16');
  const after = mapPackagePrices(model(deepseek, 'deepseek-v4-flash'), '2026-12-02');
  assert.equal(before.prices['input_per_mtok'], '0.14');
  assert.equal(after.prices['input_per_mtok'], '0.22');
  assert.equal(after.prices['output_per_mtok'], '0.66');
  assert.ok(after.notImported.some((n) => n.startsWith('time-of-day')));
});

const overrides: OverrideDoc = {
  provider: 'openai',
  sources: [{ url: 'https://example.com/page', retrieved: '2026-11-22' }],
  models: [
    { id: 'gpt-4o-mini-tts', ops: ['audio.speech'], prices: { output_per_mtok: null, audio_output_per_mtok: '12' } },
    { id: 'gpt-4o', aliases: ['gpt-4o-2024-08-06'], ops: ['chat'], context_window: 128000, max_output_tokens: 16384, prices: { input_per_mtok: '2.60' } },
    { id: 'gpt-5.4', ops: ['responses'], max_output_tokens: 128000, tiers: [] },
    { id: 'tts-1', ops: ['audio.speech'], prices: { per_million_characters: '15.00' } },
    { id: 'gpt-4o-mini', ops: ['chat'], package_model: false, prices: { input_per_mtok: '0.15', output_per_mtok: '0.60' } },
  ],
};

test('overrides win field by field; null removes a package field; tiers: [] drops the package tiers', () => {
  const { doc, notes } = buildSeed(overrides, openai, '2026-12-02', '@pydantic/genai-prices 0.1.8');
  const [tts, gpt4o, gpt54, tts1, mini] = doc.models;
  assert.deepEqual(tts, { id: 'gpt-4o-mini-tts', ops: ['audio.speech'], prices: { input_per_mtok: '0.6', audio_output_per_mtok: '12' } });
  assert.deepEqual(gpt4o!['prices'], { input_per_mtok: '2.60', cached_input_per_mtok: '1.25', output_per_mtok: '10' });
  assert.equal(gpt54!['tiers'], undefined);
  assert.equal(gpt54!['context_window'], 1050000, 'the package fills a context window the override leaves out');
  assert.deepEqual(tts1, { id: 'tts-1', ops: ['audio.speech'], prices: { per_million_characters: '15.00' } });
  assert.equal(mini!['package_model'], undefined, 'sync-only keys are not written to the seed');
  assert.deepEqual(notes, [{ model: 'gpt-4o', text: 'override input_per_mtok "2.60" wins over the package\'s "2.5" (gpt-4o)' }]);
  assert.deepEqual(doc.sources.at(-1), {
    url: 'https://github.com/pydantic/genai-prices', retrieved: '2026-12-02', note: '@pydantic/genai-prices 0.1.8, provider "openai"; prices of models without an override',
  });
  assert.equal(Object.keys(gpt4o!).join(','), 'id,aliases,ops,context_window,max_output_tokens,prices', 'stable key order');
});

test('a rebuild on another day without a price change keeps the file byte for byte', () => {
  const first = buildSeed(overrides, openai, '2026-12-02', 'pkg').doc;
  const later = keepRetrievedDate(buildSeed(overrides, openai, '2026-12-09', 'pkg').doc, JSON.parse(formatSeed(first)) as SeedDoc);
  assert.equal(formatSeed(later), formatSeed(first));
});

test('the review diff lists added, removed and changed prices, comparing decimals by value', () => {
  const before = { models: [
    { id: 'a', prices: { input_per_mtok: '2.50', output_per_mtok: '10' } },
    { id: 'gone', prices: { input_per_mtok: '1' } },
    { id: 't', prices: { input_per_mtok: '1' }, tiers: [{ above_input_tokens: 200000, input_per_mtok: '2' }] },
  ] };
  const after = { models: [
    { id: 'a', prices: { input_per_mtok: '2.5', output_per_mtok: '12' }, deprecated: '2026-10-23' },
    { id: 't', prices: { input_per_mtok: '1', per_image: { '1024x1024/hd': '0.08' } }, tiers: [{ above_input_tokens: 200000, input_per_mtok: '3' }] },
    { id: 'new', prices: { input_per_mtok: '1' } },
  ] };
  assert.deepEqual(priceDiff(before, after).map((c) => formatChange('openai', c)), [
    '~ openai/a output_per_mtok: 10 → 12',
    '~ openai/a deprecated: (none) → 2026-10-23',
    '~ openai/t tiers[>200000].input_per_mtok: 2 → 3',
    '~ openai/t per_image["1024x1024/hd"]: (none) → 0.08',
    '+ openai/new added: input_per_mtok=1',
    '- openai/gone removed',
  ]);
});

test('the committed seed files are what the sync makes of the overrides and the installed package', async () => {
  // At the date the files were last synced, so a dated price change in the package cannot break this on its own day.
  const { findProvider } = (await import('@pydantic/genai-prices')) as { findProvider(o: { providerId: string }): unknown };
  const dir = join(process.cwd(), 'data', 'catalog');
  for (const [provider, packageId] of Object.entries(PACKAGE_PROVIDER)) {
    const seed = JSON.parse(readFileSync(join(dir, `${provider}.json`), 'utf8')) as SeedDoc;
    const override = JSON.parse(readFileSync(join(dir, 'overrides', `${provider}.json`), 'utf8')) as OverrideDoc;
    const source = seed.sources.find((s) => s['url'] === PACKAGE_SOURCE_URL)!;
    const label = String(source['note']).split(',')[0]!;
    const built = buildSeed(override, findProvider({ providerId: packageId }) as PackageProvider, String(source['retrieved']), label);
    assert.equal(formatSeed(built.doc), readFileSync(join(dir, `${provider}.json`), 'utf8'), `${provider}.json: edit overrides/${provider}.json and run npm run catalog:sync`);
  }
});
