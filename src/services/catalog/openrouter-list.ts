import { compare, formatDecimal, parseJsonNumber, shift, ZERO } from '../../core/decimal.js';
import type { Op } from '../../core/ops.js';
import { EntryError, parseModel } from './model-entry.js';
import type { SeedModel } from './seed.js';

/**
 * OpenRouter's `GET /api/v1/models` as catalog models. Its prices are USD **per token** as decimal
 * strings (`"0.0000004"`); the catalog's are per 1M tokens, so each is shifted six places, exactly.
 * A negative price (`"-1"`: a router whose price depends on where it sends the call) is no price.
 */
const PRICE_FIELDS: ReadonlyArray<[openrouter: string, catalog: string]> = [
  ['prompt', 'input_per_mtok'],
  ['completion', 'output_per_mtok'],
  ['input_cache_read', 'cached_input_per_mtok'],
  ['input_cache_write', 'cache_write_per_mtok'],
];
const CHAT_OPS: readonly Op[] = ['chat', 'completions', 'responses'];

type Json = Record<string, unknown>;
const object = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const positiveInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);

/** USD per token (decimal text) → USD per 1M tokens, exact; undefined for a missing or negative price. */
export function perMillion(perToken: unknown): string | undefined {
  const value = typeof perToken === 'string' ? parseJsonNumber(perToken) : undefined;
  if (!value || compare(value, ZERO) < 0) return undefined;
  return formatDecimal(shift(value, -6));
}

/** The catalog's prices of one listed model; both token prices or none (a model with half a price is unpriced). */
function prices(pricing: Json): Json {
  const out: Json = {};
  for (const [from, to] of PRICE_FIELDS) {
    const price = perMillion(pricing[from]);
    if (price !== undefined) out[to] = price;
  }
  if (out['input_per_mtok'] === undefined || out['output_per_mtok'] === undefined) return {};
  const request = typeof pricing['request'] === 'string' ? parseJsonNumber(pricing['request']) : undefined;
  if (request && compare(request, ZERO) > 0) out['per_request'] = formatDecimal(request);
  return out;
}

/** What a listed model serves: text out → chat (and text completions, Responses through chat); embeddings. */
function ops(architecture: Json): readonly Op[] | undefined {
  const output = strings(architecture['output_modalities']);
  if (output.length === 0 || output.includes('text')) return CHAT_OPS;
  if (output.includes('embeddings')) return ['embeddings'];
  return undefined;
}

/** One entry of the list as a catalog model object (the wire form the seed files and admin overrides use). */
export function listedWire(raw: unknown): Json | undefined {
  const m = object(raw);
  // An entry without a pricing object is not OpenRouter's (an OpenAI-style list): nothing to serve from it.
  if (typeof m['id'] !== 'string' || typeof m['pricing'] !== 'object' || m['pricing'] === null) return undefined;
  const served = ops(object(m['architecture']));
  if (!served) return undefined;
  const top = object(m['top_provider']);
  const wire: Json = { id: m['id'], ops: served, prices: prices(object(m['pricing'])) };
  const context = positiveInt(m['context_length']) ?? positiveInt(top['context_length']);
  const maxOutput = positiveInt(top['max_completion_tokens']);
  if (context !== undefined) wire['context_window'] = context;
  if (maxOutput !== undefined) wire['max_output_tokens'] = maxOutput;
  return wire;
}

/** The models of a models list document (`{data: [...]}`); entries it cannot read are skipped and counted. */
export function openRouterModels(doc: unknown): { models: SeedModel[]; skipped: number } {
  const data = object(doc)['data'];
  if (!Array.isArray(data)) throw new Error('the models list has no "data" array');
  return modelsOfWires(data.map(listedWire));
}

/** Catalog models from wire objects (as listed, or as saved); undefined and unreadable ones are skipped. */
export function modelsOfWires(wires: ReadonlyArray<Json | undefined>): { models: SeedModel[]; skipped: number } {
  const models: SeedModel[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  wires.forEach((wire, i) => {
    try {
      if (!wire) throw new EntryError(`data[${i}]`, 'is not a model the gateway can serve');
      const entry = parseModel('openrouter', wire, `data[${i}]`);
      if (seen.has(entry.id)) throw new EntryError(`data[${i}].id`, 'is listed twice');
      seen.add(entry.id);
      models.push({ entry, wire });
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      skipped++;
    }
  });
  return { models, skipped };
}
