import { ceilToInteger, decimalOf, formatDecimal, shift, type Decimal } from '../../core/decimal.js';
import { costUsd, usdToMicroRubles, type CostOptions } from '../../core/pricing.js';
import type { Usage } from '../../core/usage.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';

export interface PricedUsage {
  costMicro: number | null;
  costUsd: string | null;
  /** The USD cost in billionths, rounded up: for exact spend totals. */
  usdNano: number | null;
  usdRubRate: string | null;
  priceVersion: string | null;
  /** Why there is no cost, when there is none. */
  unpriced?: string;
}

/** The cost of a usage for the model that served it (or, failing that, the model asked for). */
export function priceUsage(
  catalog: CatalogService,
  settings: BillingSettingsService,
  provider: string,
  models: ReadonlyArray<string | null | undefined>,
  usage: Usage,
  options: CostOptions = {},
): PricedUsage {
  const model = models.map((name) => (name ? catalog.find(provider, name) : undefined)).find(Boolean);
  // The provider's own price of the call (OpenRouter's usage.cost) is the cost, whatever the list says.
  if (usage.costUsd !== undefined) return inRubles(decimalOf(usage.costUsd), model?.priceVersion ?? 'reported-cost', settings);
  if (!model) return { costMicro: null, costUsd: null, usdNano: null, usdRubRate: null, priceVersion: null, unpriced: 'model not in the catalog' };
  const cost = costUsd(usage, model.entry.pricing, options);
  if (!cost.ok) return { costMicro: null, costUsd: null, usdNano: null, usdRubRate: null, priceVersion: model.priceVersion, unpriced: cost.missing };
  return inRubles(cost.usd, model.priceVersion, settings);
}

/** A USD cost at the rate and markup in force, rounded up once to a micro-ruble. */
function inRubles(cost: Decimal, priceVersion: string, settings: BillingSettingsService): PricedUsage {
  const { usdRubRate, markup } = settings.get();
  const usd = formatDecimal(cost);
  const usdNano = Number(ceilToInteger(shift(cost, -9)));
  if (!usdRubRate) return { costMicro: null, costUsd: usd, usdNano, usdRubRate: null, priceVersion, unpriced: 'no USD→RUB rate set' };
  return {
    costMicro: usdToMicroRubles(cost, usdRubRate, markup),
    costUsd: usd,
    usdNano,
    usdRubRate: formatDecimal(usdRubRate),
    priceVersion,
  };
}
