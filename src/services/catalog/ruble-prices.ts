import { decimalOf, formatDecimal, mul, type Decimal } from '../../core/decimal.js';
import type { BillingSettings } from '../settings/billing-settings.js';
import type { ModelView } from './catalog-service.js';

/** A catalog model as a customer sees it: prices in rubles at the rate and markup calls are charged at. */
export interface RubleModel {
  id: string;
  provider: string;
  name: string;
  ops: string[];
  context_window: number | null;
  max_output_tokens: number | null;
  input_rub_per_mtok: string | null;
  cached_input_rub_per_mtok: string | null;
  output_rub_per_mtok: string | null;
  prices_rub: Record<string, string>;
  tiers_rub: Array<{ above_input_tokens: number; prices_rub: Record<string, string> }>;
  deprecated: { date: string | null; replacement: string | null } | null;
}

export interface RubleModelList {
  usd_rub_rate: string | null;
  markup: string;
  data: RubleModel[];
}

/**
 * The enabled models with their catalog prices (USD, exact decimal strings) turned into rubles: USD × rate ×
 * markup, exactly — the product the charge is computed from (core/pricing.ts `usdToMicroRubles`), which
 * rounds only a call's total, once. Without a rate no ruble price exists, and every price is left out.
 */
export function rubleModels(models: readonly ModelView[], settings: BillingSettings): RubleModelList {
  const rubPerUsd = settings.usdRubRate ? mul(settings.usdRubRate, settings.markup) : null;
  return {
    usd_rub_rate: settings.usdRubRate ? formatDecimal(settings.usdRubRate) : null,
    markup: formatDecimal(settings.markup),
    data: models.filter((model) => model.enabled).map((model) => rubleModel(model, rubPerUsd)),
  };
}

function rubleModel(model: ModelView, rubPerUsd: Decimal | null): RubleModel {
  const prices = rubPerUsd ? pricesInRubles(model.prices, rubPerUsd) : {};
  const tiers = Array.isArray(model.tiers) ? (model.tiers as Array<Record<string, unknown>>) : [];
  return {
    id: model.id,
    provider: model.provider,
    name: model.model,
    ops: [...model.ops],
    context_window: model.context_window,
    max_output_tokens: model.max_output_tokens,
    input_rub_per_mtok: prices['input_per_mtok'] ?? null,
    cached_input_rub_per_mtok: prices['cached_input_per_mtok'] ?? null,
    output_rub_per_mtok: prices['output_per_mtok'] ?? null,
    prices_rub: prices,
    tiers_rub: rubPerUsd
      ? tiers.map(({ above_input_tokens, ...tierPrices }) => ({ above_input_tokens: Number(above_input_tokens), prices_rub: pricesInRubles(tierPrices, rubPerUsd) }))
      : [],
    deprecated: model.deprecated ? { date: model.deprecated.date, replacement: model.deprecated.replacement } : null,
  };
}

/** The catalog's wire prices (validated when the catalog was loaded) × RUB per USD (rate × markup), exactly: names kept, `per_image` variants as `per_image/<variant>`. */
export function pricesInRubles(wire: unknown, rubPerUsd: Decimal): Record<string, string> {
  const out: Record<string, string> = {};
  const rub = (usd: string) => formatDecimal(mul(decimalOf(usd), rubPerUsd));
  for (const [name, value] of Object.entries((wire ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string') out[name] = rub(value);
    else if (name === 'per_image' && typeof value === 'object' && value !== null) {
      for (const [variant, usd] of Object.entries(value)) if (typeof usd === 'string') out[`per_image/${variant}`] = rub(usd);
    }
  }
  return out;
}
