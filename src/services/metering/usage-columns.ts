import type { CostOptions } from '../../core/pricing.js';
import type { UsageTap } from '../../core/usage-tap.js';
import type { Usage } from '../../core/usage.js';
import type { RequestUsage } from '../../core/estimate.js';
import { countOpenAITokens } from '../../lib/token-count.js';
import type { NewRequestRow } from '../../store/index.js';
import type { Charge } from '../billing/billing-service.js';
import type { UsageBounds } from '../billing/estimate-cost.js';
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
  | 'reported_usage'
>;

export interface Metered {
  columns: UsageColumns;
  /** What to charge; undefined when nothing billable was produced or it could not be priced. */
  charge: Charge | undefined;
  /** The answer ended properly (its tap saw the whole body or the stream's end); true without a tap. */
  complete: boolean;
  /** The provider reported more than the request allowed: what it reported (billed at the bound instead). */
  capped?: Usage;
}

/**
 * Ends the tap and turns what it saw into history columns and a charge. The provider's usage is used
 * whenever it reached us. An answer cut before its usage, or one that reported none, is billed for what
 * was delivered: the input tokens the provider reported or, failing that, the admission estimate's (an
 * upper bound), and the delivered text's tokens. For endpoints whose answers report nothing by design,
 * what the request says is billed (speech characters, DALL·E images) is used.
 */
export function meterUsage(
  tap: UsageTap | undefined,
  requestUsage: RequestUsage | undefined,
  price: (models: ReadonlyArray<string | undefined>, usage: Usage, options: CostOptions) => PricedUsage,
  requestedModel: string | undefined,
  estimatedInputTokens: number,
  bounds?: UsageBounds,
): Metered {
  const result = tap?.end();
  const complete = result?.complete ?? true;
  let usage = result?.usage ?? requestUsage?.usage;
  let source = result?.usage ? (result.complete ? 'reported' : 'partial') : 'request';
  // Cut, failed, or complete without any usage reported: bill what was delivered, never the whole hold.
  if (result && (!result.complete || (!result.usage && !requestUsage))) {
    const text = result.outputText;
    if (text.length > 0 || usage || estimatedInputTokens > 0) {
      const delivered = text.length > 0 ? countOpenAITokens(text) : 0;
      usage = {
        ...(usage ?? { inputTokens: 0, outputTokens: 0 }),
        inputTokens: usage?.inputTokens || estimatedInputTokens,
        outputTokens: Math.max(usage?.outputTokens ?? 0, delivered),
      };
      source = result.usage ? 'partial' : 'counted';
    }
  }
  if (!usage) return { columns: { usage_source: 'none' }, charge: undefined, complete };
  const reported = bounds && exceeds(usage, bounds) ? usage : undefined;
  if (reported) {
    usage = withinBounds(usage, bounds!);
    source = 'capped';
  } else if (usage.costUsd !== undefined && source === 'reported') {
    source = 'reported_cost'; // the provider's own price of the call is what is charged
  }
  const options: CostOptions = requestUsage?.imageVariant ? { imageVariant: requestUsage.imageVariant } : {};
  let priced = price([result?.model, requestedModel], usage, options);
  if (priced.costUsd === null && source === 'request' && requestUsage?.tokenUsage) {
    // A token-priced speech model (gpt-4o-mini-tts): the request's upper-bound estimate in tokens.
    usage = requestUsage.tokenUsage;
    source = 'estimated';
    priced = price([result?.model, requestedModel], usage, options);
  }
  return {
    columns: {
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
      ...(reported ? { reported_usage: JSON.stringify(reported) } : {}),
    },
    charge:
      priced.costMicro === null
        ? undefined
        : { costMicro: priced.costMicro, costUsd: priced.costUsd, usdNano: priced.usdNano, usdRubRate: priced.usdRubRate },
    complete,
    ...(reported ? { capped: reported } : {}),
  };
}

function exceeds(usage: Usage, bounds: UsageBounds): boolean {
  return usage.inputTokens > bounds.inputTokens || usage.outputTokens > bounds.outputTokens;
}

/** The usage cut down to the bounds; cached and cache-write tokens stay within the input, reasoning within the output. */
function withinBounds(usage: Usage, bounds: UsageBounds): Usage {
  const inputTokens = Math.min(usage.inputTokens, bounds.inputTokens);
  const outputTokens = Math.min(usage.outputTokens, bounds.outputTokens);
  const cached = Math.min(usage.cachedInputTokens ?? 0, inputTokens);
  const { costUsd: _reportedCost, ...counts } = usage; // billed at the bounds by the list's prices instead
  const bounded: Usage = { ...counts, inputTokens, outputTokens };
  if (usage.cachedInputTokens !== undefined) bounded.cachedInputTokens = cached;
  if (usage.cacheWriteTokens !== undefined) bounded.cacheWriteTokens = Math.min(usage.cacheWriteTokens, inputTokens - cached);
  if (usage.reasoningTokens !== undefined) bounded.reasoningTokens = Math.min(usage.reasoningTokens, outputTokens);
  return bounded;
}
