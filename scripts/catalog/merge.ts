// Builds one seed file (data/catalog/<provider>.json) from tollgate's override file
// (data/catalog/overrides/<provider>.json) and the package's data. Hand-written values always win.
import { compare, parseDecimal } from '../../src/core/decimal.js';
import { findPackageModel, mapPackagePrices, type PackageProvider } from './package-map.js';

type Json = Record<string, unknown>;

export interface OverrideDoc {
  provider: string;
  currency?: string;
  sources?: Json[];
  models: Json[];
}

export interface SeedDoc {
  provider: string;
  currency: string;
  sources: Json[];
  models: Json[];
}

/** Something the reviewer should know that is not a price change: an override that disagrees, a package gap. */
export interface SyncNote {
  model: string;
  text: string;
}

/** The order fields are written in, so a sync rewrites a file byte for byte the same. */
const MODEL_KEYS = [
  'id', 'aliases', 'ops', 'deprecated', 'replacement', 'context_window', 'max_output_tokens', 'fallbacks',
  'prices', 'tiers', 'off_peak', 'enabled', 'source', 'note',
];
export const PRICE_KEYS = [
  'input_per_mtok', 'cached_input_per_mtok', 'cache_write_per_mtok', 'cache_write_1h_per_mtok', 'output_per_mtok',
  'image_input_per_mtok', 'cached_image_input_per_mtok', 'audio_input_per_mtok', 'cached_audio_input_per_mtok',
  'audio_output_per_mtok', 'per_image', 'per_million_characters', 'per_minute', 'per_request',
];
/** Keys of an override model that steer the sync and are not copied to the seed. */
const SYNC_KEYS = new Set(['package_model']);

export const PACKAGE_SOURCE_URL = 'https://github.com/pydantic/genai-prices';

function ordered(object: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const key of keys) if (object[key] !== undefined && object[key] !== null) out[key] = object[key];
  for (const key of Object.keys(object).sort()) if (!(key in out) && object[key] !== undefined && object[key] !== null) out[key] = object[key];
  return out;
}

function sameDecimal(a: unknown, b: unknown): boolean {
  const x = typeof a === 'string' ? parseDecimal(a) : undefined;
  const y = typeof b === 'string' ? parseDecimal(b) : undefined;
  return x !== undefined && y !== undefined && compare(x, y) === 0;
}

function mergeModel(hand: Json, pkg: PackageProvider | undefined, asOf: string, notes: SyncNote[]): Json {
  const id = String(hand['id']);
  const names = [id, ...((hand['aliases'] as string[] | undefined) ?? [])];
  const choice = hand['package_model'];
  const found =
    choice === false || !pkg ? undefined
    : typeof choice === 'string' ? pkg.models.find((m) => m.id === choice)
    : findPackageModel(pkg, names);
  if (typeof choice === 'string' && !found) notes.push({ model: id, text: `package_model "${choice}" is not in the package` });
  if (!found) return ordered(withoutSyncKeys(hand), MODEL_KEYS);
  const mapped = mapPackagePrices(found, asOf);
  const handPrices = (hand['prices'] as Json | undefined) ?? {};
  for (const [field, value] of Object.entries(handPrices)) {
    const theirs = mapped.prices[field];
    if (value !== null && theirs !== undefined && !sameDecimal(value, theirs)) {
      notes.push({ model: id, text: `override ${field} ${JSON.stringify(value)} wins over the package's "${theirs}" (${found.id})` });
    }
  }
  const merged: Json = { ...withoutSyncKeys(hand), prices: ordered({ ...mapped.prices, ...handPrices }, PRICE_KEYS) };
  if ('tiers' in hand) {
    if (Array.isArray(hand['tiers']) && hand['tiers'].length === 0) delete merged['tiers'];
  } else if (mapped.tiers.length > 0) {
    merged['tiers'] = mapped.tiers.map((t) => ordered(t, ['above_input_tokens', ...PRICE_KEYS]));
  }
  if (merged['context_window'] === undefined && found.context_window) merged['context_window'] = found.context_window;
  if (merged['deprecated'] === undefined && found.deprecated) merged['deprecated'] = true;
  return ordered(merged, MODEL_KEYS);
}

function withoutSyncKeys(model: Json): Json {
  return Object.fromEntries(Object.entries(model).filter(([k]) => !SYNC_KEYS.has(k)));
}

/**
 * The seed file for one provider. Every model of the override file is written (in the file's order); its
 * prices are the package's prices in force on `asOf`, overlaid field by field by the override's own
 * (`null` removes a package field); `tiers` in the override replace the package's (`[]` drops them).
 * A model the package does not know, or marked `"package_model": false`, is written as the override has it.
 */
export function buildSeed(override: OverrideDoc, pkg: PackageProvider | undefined, asOf: string, packageLabel: string): { doc: SeedDoc; notes: SyncNote[] } {
  const notes: SyncNote[] = [];
  const models = override.models.map((m) => mergeModel(m, pkg, asOf, notes));
  const sources = [...(override.sources ?? []).filter((s) => s['url'] !== PACKAGE_SOURCE_URL)];
  if (pkg) sources.push({ url: PACKAGE_SOURCE_URL, retrieved: asOf, note: `${packageLabel}, provider "${pkg.id}"; prices of models without an override` });
  return { doc: { provider: override.provider, currency: override.currency ?? 'USD', sources, models }, notes };
}

/** Package models no seed model uses: candidates for the override file, listed for the reviewer. */
export function unusedPackageModels(pkg: PackageProvider, seed: SeedDoc): string[] {
  const used = new Set<string>();
  for (const model of seed.models) {
    const names = [String(model['id']), ...((model['aliases'] as string[] | undefined) ?? [])];
    const found = findPackageModel(pkg, names);
    if (found) used.add(found.id);
  }
  return pkg.models.map((m) => m.id).filter((id) => !used.has(id));
}

/** The file text: two-space JSON and a final newline, so an unchanged catalog rewrites to the same bytes. */
export function formatSeed(doc: SeedDoc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Keeps the package source's `retrieved` date of the file on disk when nothing else changed, so running the
 * sync on another day without a price change leaves the file as it is (and `--check` passes).
 */
export function keepRetrievedDate(next: SeedDoc, previous: SeedDoc | undefined): SeedDoc {
  const old = previous?.sources.find((s) => s['url'] === PACKAGE_SOURCE_URL);
  if (!old) return next;
  const candidate: SeedDoc = { ...next, sources: next.sources.map((s) => (s['url'] === PACKAGE_SOURCE_URL ? { ...s, retrieved: old['retrieved'] } : s)) };
  return formatSeed(candidate) === formatSeed(previous!) ? candidate : next;
}
