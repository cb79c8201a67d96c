// Maps @pydantic/genai-prices' provider data to tollgate's seed price format. Pure: it sees plain
// objects (the package's `findProvider(...)` result, or a recorded fixture of it), never the package itself.

export type MatchLogic =
  | { and: MatchLogic[] }
  | { or: MatchLogic[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

export interface PackageTiered {
  base: number;
  tiers: ReadonlyArray<{ start: number; price: number }>;
}
export type PackagePrice = Readonly<Record<string, number | PackageTiered | undefined>>;
export interface PackageConditional {
  constraint?: { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_time: string; end_time: string };
  prices: PackagePrice;
}
export interface PackageModel {
  id: string;
  match: MatchLogic;
  prices: PackagePrice | readonly PackageConditional[];
  context_window?: number;
  deprecated?: boolean;
}
export interface PackageProvider {
  id: string;
  models: readonly PackageModel[];
}

/** The package's price keys → tollgate's (all USD per 1M tokens). Other keys are reported as not imported. */
export const FIELD_MAP: Readonly<Record<string, string>> = {
  input_mtok: 'input_per_mtok',
  cache_read_mtok: 'cached_input_per_mtok',
  cache_write_mtok: 'cache_write_per_mtok',
  cache_write_1h_mtok: 'cache_write_1h_per_mtok',
  output_mtok: 'output_per_mtok',
  input_image_mtok: 'image_input_per_mtok',
  cache_image_read_mtok: 'cached_image_input_per_mtok',
  input_audio_mtok: 'audio_input_per_mtok',
  cache_audio_read_mtok: 'cached_audio_input_per_mtok',
  output_audio_mtok: 'audio_output_per_mtok',
};

/** tollgate's package-provider id for each seed file. */
export const PACKAGE_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  xai: 'x-ai',
  deepseek: 'deepseek',
};

export interface MappedPrices {
  prices: Record<string, string>;
  /** Whole-request tiers in tollgate's form (`above_input_tokens` + the fields it changes). */
  tiers: Array<Record<string, string | number>>;
  /** Package keys with no tollgate field (`web_searches_kcount`, `output_image_mtok`…), and skipped constraints. */
  notImported: string[];
}

export function matches(logic: MatchLogic, name: string): boolean {
  if ('and' in logic) return logic.and.every((l) => matches(l, name));
  if ('or' in logic) return logic.or.some((l) => matches(l, name));
  if ('equals' in logic) return name === logic.equals;
  if ('starts_with' in logic) return name.startsWith(logic.starts_with);
  if ('ends_with' in logic) return name.endsWith(logic.ends_with);
  if ('contains' in logic) return name.includes(logic.contains);
  return new RegExp(logic.regex).test(name);
}

/**
 * The package model that prices a tollgate model: its id equal to the model's id, else the first whose
 * match rule takes the id, else the same for each alias in turn (the package's own lookup order).
 */
export function findPackageModel(provider: PackageProvider, names: readonly string[]): PackageModel | undefined {
  for (const name of names) {
    const found = provider.models.find((m) => m.id === name) ?? provider.models.find((m) => matches(m.match, name));
    if (found) return found;
  }
  return undefined;
}

/**
 * A package price (a JS number) as an exact decimal string, from its shortest text form (`0.0028`, `1.5e-7`),
 * by moving the decimal point in the text, never by arithmetic on the float.
 */
export function decimalText(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`price ${value} is not a non-negative number`);
  const [mantissa = '', exponent = '0'] = String(value).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const padded = point <= 0 ? '0'.repeat(1 - point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const intPart = padded.slice(0, at).replace(/^0+(?=\d)/, '');
  const fracPart = padded.slice(at).replace(/0+$/, '');
  return fracPart ? `${intPart}.${fracPart}` : intPart;
}

/**
 * The prices in force on `asOf` (YYYY-MM-DD): the unconstrained entry, replaced by the latest `start_date`
 * entry that has started. Time-of-day entries (DeepSeek's off-peak discount) are not imported: billing
 * at the undiscounted price never undercharges.
 */
export function pricesInForce(model: PackageModel, asOf: string): { prices: PackagePrice; skipped: string[] } {
  if (!Array.isArray(model.prices)) return { prices: model.prices as PackagePrice, skipped: [] };
  const list = model.prices as readonly PackageConditional[];
  let chosen = list.find((c) => !c.constraint);
  let chosenDate = '';
  const skipped: string[] = [];
  for (const c of list) {
    if (c.constraint?.type === 'start_date' && c.constraint.start_date <= asOf && c.constraint.start_date >= chosenDate) {
      chosen = c;
      chosenDate = c.constraint.start_date;
    } else if (c.constraint?.type === 'time_of_date') {
      skipped.push(`time-of-day price ${c.constraint.start_time}-${c.constraint.end_time}`);
    }
  }
  return { prices: chosen?.prices ?? {}, skipped };
}

/** A package model's prices in force on `asOf`, mapped to tollgate's fields and tiers. */
export function mapPackagePrices(model: PackageModel, asOf: string): MappedPrices {
  const { prices: source, skipped } = pricesInForce(model, asOf);
  const prices: Record<string, string> = {};
  const tiered = new Map<string, PackageTiered['tiers']>();
  const notImported = [...skipped];
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const field = FIELD_MAP[key];
    if (!field) {
      notImported.push(key);
      continue;
    }
    if (typeof value === 'number') {
      prices[field] = decimalText(value);
    } else {
      prices[field] = decimalText(value.base);
      if (value.tiers.length > 0) tiered.set(field, value.tiers);
    }
  }
  return { prices, tiers: toWholeRequestTiers(tiered), notImported };
}

/**
 * The package tiers each field separately (`input_mtok: {base, tiers: [{start, price}]}`); tollgate's tier
 * is a threshold with every field it changes. Both select a tier when the input exceeds its start.
 */
function toWholeRequestTiers(tiered: ReadonlyMap<string, PackageTiered['tiers']>): Array<Record<string, string | number>> {
  const starts = [...new Set([...tiered.values()].flatMap((t) => t.map((x) => x.start)))].sort((a, b) => a - b);
  return starts.map((start) => {
    const tier: Record<string, string | number> = { above_input_tokens: start };
    for (const [field, tiers] of tiered) {
      const passed = tiers.filter((t) => t.start <= start).sort((a, b) => b.start - a.start)[0];
      if (passed) tier[field] = decimalText(passed.price);
    }
    return tier;
  });
}
