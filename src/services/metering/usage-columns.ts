import type { CostOptions } from '../../core/pricing.js';
import type { UsageTap } from '../../core/usage-tap.js';
import type { Usage } from '../../core/usage.js';
import type { RequestUsage } from '../../dialects/openai/request-usage.js';
import type { NewRequestRow } from '../../store/index.js';
import type { PricedUsage } from './price-usage.js';

export type UsageColumns = Pick<
  NewRequestRow,
  | 'input_tokens'
  | 'cached_tokens'
  | 'cache_write_tokens'
  | 'output_tokens'
  | 'reasoning_tokens'
  | 'usage_source'
  | 'cost_micro'
  | 'cost_usd'
  | 'usd_rub_rate'
  | 'price_version'
>;

/**
 * Ends the tap and turns what it saw into history columns: tokens as reported, and their price. When the
 * answer reports nothing, what the request says is billed (speech characters, DALL·E images) is used.
 */
export function usageColumns(
  tap: UsageTap | undefined,
  requestUsage: RequestUsage | undefined,
  price: (models: ReadonlyArray<string | undefined>, usage: Usage, options: CostOptions) => PricedUsage,
  requestedModel: string | undefined,
): UsageColumns {
  const result = tap?.end();
  const usage = result?.usage ?? requestUsage?.usage;
  if (!usage) return { usage_source: 'none' };
  const source = result?.usage ? (result.complete ? 'reported' : 'partial') : 'request';
  const options: CostOptions = requestUsage?.imageVariant ? { imageVariant: requestUsage.imageVariant } : {};
  const priced = price([result?.model, requestedModel], usage, options);
  return {
    input_tokens: usage.inputTokens,
    cached_tokens: usage.cachedInputTokens ?? 0,
    cache_write_tokens: usage.cacheWriteTokens ?? 0,
    output_tokens: usage.outputTokens,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    usage_source: source,
    cost_micro: priced.costMicro,
    cost_usd: priced.costUsd,
    usd_rub_rate: priced.usdRubRate,
    price_version: priced.priceVersion,
  };
}
