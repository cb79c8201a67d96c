import type { CostBasis, RequestEstimate } from '../../core/estimate.js';

export type { CostBasis } from '../../core/estimate.js';
import { costUsd, usdToMicroRubles, type CostOptions } from '../../core/pricing.js';
import type { Usage } from '../../core/usage.js';
import type { ModelEntry } from '../catalog/model-entry.js';
import type { BillingSettings } from '../settings/billing-settings.js';

/** When neither the request nor the catalog caps the output: a generous bound, as ProxyAPI takes the window. */
const DEFAULT_MAX_OUTPUT_TOKENS = 32_768;
/**
 * Compressed speech rarely goes below 16 kbit/s (2,000 bytes per second): an upload of N bytes lasts at
 * most about N / 2,000 seconds. Opus at lower bitrates would be under-estimated; settlement then charges
 * what the provider reports, capped by what the account holds.
 */
const MIN_AUDIO_BYTES_PER_SECOND = 2_000;
/**
 * Token-priced transcription (gpt-4o-transcribe): audio is about 10 input tokens a second and speech
 * about 3 text tokens a second; twice each keeps the hold an upper bound.
 */
const AUDIO_INPUT_TOKENS_PER_SECOND = 20;
const TRANSCRIPT_TOKENS_PER_SECOND = 10;

/**
 * The most usage a provider can truthfully report for a token-billed request; above it the report is not
 * believed and the call is billed at the bound (README "The bill is bounded by what was asked"):
 * - output: the request's own cap (or the model's maximum output) × answers, plus 5% and 32 tokens;
 * - input: twice the estimate's count (itself an upper bound of the prompt) plus 1,024 tokens; when the
 *   prompt references content the body does not show (files by id or URL, caches), at least twice the
 *   model's context window (or 2M tokens when the catalog does not say).
 */
export interface UsageBounds {
  inputTokens: number;
  outputTokens: number;
}

const OUTPUT_MARGIN = 1.05;
const OUTPUT_MARGIN_TOKENS = 32;
const INPUT_MARGIN_TOKENS = 1_024;
const UNKNOWN_CONTEXT_TOKENS = 1_000_000;

export type Estimate = { ok: true; micro: number; inputTokens: number; bounds?: UsageBounds } | { ok: false; missing: string };

/** The hold for a request: the most it can cost, in micro-rubles at the rate and markup in force. */
export function estimateCost(model: ModelEntry, basis: CostBasis, settings: BillingSettings): Estimate {
  if (!settings.usdRubRate) return { ok: false, missing: 'USD→RUB rate' };
  let { usage, options } = worstCaseUsage(model, basis);
  let cost = costUsd(usage, model.pricing, options);
  const tokenUsage = basis.requestUsage?.tokenUsage;
  if (!cost.ok && tokenUsage) {
    // Token-priced speech (gpt-4o-mini-tts): the request's own upper bound in text and audio tokens.
    usage = tokenUsage;
    cost = costUsd(usage, model.pricing, options);
  }
  if (!cost.ok && basis.requestUsage && basis.tokens) {
    // Token-priced image and speech models (gpt-image-1, gpt-4o-mini-tts): hold by tokens instead.
    ({ usage, options } = worstCaseUsage(model, { tokens: basis.tokens }));
    cost = costUsd(usage, model.pricing, options);
  }
  if (!cost.ok) return { ok: false, missing: cost.missing };
  const micro = usdToMicroRubles(cost.usd, settings.usdRubRate, settings.markup);
  // Only token-billed calls are bounded: per-image, per-character and per-minute calls bill what the request says.
  if (basis.requestUsage || basis.uploadBytes !== undefined || !basis.tokens) return { ok: true, micro, inputTokens: usage.inputTokens };
  return { ok: true, micro, inputTokens: usage.inputTokens, bounds: usageBounds(model, basis.tokens, usage.outputTokens) };
}

function usageBounds(model: ModelEntry, tokens: RequestEstimate, outputTokens: number): UsageBounds {
  let inputTokens = tokens.inputTokens * 2 + INPUT_MARGIN_TOKENS;
  if (tokens.referenced) inputTokens = Math.max(inputTokens, 2 * (model.contextWindow ?? UNKNOWN_CONTEXT_TOKENS));
  return { inputTokens, outputTokens: Math.ceil(outputTokens * OUTPUT_MARGIN) + OUTPUT_MARGIN_TOKENS };
}

function worstCaseUsage(model: ModelEntry, basis: CostBasis): { usage: Usage; options: CostOptions } {
  if (basis.requestUsage) {
    const options: CostOptions = basis.requestUsage.imageVariant ? { imageVariant: basis.requestUsage.imageVariant } : {};
    return { usage: basis.requestUsage.usage, options };
  }
  if (basis.uploadBytes !== undefined) {
    const seconds = Math.max(1, Math.ceil(basis.audioSeconds ?? basis.uploadBytes / MIN_AUDIO_BYTES_PER_SECOND));
    if (model.pricing.prices.perMinute !== undefined) return { usage: { inputTokens: 0, outputTokens: 0, units: { audio_second: seconds } }, options: {} };
    return { usage: { inputTokens: seconds * AUDIO_INPUT_TOKENS_PER_SECOND, outputTokens: seconds * TRANSCRIPT_TOKENS_PER_SECOND }, options: {} };
  }
  const tokens = basis.tokens ?? { inputTokens: 0, choices: 1 };
  // The provider refuses a prompt above the context window, so no call is billed for more input than that.
  const inputTokens = model.contextWindow === null ? tokens.inputTokens : Math.min(tokens.inputTokens, model.contextWindow);
  const modelCap = model.maxOutputTokens ?? model.contextWindow ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const perAnswer = tokens.maxOutputTokens === undefined ? modelCap : Math.min(tokens.maxOutputTokens, modelCap);
  return { usage: { inputTokens, outputTokens: perAnswer * Math.max(1, tokens.choices) }, options: {} };
}
