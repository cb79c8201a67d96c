// The review diff of a catalog sync: what a rewrite of a seed file changes in prices, per model and field.
import { compare, parseDecimal } from '../../src/core/decimal.js';

type Json = Record<string, unknown>;
interface Doc {
  models: Json[];
}

export type Change =
  | { kind: 'added'; model: string; prices: Record<string, string> }
  | { kind: 'removed'; model: string }
  | { kind: 'changed'; model: string; field: string; from: string | undefined; to: string | undefined };

/** A model's priced fields flattened: `input_per_mtok`, `per_image["1024x1024/hd"]`, `tiers[>200000].output_per_mtok`, `deprecated`. */
export function flatPrices(model: Json): Record<string, string> {
  const out: Record<string, string> = {};
  const addPrices = (prefix: string, prices: Json): void => {
    for (const [key, value] of Object.entries(prices)) {
      if (key === 'above_input_tokens') continue;
      if (typeof value === 'object' && value !== null) {
        for (const [variant, p] of Object.entries(value as Json)) out[`${prefix}${key}["${variant}"]`] = String(p);
      } else {
        out[`${prefix}${key}`] = String(value);
      }
    }
  };
  addPrices('', (model['prices'] as Json | undefined) ?? {});
  for (const tier of (model['tiers'] as Json[] | undefined) ?? []) addPrices(`tiers[>${String(tier['above_input_tokens'])}].`, tier);
  if (model['deprecated'] !== undefined) out['deprecated'] = String(model['deprecated']);
  return out;
}

function equalValue(a: string, b: string): boolean {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  return x && y ? compare(x, y) === 0 : a === b;
}

/** Price changes from `before` to `after` (a missing `before` is an empty file), models in `after`'s order. */
export function priceDiff(before: Doc | undefined, after: Doc): Change[] {
  const old = new Map((before?.models ?? []).map((m) => [String(m['id']), m]));
  const changes: Change[] = [];
  for (const model of after.models) {
    const id = String(model['id']);
    const previous = old.get(id);
    old.delete(id);
    const next = flatPrices(model);
    if (!previous) {
      changes.push({ kind: 'added', model: id, prices: next });
      continue;
    }
    const prior = flatPrices(previous);
    for (const field of [...new Set([...Object.keys(prior), ...Object.keys(next)])]) {
      const from = prior[field];
      const to = next[field];
      if (from !== undefined && to !== undefined && equalValue(from, to)) continue;
      changes.push({ kind: 'changed', model: id, field, from, to });
    }
  }
  for (const id of old.keys()) changes.push({ kind: 'removed', model: id });
  return changes;
}

export function formatChange(provider: string, change: Change): string {
  const name = `${provider}/${change.model}`;
  if (change.kind === 'removed') return `- ${name} removed`;
  if (change.kind === 'added') {
    const prices = Object.entries(change.prices).map(([k, v]) => `${k}=${v}`).join(' ');
    return `+ ${name} added: ${prices}`;
  }
  return `~ ${name} ${change.field}: ${change.from ?? '(none)'} → ${change.to ?? '(none)'}`;
}
