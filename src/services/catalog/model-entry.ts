import { parseDecimal } from '../../core/decimal.js';
import { OPS, type Op } from '../../core/ops.js';
import type { ModelPrices, PriceTier, PricedModel } from '../../core/pricing.js';

/** One model as the gateway prices and routes it. */
export interface ModelEntry {
  provider: string;
  id: string;
  aliases: readonly string[];
  ops: readonly Op[];
  contextWindow: number | null;
  maxOutputTokens: number | null;
  pricing: PricedModel;
  enabled: boolean;
  /**
   * Unified names (`provider/model`) tried, in order, when this model's provider fails before answering
   * (connection failure, timeout, 429, 5xx); at most one is tried per call.
   */
  fallbacks: readonly string[];
  /**
   * The provider has announced the model's retirement (or reports it shut down): still served while the
   * provider answers it, shown as deprecated in the model lists. `date` is the announced shutdown date.
   */
  deprecated?: Deprecation | null;
}

export interface Deprecation {
  date: string | null;
  replacement: string | null;
}

/** The wire form of a model's prices: snake_case, USD as decimal strings (seed files and the admin API). */
export type PricesJson = Record<string, unknown>;

const PRICE_FIELDS: ReadonlyArray<[json: string, key: keyof Omit<ModelPrices, 'perImage'>]> = [
  ['input_per_mtok', 'inputPerMtok'],
  ['cached_input_per_mtok', 'cachedInputPerMtok'],
  ['cache_write_per_mtok', 'cacheWritePerMtok'],
  ['cache_write_1h_per_mtok', 'cacheWrite1hPerMtok'],
  ['output_per_mtok', 'outputPerMtok'],
  ['image_input_per_mtok', 'imageInputPerMtok'],
  ['cached_image_input_per_mtok', 'cachedImageInputPerMtok'],
  ['audio_input_per_mtok', 'audioInputPerMtok'],
  ['cached_audio_input_per_mtok', 'cachedAudioInputPerMtok'],
  ['audio_output_per_mtok', 'audioOutputPerMtok'],
  ['per_million_characters', 'perMillionCharacters'],
  ['per_minute', 'perMinute'],
  ['per_request', 'perRequest'],
];

