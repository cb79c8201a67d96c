import type { UsageTap } from '../../core/usage-tap.js';
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

/** Ends the tap and turns what it saw into history columns: tokens as reported, and their price. */
export function usageColumns(
  tap: UsageTap,
  price: (models: ReadonlyArray<string | undefined>, usage: NonNullable<ReturnType<UsageTap['end']>['usage']>) => PricedUsage,
  requestedModel: string | undefined,
): UsageColumns {
  const result = tap.end();
  if (!result.usage) return { usage_source: 'none' };
  const usage = result.usage;
  const priced = price([result.model, requestedModel], usage);
  return {
    input_tokens: usage.inputTokens,
    cached_tokens: usage.cachedInputTokens ?? 0,
    cache_write_tokens: usage.cacheWriteTokens ?? 0,
    output_tokens: usage.outputTokens,
    reasoning_tokens: usage.reasoningTokens ?? 0,
    usage_source: result.complete ? 'reported' : 'partial',
    cost_micro: priced.costMicro,
    cost_usd: priced.costUsd,
    usd_rub_rate: priced.usdRubRate,
    price_version: priced.priceVersion,
  };
}
