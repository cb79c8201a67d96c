import { add, ceilToInteger, decimalOf, formatDecimal, fromInteger, isZero, mul, shift, ZERO, type Decimal } from './decimal.js';
import type { Usage } from './usage.js';

/** USD prices of one model, as decimal strings (catalog seed or admin override). */
export interface ModelPrices {
  inputPerMtok?: string;
  cachedInputPerMtok?: string;
  cacheWritePerMtok?: string;
  /** Cache writes with a 1-hour lifetime (Anthropic); no fallback, they cost more than 5-minute writes. */
  cacheWrite1hPerMtok?: string;
  outputPerMtok?: string;
  imageInputPerMtok?: string;
  cachedImageInputPerMtok?: string;
  audioInputPerMtok?: string;
  cachedAudioInputPerMtok?: string;
  audioOutputPerMtok?: string;
  /** Keyed by `<size>/<quality>`, e.g. `1024x1024/hd`. */
  perImage?: Readonly<Record<string, string>>;
  perMillionCharacters?: string;
  perMinute?: string;
  perRequest?: string;
}

/** Long-context pricing: applies when a request's input exceeds `aboveInputTokens`. */
export interface PriceTier extends ModelPrices {
  aboveInputTokens: number;
}

export interface PricedModel {
  prices: ModelPrices;
  tiers?: readonly PriceTier[];
}

export type CostItem =
  | 'input' | 'cached_input' | 'cache_write' | 'cache_write_1h' | 'output'
  | 'audio_input' | 'cached_audio_input' | 'image_input' | 'cached_image_input' | 'audio_output'
  | 'image' | 'character' | 'audio_second' | 'request';

export interface CostLine {
  item: CostItem;
  quantity: number;
  /** USD per unit of `quantity`, exact. */
  unitUsd: string;
  usd: string;
}

export type CostResult = { ok: true; usd: Decimal; lines: CostLine[] } | { ok: false; missing: string };

export interface CostOptions {
  /** Which per-image price applies, e.g. `1024x1024/standard`. */
  imageVariant?: string;
}

/** The prices in force for this much input: the base prices overlaid by the highest tier passed. */
export function pricesFor(model: PricedModel, inputTokens: number): ModelPrices {
  let chosen: PriceTier | undefined;
  for (const tier of model.tiers ?? []) {
    if (inputTokens > tier.aboveInputTokens && (!chosen || tier.aboveInputTokens > chosen.aboveInputTokens)) chosen = tier;
  }
  if (!chosen) return model.prices;
  const { aboveInputTokens: _threshold, ...overrides } = chosen;
  return { ...model.prices, ...overrides };
}

/**
 * The exact USD cost of a usage. Input tokens are priced once: cache reads at the cached price, cache
 * writes at the write price, the rest at the input price; audio and image parts of the input (and audio
 * output) at their own prices where the model has them, else at the text price of their kind. A quantity
 * with no price is an error, never 0.
 */
export function costUsd(usage: Usage, model: PricedModel, options: CostOptions = {}): CostResult {
  const prices = pricesFor(model, usage.inputTokens);
  const split = splitTokens(usage);
  const lines: PricedLine[] = [];
  const perMtok = (item: CostItem, tokens: number, price: string | undefined, fallback?: string): string | undefined => {
    if (tokens === 0) return undefined;
    const unit = price ?? fallback;
    if (unit === undefined) return `${item} price`;
    lines.push(line(item, tokens, shift(parsePrice(unit), 6)));
    return undefined;
  };
  const cachedPrice = prices.cachedInputPerMtok ?? prices.inputPerMtok;
  const audioInputPrice = prices.audioInputPerMtok ?? prices.inputPerMtok;
  const imageInputPrice = prices.imageInputPerMtok ?? prices.inputPerMtok;
  const missing =
    perMtok('input', split.input, prices.inputPerMtok) ??
    perMtok('cached_input', split.cached, cachedPrice) ??
    perMtok('cache_write', split.written - split.writtenFor1h, prices.cacheWritePerMtok, prices.inputPerMtok) ??
    perMtok('cache_write_1h', split.writtenFor1h, prices.cacheWrite1hPerMtok) ??
    perMtok('audio_input', split.audioInput, audioInputPrice) ??
    perMtok('cached_audio_input', split.cachedAudio, prices.cachedAudioInputPerMtok ?? (prices.audioInputPerMtok ? audioInputPrice : cachedPrice)) ??
    perMtok('image_input', split.imageInput, imageInputPrice) ??
    perMtok('cached_image_input', split.cachedImage, prices.cachedImageInputPerMtok ?? (prices.imageInputPerMtok ? imageInputPrice : cachedPrice)) ??
    perMtok('output', split.output, prices.outputPerMtok) ??
    perMtok('audio_output', split.audioOutput, prices.audioOutputPerMtok ?? prices.outputPerMtok) ??
    unitsMissing(usage, prices, options, lines);
  if (missing) return { ok: false, missing };
  const usd = lines.reduce((sum, l) => add(sum, l.total), ZERO);
  return { ok: true, usd, lines };
}

