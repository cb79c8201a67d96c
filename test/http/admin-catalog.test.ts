import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadSeed } from '../../src/services/catalog/seed.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const FIXTURES = new URL('../fixtures/catalog', import.meta.url).pathname;

describe('admin: price catalog and billing settings', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ CATALOG_DIR: FIXTURES }, undefined, { usdRubRate: null });
  });
  after(() => gw.close());

  test('GET /admin/models lists the seed with prices as decimal strings and a price version', async () => {
    const res = await gw.admin('GET', '/admin/models');
    assert.equal(res.status, 200);
    const ids = res.body.data.map((m: { id: string }) => m.id).sort();
    assert.deepEqual(ids, ['anthropic/claude-sonnet-4-20250514', 'gemini/gemini-2.5-flash', 'openai/dall-e-3', 'openai/gpt-4o', 'openai/tts-1', 'openai/whisper-1']);
    const gpt = res.body.data.find((m: { id: string }) => m.id === 'openai/gpt-4o');
    assert.deepEqual(gpt.prices, { input_per_mtok: '2.50', cached_input_per_mtok: '1.25', output_per_mtok: '10.00' });
    assert.equal(gpt.origin, 'seed');
    assert.match(gpt.price_version, /^seed:[0-9a-f]{12}$/);
  });

  test('a model is found by alias, and by the google alias of gemini', async () => {
    const res = await gw.admin('GET', '/admin/models/anthropic/claude-sonnet-4-0');
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'anthropic/claude-sonnet-4-20250514');
    assert.equal((await gw.admin('GET', '/admin/models/openai/nope')).status, 404);
    assert.equal((await gw.admin('GET', '/admin/models/unknownprovider/x')).status, 404);
  });

  test('PUT overrides a price without touching the seed; bad prices are refused naming the field', async () => {
    const changed = await gw.admin('PUT', '/admin/models/openai/gpt-4o', { prices: { input_per_mtok: '2.00', output_per_mtok: '8.00' } });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.prices, { input_per_mtok: '2.00', output_per_mtok: '8.00' });
    assert.equal(changed.body.origin, 'override');
    assert.match(changed.body.price_version, /^admin:\d+$/);
    const seedAgain = loadSeed(FIXTURES, new Set(['openai', 'anthropic', 'gemini']));
    assert.deepEqual(seedAgain.models.find((m) => m.entry.id === 'gpt-4o')?.wire['prices'], {
      input_per_mtok: '2.50',
      cached_input_per_mtok: '1.25',
      output_per_mtok: '10.00',
    });

    const bad = await gw.admin('PUT', '/admin/models/openai/gpt-4o', { prices: { input_per_mtok: 2.5 } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /input_per_mtok/);
    assert.equal(bad.body.error.param, 'prices.input_per_mtok');
    const unknown = await gw.admin('PUT', '/admin/models/openai/gpt-4o', { price: {} });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.param, 'price');
    // An operation the provider's dialect has no codec for is refused, as the registry refuses it at boot.
    const unserved = await gw.admin('PUT', '/admin/models/anthropic/claude-sonnet-4-20250514', { ops: ['chat', 'embeddings'] });
    assert.equal(unserved.status, 400);
    assert.equal(unserved.body.error.param, 'ops');
    assert.match(unserved.body.error.message, /cannot serve/);
  });

  test('PUT adds a new model and can disable one', async () => {
    const added = await gw.admin('PUT', '/admin/models/openrouter/mistralai/mistral-medium-3.1', {
      ops: ['chat'],
      prices: { input_per_mtok: '0.40', output_per_mtok: '2.00' },
    });
    assert.equal(added.status, 200);
    assert.equal(added.body.id, 'openrouter/mistralai/mistral-medium-3.1');
    assert.equal(added.body.origin, 'admin');
    const missingOps = await gw.admin('PUT', '/admin/models/openai/brand-new', { prices: {} });
    assert.equal(missingOps.status, 400);
    const disabled = await gw.admin('PUT', '/admin/models/openai/dall-e-3', { enabled: false });
    assert.equal(disabled.body.enabled, false);
  });

  test('settings: the rate starts at the shipped default, accepts exact decimals, refuses nonsense', async () => {
    assert.deepEqual((await gw.admin('GET', '/admin/settings')).body, { usd_rub_rate: '95', usd_rub_rate_source: 'shipped', markup: '1', allow_unpriced_models: false });
    const set = await gw.admin('PUT', '/admin/settings', { usd_rub_rate: '92.512345', markup: 1.2 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { usd_rub_rate: '92.512345', usd_rub_rate_source: 'admin', markup: '1.2', allow_unpriced_models: false });
    for (const body of [{ usd_rub_rate: '-1' }, { usd_rub_rate: '1.1234567' }, { markup: 0 }, { allow_unpriced_models: 'yes' }, { rate: 90 }]) {
      const res = await gw.admin('PUT', '/admin/settings', body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal((await gw.admin('GET', '/admin/settings')).body.usd_rub_rate, '92.512345');
  });
});

describe('the seed loader', () => {
  test('refuses a broken catalog with the file and field named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-catalog-'));
    writeFileSync(join(dir, 'openai.json'), JSON.stringify({ provider: 'openai', models: [{ id: 'x', ops: ['chat'], prices: { input_per_mtok: 1 } }] }));
    assert.throws(() => loadSeed(dir, new Set(['openai'])), /openai\.json.*input_per_mtok/);
    writeFileSync(join(dir, 'openai.json'), JSON.stringify({ provider: 'nope', models: [] }));
    assert.throws(() => loadSeed(dir, new Set(['openai'])), /not a known provider/);
    writeFileSync(join(dir, 'openai.json'), JSON.stringify({ provider: 'openai', models: [{ id: 'a', ops: ['chat'] }, { id: 'b', aliases: ['a'], ops: ['chat'] }] }));
    assert.throws(() => loadSeed(dir, new Set(['openai'])), /"a" is declared twice/);
  });
});
