// Checks the seed price catalog in data/catalog/*.json: shape, decimal-string prices, unique ids/aliases,
// allowed ops, the fields billing needs per kind of model, and sources (coverage: catalog-coverage.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { CATALOG_DIR, PROVIDERS, isRecord, load, models, names, type PriceMap, type Tier } from '../helpers/catalog-files.js';

const DECIMAL = /^\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ALLOWED_OPS = new Set([
  'chat',
  'responses',
  'completions',
  'embeddings',
  'images.generate',
  'images.edit',
  'audio.speech',
  'audio.transcribe',
]);
/** Ops that bill input and output tokens and so need a context window and an output cap. */
const TEXT_GENERATION_OPS = new Set(['chat', 'responses', 'completions']);
const SCALAR_PRICE_FIELDS = new Set([
  'input_per_mtok',
  'cached_input_per_mtok',
  'cache_write_per_mtok',
  'cache_write_1h_per_mtok',
  'output_per_mtok',
  'image_input_per_mtok',
  'cached_image_input_per_mtok',
  'audio_input_per_mtok',
  'cached_audio_input_per_mtok',
  'audio_output_per_mtok',
  'per_million_characters',
  'per_minute',
  'per_request',
]);
const MAP_PRICE_FIELDS = new Set(['per_image']);

/** Checks one price object (the model's prices, a tier, or off-peak prices); returns the price fields it sets. */
function checkPrices(where: string, prices: unknown, extraKeys: string[] = []): string[] {
  assert.ok(isRecord(prices), `${where}: prices must be an object`);
  const fields: string[] = [];
  for (const [key, value] of Object.entries(prices)) {
    if (extraKeys.includes(key)) continue;
    if (SCALAR_PRICE_FIELDS.has(key)) {
      assert.equal(typeof value, 'string', `${where}.${key} must be a decimal string, not ${typeof value}`);
      assert.match(value as string, DECIMAL, `${where}.${key}`);
    } else if (MAP_PRICE_FIELDS.has(key)) {
      assert.ok(isRecord(value) && Object.keys(value).length > 0, `${where}.${key} must be a non-empty object`);
      for (const [variant, price] of Object.entries(value)) {
        assert.match(variant, /^[^/]+\/[^/]+$/, `${where}.${key} key "${variant}" must be "<size>/<quality>"`);
        assert.equal(typeof price, 'string', `${where}.${key}["${variant}"] must be a decimal string`);
        assert.match(price as string, DECIMAL, `${where}.${key}["${variant}"]`);
      }
    } else {
      assert.fail(`${where}: unknown price field "${key}"`);
    }
    fields.push(key);
  }
  return fields;
}

test('catalog directory holds exactly the five provider files', () => {
  const files = readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(files, PROVIDERS.map((p) => `${p}.json`).sort());
});