interface TokenSplit {
  input: number;
  cached: number;
  written: number;
  writtenFor1h: number;
  audioInput: number;
  cachedAudio: number;
  imageInput: number;
  cachedImage: number;
  output: number;
  audioOutput: number;
}

/** Every token in exactly one priced bucket; a part larger than its total (a broken upstream) is clamped. */
function splitTokens(usage: Usage): TokenSplit {
  const cachedAll = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cachedAll);
  const writtenFor1h = Math.min(usage.cacheWrite1hTokens ?? 0, written);
  const cachedAudio = Math.min(usage.cachedAudioInputTokens ?? 0, cachedAll);
  const cachedImage = Math.min(usage.cachedImageInputTokens ?? 0, cachedAll - cachedAudio);
  const uncachedAll = usage.inputTokens - cachedAll - written;
  const audioInput = Math.min(Math.max(0, (usage.audioInputTokens ?? 0) - cachedAudio), uncachedAll);
  const imageInput = Math.min(Math.max(0, (usage.imageInputTokens ?? 0) - cachedImage), uncachedAll - audioInput);
  const audioOutput = Math.min(usage.audioOutputTokens ?? 0, usage.outputTokens);
  return {
    input: uncachedAll - audioInput - imageInput,
    cached: cachedAll - cachedAudio - cachedImage,
    written,
    writtenFor1h,
    audioInput,
    cachedAudio,
    imageInput,
    cachedImage,
    output: usage.outputTokens - audioOutput,
    audioOutput,
  };
}

/** Prices repeat across millions of requests: parse each distinct string once. */
const PARSED = new Map<string, Decimal>();
function parsePrice(text: string): Decimal {
  let value = PARSED.get(text);
  if (!value) {
    value = decimalOf(text);
    if (PARSED.size > 10_000) PARSED.clear();
    PARSED.set(text, value);
  }
  return value;
}

interface PricedLine extends CostLine {
  total: Decimal;
}

function unitsMissing(usage: Usage, prices: ModelPrices, options: CostOptions, lines: PricedLine[]): string | undefined {
  const units = usage.units ?? {};
  if (units.image) {
    const price = options.imageVariant ? prices.perImage?.[options.imageVariant] : undefined;
    if (price === undefined) return `image price for ${options.imageVariant ?? 'an unknown size/quality'}`;
    lines.push(line('image', units.image, parsePrice(price)));
  }
  if (units.character) {
    if (prices.perMillionCharacters === undefined) return 'character price';
    lines.push(line('character', units.character, shift(parsePrice(prices.perMillionCharacters), 6)));
  }
  if (units.audio_second) {
    if (prices.perMinute === undefined) return 'per-minute price';
    lines.push(line('audio_second', units.audio_second, divideBy60(parsePrice(prices.perMinute))));
  }
  if (units.request) {
    if (prices.perRequest === undefined) return 'per-request price';
    lines.push(line('request', units.request, parsePrice(prices.perRequest)));
  }
  return undefined;
}

/** Exact per-second price from a per-minute price: multiply by 1/60 kept as an exact fraction via scaling. */
function divideBy60(perMinute: Decimal): Decimal {
  // 1/60 is not a finite decimal; keep 24 extra digits and round the per-second price up at that depth.
  const scaled = perMinute.units * 10n ** 24n;
  const quotient = scaled / 60n + (scaled % 60n > 0n ? 1n : 0n);
  return { units: quotient, scale: perMinute.scale + 24 };
}

function line(item: CostItem, quantity: number, unit: Decimal): PricedLine {
  return new PricedCostLine(item, quantity, unit, mul(fromInteger(quantity), unit));
}

/**
 * A class, not an object literal with getters: V8 builds such a literal in dictionary mode, which cost
 * ~4 µs per priced call on the hot path (profile of issue #10); the getters live on the prototype here.
 */
class PricedCostLine implements PricedLine {
  constructor(
    readonly item: CostItem,
    readonly quantity: number,
    private readonly unit: Decimal,
    readonly total: Decimal,
  ) {}

  // The breakdown is for people and tests; format it only when read.
  get unitUsd(): string {
    return formatDecimal(this.unit);
  }

  get usd(): string {
    return formatDecimal(this.total);
  }

  toJSON(): CostLine {
    return { item: this.item, quantity: this.quantity, unitUsd: this.unitUsd, usd: this.usd };
  }
}

/**
 * USD → micro-rubles at the rate (RUB per USD) and markup in force, rounded up once to a whole
 * micro-ruble. Returns a number: every plausible charge is far below 2^53 micro-rubles.
 */
export function usdToMicroRubles(usd: Decimal, rubPerUsd: Decimal, markup: Decimal): number {
  if (isZero(usd)) return 0;
  const micro = ceilToInteger(shift(mul(mul(usd, rubPerUsd), markup), -6));
  const value = Number(micro);
  if (!Number.isSafeInteger(value)) throw new Error('charge out of range');
  return value;
}
