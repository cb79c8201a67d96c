import { formatDecimal, mul } from '../../core/decimal.js';
import type { BillingSettings } from '../settings/billing-settings.js';
import type { CatalogService, ModelView } from './catalog-service.js';
import { pricesInRubles } from './ruble-prices.js';

export interface AdminModelView extends Omit<ModelView, 'aliases' | 'ops' | 'fallbacks' | 'prices' | 'tiers'> {
  aliases: string[];
  ops: string[];
  fallbacks: string[];
  /** USD, decimal strings, as the catalog holds them. */
  prices: Record<string, unknown>;
  tiers: unknown[];
  /** The USD prices in rubles at the rate × markup calls are charged at (exact decimal strings); null without a rate. */
  rub_prices: Record<string, string> | null;
}

export interface AdminModelListView {
  usd_rub_rate: string | null;
  markup: string;
  data: AdminModelView[];
}

/** One model for the admin console: its catalog view with the ruble preview. */
export function adminModelView(model: ModelView, settings: BillingSettings): AdminModelView {
  const rubPerUsd = settings.usdRubRate ? mul(settings.usdRubRate, settings.markup) : null;
  return {
    ...model,
    aliases: [...model.aliases],
    ops: [...model.ops],
    fallbacks: [...model.fallbacks],
    prices: (model.prices ?? {}) as Record<string, unknown>,
    tiers: Array.isArray(model.tiers) ? model.tiers : [],
    rub_prices: rubPerUsd ? pricesInRubles(model.prices, rubPerUsd) : null,
  };
}

/** Every catalog model, enabled or not, with the rate and markup the previews use. */
export function adminModelList(catalog: CatalogService, settings: BillingSettings): AdminModelListView {
  return {
    usd_rub_rate: settings.usdRubRate ? formatDecimal(settings.usdRubRate) : null,
    markup: formatDecimal(settings.markup),
    data: catalog.list().map((model) => adminModelView(model, settings)),
  };
}
