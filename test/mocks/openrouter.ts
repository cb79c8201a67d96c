// OpenRouter flavour of the OpenAI mock (MockOptions.openrouter): its models list with per-token prices,
// and usage accounting — `usage: {include: true}` in a chat request adds `usage.cost` (USD) to the answer.
import type { FakeUsage } from './fake.js';

/** Per-token USD prices as OpenRouter lists them (decimal strings). */
export const OPENROUTER_LIST = [
  {
    id: 'mistralai/mistral-medium-3.1',
    name: 'Mistral: Mistral Medium 3.1',
    context_length: 131072,
    architecture: { input_modalities: ['text', 'image'], output_modalities: ['text'], tokenizer: 'Mistral' },
    pricing: { prompt: '0.0000004', completion: '0.000002', request: '0', image: '0', web_search: '0', internal_reasoning: '0' },
    top_provider: { context_length: 131072, max_completion_tokens: 32768, is_moderated: false },
    supported_parameters: ['max_tokens', 'temperature', 'tools', 'usage'],
  },
  {
    id: 'openai/gpt-4o-mini',
    name: 'OpenAI: GPT-4o-mini',
    context_length: 128000,
    architecture: { input_modalities: ['text', 'image', 'file'], output_modalities: ['text'] },
    pricing: { prompt: '0.00000015', completion: '0.0000006', request: '0', image: '0.000217', input_cache_read: '0.000000075' },
    top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
    supported_parameters: ['max_tokens'],
  },
  {
    id: 'openrouter/auto',
    name: 'Auto Router',
    context_length: 2000000,
    architecture: { input_modalities: ['text'], output_modalities: ['text'] },
    pricing: { prompt: '-1', completion: '-1' },
    top_provider: { context_length: null, max_completion_tokens: null, is_moderated: false },
  },
  {
    id: 'black-forest-labs/flux-image',
    name: 'an image-only model',
    context_length: 4096,
    architecture: { input_modalities: ['text'], output_modalities: ['image'] },
    pricing: { prompt: '0', completion: '0', image: '0.04' },
    top_provider: {},
  },
];

/** What the mock charges on top of the listed token prices (a pricier provider behind the route), USD. */
export const OPENROUTER_SURCHARGE_PICO = 7_000_000n; // 0.000007 USD

const pico = (perToken: string): bigint => {
  const [whole = '0', fraction = ''] = perToken.split('.');
  return BigInt(whole + fraction.padEnd(12, '0').slice(0, 12));
};

/** The mock's charge for a call, in 10^-12 USD: the listed prices times the tokens, plus the surcharge. */
export function openRouterCostPico(model: string, prompt: number, completion: number): bigint {
  const entry = OPENROUTER_LIST.find((m) => m.id === model);
  if (!entry || entry.pricing.prompt.startsWith('-')) return OPENROUTER_SURCHARGE_PICO;
  return BigInt(prompt) * pico(entry.pricing.prompt) + BigInt(completion) * pico(entry.pricing.completion) + OPENROUTER_SURCHARGE_PICO;
}

/** 10^-12 USD as a JSON number (shortest text; exact for these magnitudes). */
function costNumber(costPico: bigint): number {
  const text = costPico.toString().padStart(13, '0');
  return Number(`${text.slice(0, -12)}.${text.slice(-12)}`);
}

/** The usage accounting fields OpenRouter adds when asked (`usage: {include: true}`). */
export function openRouterUsageFields(body: Record<string, unknown>, model: string, u: FakeUsage, completion: number): Record<string, unknown> {
  const usage = body['usage'];
  if (typeof usage !== 'object' || usage === null || (usage as Record<string, unknown>)['include'] !== true) return {};
  const cost = costNumber(openRouterCostPico(model, u.prompt, completion));
  return { cost, is_byok: false, cost_details: { upstream_inference_cost: null } };
}