export class EntryError extends Error {
  constructor(
    /** The path of the offending field, e.g. `prices.input_per_mtok`. */
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

function price(value: unknown, where: string): string {
  if (typeof value !== 'string' || !parseDecimal(value) || value.startsWith('-')) {
    throw new EntryError(`${where}`, 'must be a non-negative decimal string such as "2.50"');
  }
  return value;
}

export function parsePrices(json: unknown, where: string): ModelPrices {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new EntryError(`${where}`, 'must be an object');
  const source = json as PricesJson;
  const prices: ModelPrices = {};
  for (const [name, value] of Object.entries(source)) {
    const field = PRICE_FIELDS.find(([j]) => j === name);
    if (field) prices[field[1]] = price(value, `${where}.${name}`);
    else if (name === 'per_image') prices.perImage = parsePerImage(value, `${where}.per_image`);
    else throw new EntryError(`${where}.${name}`, 'is not a known price field');
  }
  return prices;
}

function parsePerImage(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryError(`${where}`, 'must map "<size>/<quality>" to a price');
  return Object.fromEntries(Object.entries(value).map(([variant, p]) => [variant, price(p, `${where}["${variant}"]`)]));
}

export function parseTiers(json: unknown, where: string): PriceTier[] {
  if (json === undefined) return [];
  if (!Array.isArray(json)) throw new EntryError(`${where}`, 'must be a list');
  return json.map((tier: unknown, i) => {
    const t = (tier ?? {}) as Record<string, unknown>;
    const threshold = t['above_input_tokens'];
    if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold <= 0) {
      throw new EntryError(`${where}[${i}].above_input_tokens`, 'must be a positive integer');
    }
    const { above_input_tokens: _t, ...rest } = t;
    return { aboveInputTokens: threshold, ...parsePrices(rest, `${where}[${i}]`) };
  });
}

export function parseOps(json: unknown, where: string): Op[] {
  if (!Array.isArray(json) || json.length === 0 || json.some((op) => !(OPS as readonly unknown[]).includes(op))) {
    throw new EntryError(`${where}`, `must be a non-empty list of: ${OPS.join(', ')}`);
  }
  return json as Op[];
}

export function optionalPositiveInt(json: unknown, where: string): number | null {
  if (json === undefined || json === null) return null;
  if (typeof json !== 'number' || !Number.isInteger(json) || json <= 0) throw new EntryError(`${where}`, 'must be a positive integer');
  return json;
}

export function parseAliases(json: unknown, where: string): string[] {
  if (json === undefined) return [];
  if (!Array.isArray(json) || json.some((a) => typeof a !== 'string' || a === '')) throw new EntryError(`${where}`, 'must be a list of names');
  return json as string[];
}

/** A model object of a seed file or an admin override → an entry. */
export function parseModel(provider: string, json: unknown, where: string): ModelEntry {
  if (typeof json !== 'object' || json === null) throw new EntryError(`${where}`, 'must be an object');
  const m = json as Record<string, unknown>;
  const id = m['id'];
  if (typeof id !== 'string' || !/^[A-Za-z0-9._:/@-]{1,200}$/.test(id)) throw new EntryError(`${where}.id`, 'must be a model name');
  return {
    provider,
    id,
    aliases: parseAliases(m['aliases'], `${where}.aliases`),
    ops: parseOps(m['ops'], `${where}.ops`),
    contextWindow: optionalPositiveInt(m['context_window'], `${where}.context_window`),
    maxOutputTokens: optionalPositiveInt(m['max_output_tokens'], `${where}.max_output_tokens`),
    pricing: { prices: parsePrices(m['prices'] ?? {}, `${where}.prices`), tiers: parseTiers(m['tiers'], `${where}.tiers`) },
    enabled: m['enabled'] === undefined ? true : m['enabled'] === true,
    fallbacks: parseFallbacks(m['fallbacks'], `${where}.fallbacks`, `${provider}/${id}`),
    deprecated: parseDeprecated(m['deprecated'], m['replacement'], where),
  };
}

/**
 * `"deprecated": "2026-10-23"` (the shutdown date) or `true`, with an optional `"replacement": "<model>"`;
 * `false` or `null` (an admin clearing it) means not deprecated.
 */
function parseDeprecated(json: unknown, replacementJson: unknown, where: string): Deprecation | null {
  const replacement = replacementJson === null ? undefined : replacementJson;
  if (json === null) json = undefined;
  if (replacement !== undefined && (typeof replacement !== 'string' || !/^[A-Za-z0-9._:/@-]{1,200}$/.test(replacement))) {
    throw new EntryError(`${where}.replacement`, 'must be a model name');
  }
  if (json === undefined || json === false) {
    if (replacement !== undefined) throw new EntryError(`${where}.replacement`, 'is only for a deprecated model');
    return null;
  }
  if (json !== true && (typeof json !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(json))) {
    throw new EntryError(`${where}.deprecated`, 'must be true or a date such as "2026-10-23"');
  }
  return { date: json === true ? null : json, replacement: (replacement as string | undefined) ?? null };
}

const MAX_FALLBACKS = 4;

function parseFallbacks(json: unknown, where: string, self: string): string[] {
  if (json === undefined) return [];
  if (!Array.isArray(json) || json.length > MAX_FALLBACKS || json.some((f) => typeof f !== 'string' || !/^[a-z][a-z0-9_-]*\/\S{1,200}$/.test(f))) {
    throw new EntryError(`${where}`, `must be a list of at most ${MAX_FALLBACKS} model names such as "openrouter/openai/gpt-4o"`);
  }
  if (json.includes(self)) throw new EntryError(`${where}`, 'must not name the model itself');
  return json as string[];
}