for (const provider of PROVIDERS) {
  test(`${provider}: file parses and has the top-level shape`, () => {
    const catalog = load(provider);
    assert.equal(catalog.provider, provider);
    assert.equal(catalog.currency, 'USD');
    assert.ok(models(catalog).length > 0, 'at least one model');
  });

  test(`${provider}: has sources with url and retrieved date`, () => {
    const { sources } = load(provider);
    assert.ok(Array.isArray(sources) && sources.length >= 1, 'at least one source');
    for (const source of sources as unknown[]) {
      assert.ok(isRecord(source), 'source must be an object');
      assert.equal(typeof source.url, 'string');
      assert.match(source.url as string, /^https:\/\/\S+$/, 'source url');
      assert.equal(typeof source.retrieved, 'string');
      assert.match(source.retrieved as string, DATE, `retrieved date of ${String(source.url)}`);
    }
  });

  test(`${provider}: ids and aliases are unique`, () => {
    const seen = new Map<string, string>();
    for (const model of models(load(provider))) {
      assert.equal(typeof model.id, 'string');
      assert.ok(model.aliases === undefined || Array.isArray(model.aliases), `${String(model.id)}: aliases must be an array`);
      for (const name of names(model)) {
        assert.ok(name.length > 0, 'empty id/alias');
        assert.ok(!seen.has(name), `"${name}" appears on both ${seen.get(name)} and ${String(model.id)}`);
        seen.set(name, String(model.id));
      }
    }
  });

  test(`${provider}: every price is a decimal string and every field is known`, () => {
    for (const model of models(load(provider))) {
      const id = String(model.id);
      const baseFields = checkPrices(id, model.prices);
      assert.ok(baseFields.length > 0, `${id}: no prices`);
      if (model.tiers !== undefined) {
        assert.ok(Array.isArray(model.tiers) && model.tiers.length > 0, `${id}: tiers must be a non-empty array`);
        let previous = 0;
        for (const tier of model.tiers as Tier[]) {
          const threshold = tier.above_input_tokens;
          assert.ok(Number.isInteger(threshold) && (threshold as number) > previous, `${id}: tier thresholds must be increasing positive integers`);
          previous = threshold as number;
          const tierFields = checkPrices(`${id}.tiers[>${String(threshold)}]`, tier, ['above_input_tokens']);
          assert.ok(tierFields.length > 0, `${id}: empty tier`);
          for (const field of tierFields) {
            assert.ok(baseFields.includes(field), `${id}: tier sets ${field} which the base prices do not`);
          }
        }
      }
      if (model.off_peak !== undefined) {
        assert.ok(isRecord(model.off_peak), `${id}: off_peak must be an object`);
        const offFields = checkPrices(`${id}.off_peak`, model.off_peak.prices);
        assert.deepEqual(offFields.sort(), [...baseFields].sort(), `${id}: off_peak must price the same fields`);
        assert.ok(Array.isArray(model.off_peak.peak_windows_utc), `${id}: off_peak.peak_windows_utc`);
      }
    }
  });

  test(`${provider}: ops come from the allowed list`, () => {
    for (const model of models(load(provider))) {
      assert.ok(Array.isArray(model.ops) && model.ops.length > 0, `${String(model.id)}: ops must be a non-empty array`);
      for (const op of model.ops as unknown[]) {
        assert.ok(ALLOWED_OPS.has(String(op)), `${String(model.id)}: op "${String(op)}" is not allowed`);
      }
    }
  });

  test(`${provider}: text models have input/output prices, context window and max output`, () => {
    for (const model of models(load(provider))) {
      const ops = model.ops as string[];
      if (!ops.some((op) => TEXT_GENERATION_OPS.has(op))) continue;
      const id = String(model.id);
      const prices = model.prices as PriceMap;
      assert.ok(typeof prices.input_per_mtok === 'string', `${id}: input_per_mtok`);
      assert.ok(typeof prices.output_per_mtok === 'string', `${id}: output_per_mtok`);
      assert.ok(Number(prices.input_per_mtok) > 0 && Number(prices.output_per_mtok) > 0, `${id}: a text model must not be free`);
      assert.ok(Number.isInteger(model.context_window) && (model.context_window as number) > 0, `${id}: context_window`);
      assert.ok(Number.isInteger(model.max_output_tokens) && (model.max_output_tokens as number) > 0, `${id}: max_output_tokens`);
      assert.ok((model.max_output_tokens as number) <= (model.context_window as number), `${id}: max output exceeds context window`);
    }
  });

  test(`${provider}: embeddings, image, speech and transcription models carry their unit prices`, () => {
    for (const model of models(load(provider))) {
      const id = String(model.id);
      const ops = model.ops as string[];
      const prices = model.prices as PriceMap;
      if (ops.includes('embeddings')) {
        assert.ok(typeof prices.input_per_mtok === 'string' && Number(prices.input_per_mtok) > 0, `${id}: embeddings need input_per_mtok`);
      }
      if (ops.includes('images.generate') || ops.includes('images.edit')) {
        assert.ok(isRecord(prices.per_image) || typeof prices.output_per_mtok === 'string', `${id}: images need per_image or token prices`);
      }
      if (ops.includes('audio.speech')) {
        assert.ok(
          typeof prices.per_million_characters === 'string' || typeof prices.audio_output_per_mtok === 'string',
          `${id}: speech needs per_million_characters or audio_output_per_mtok`,
        );
      }
      if (ops.includes('audio.transcribe')) {
        assert.ok(
          typeof prices.per_minute === 'string' || typeof prices.audio_input_per_mtok === 'string',
          `${id}: transcription needs per_minute or audio_input_per_mtok`,
        );
      }
    }
  });
}
