import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decimalOf } from '../../src/core/decimal.js';
import { parseRublesToMicro } from '../../src/core/money.js';
import { costUsd, usdToMicroRubles } from '../../src/core/pricing.js';
import type { ModelView } from '../../src/services/catalog/catalog-service.js';
import { rubleModels } from '../../src/services/catalog/ruble-prices.js';
import type { BillingSettings } from '../../src/services/settings/billing-settings.js';

const settings = (rate: string | null, markup = '1'): BillingSettings => ({
  usdRubRate: rate === null ? null : decimalOf(rate),
  usdRubRateSource: rate === null ? null : 'admin',
  markup: decimalOf(markup),
  allowUnpricedModels: false,
});

function model(id: string, prices: Record<string, unknown>, extra: Partial<ModelView> = {}): ModelView {
  return {
    id: `openai/${id}`, provider: 'openai', model: id, aliases: [], ops: ['chat'], context_window: 128_000, max_output_tokens: 16_384,
    prices, tiers: [], enabled: true, fallbacks: [], deprecated: null, origin: 'seed', price_version: 'seed:x', ...extra,
  };
}

describe('ruble prices of the cabinet', () => {
  test('USD per 1M tokens × rate × markup, exactly, under the catalog names', () => {
    const list = rubleModels(
      [model('m', { input_per_mtok: '2.5', cached_input_per_mtok: '1.25', output_per_mtok: '10', per_image: { '1024x1024/hd': '0.08' }, per_request: '0.000123' })],
      settings('92.35', '1.2'),
    );
    assert.equal(list.usd_rub_rate, '92.35');
    assert.equal(list.markup, '1.2');
    const [m] = list.data;
    assert.equal(m!.input_rub_per_mtok, '277.05');
    assert.equal(m!.cached_input_rub_per_mtok, '138.525');
    assert.equal(m!.output_rub_per_mtok, '1108.2');
    assert.deepEqual(m!.prices_rub, {
      input_per_mtok: '277.05',
      cached_input_per_mtok: '138.525',
      output_per_mtok: '1108.2',
      'per_image/1024x1024/hd': '8.8656',
      per_request: '0.01363086',
    });
  });

  test('a million tokens at the shown price is what a call is charged', () => {
    const shown = rubleModels([model('m', { input_per_mtok: '0.15', output_per_mtok: '0.6' })], settings('91.7', '1.15')).data[0]!;
    const usd = costUsd({ inputTokens: 1_000_000, outputTokens: 0 }, { prices: { inputPerMtok: '0.15', outputPerMtok: '0.6' } });
    assert.ok(usd.ok);
    assert.equal(usdToMicroRubles(usd.usd, decimalOf('91.7'), decimalOf('1.15')), parseRublesToMicro(shown.input_rub_per_mtok));
  });

  test('long-context tiers in rubles; disabled models left out; without a rate no ruble price exists', () => {
    const tiered = model('long', { input_per_mtok: '1' }, { tiers: [{ above_input_tokens: 200_000, input_per_mtok: '2' }] });
    const off = model('off', { input_per_mtok: '1' }, { enabled: false });
    const list = rubleModels([tiered, off], settings('100'));
    assert.deepEqual(list.data.map((m) => m.id), ['openai/long']);
    assert.deepEqual(list.data[0]!.tiers_rub, [{ above_input_tokens: 200_000, prices_rub: { input_per_mtok: '200' } }]);
    const none = rubleModels([tiered], settings(null)).data[0]!;
    assert.equal(none.input_rub_per_mtok, null);
    assert.deepEqual(none.prices_rub, {});
    assert.deepEqual(none.tiers_rub, []);
  });
});
