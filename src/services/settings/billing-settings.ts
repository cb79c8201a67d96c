import { badRequest } from '../../core/errors.js';
import { decimalOf, formatDecimal, parseDecimal, type Decimal } from '../../core/decimal.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/index.js';
import { asObject, rejectUnknown } from '../accounts/validate.js';

/** Where the rate in force comes from: the admin's setting, USD_RUB_RATE, or the default tollgate ships. */
export type RateSource = 'admin' | 'env' | 'shipped';

export interface BillingSettings {
  /** RUB per USD; null only when none is set anywhere (metered requests are refused until then). */
  usdRubRate: Decimal | null;
  usdRubRateSource: RateSource | null;
  /** Multiplier on the provider's price, e.g. 1.2 for +20%. */
  markup: Decimal;
  /** When true, models without a price are served and recorded at cost 0 (off by default). */
  allowUnpricedModels: boolean;
}

export interface BillingSettingsView {
  usd_rub_rate: string | null;
  usd_rub_rate_source: RateSource | null;
  markup: string;
  allow_unpriced_models: boolean;
}

const KEYS = { rate: 'usd_rub_rate', markup: 'markup', unpriced: 'allow_unpriced_models' } as const;
const ONE = decimalOf('1');

/** Admin-set billing knobs, kept in the settings table and cached; refreshed so every node sees changes. */
export class BillingSettingsService {
  /** Told after the rate, markup or unpriced-models setting changed, so the other nodes re-read them at once. */
  changed?: () => void;

  private current: BillingSettings = { usdRubRate: null, usdRubRateSource: null, markup: ONE, allowUnpricedModels: false };
  private readonly fallbackRate: { rate: Decimal; source: RateSource } | undefined;

  /** `fallbackRate`: the rate in force while the admin has set none (config: USD_RUB_RATE or the shipped default). */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    fallbackRate?: { rate: string; source: 'env' | 'shipped' },
  ) {
    this.fallbackRate = fallbackRate ? { rate: decimalOf(fallbackRate.rate), source: fallbackRate.source } : undefined;
  }

  get(): BillingSettings {
    return this.current;
  }

  view(): BillingSettingsView {
    return {
      usd_rub_rate: this.current.usdRubRate ? formatDecimal(this.current.usdRubRate) : null,
      usd_rub_rate_source: this.current.usdRubRateSource,
      markup: formatDecimal(this.current.markup),
      allow_unpriced_models: this.current.allowUnpricedModels,
    };
  }

  async refresh(): Promise<void> {
    const [rate, markup, unpriced] = await Promise.all([
      this.store.settings.get(KEYS.rate),
      this.store.settings.get(KEYS.markup),
      this.store.settings.get(KEYS.unpriced),
    ]);
    const stored = rate ? parseDecimal(rate) : undefined;
    const inForce = stored ? { rate: stored, source: 'admin' as const } : this.fallbackRate;
    this.current = {
      usdRubRate: inForce?.rate ?? null,
      usdRubRateSource: inForce?.source ?? null,
      markup: (markup && parseDecimal(markup)) || ONE,
      allowUnpricedModels: unpriced === 'true',
    };
  }

  async update(input: unknown): Promise<BillingSettingsView> {
    const body = asObject(input);
    rejectUnknown(body, Object.values(KEYS));
    const writes: Array<[string, string]> = [];
    if (body[KEYS.rate] !== undefined) writes.push([KEYS.rate, positiveDecimal(body[KEYS.rate], KEYS.rate)]);
    if (body[KEYS.markup] !== undefined) writes.push([KEYS.markup, positiveDecimal(body[KEYS.markup], KEYS.markup)]);
    if (body[KEYS.unpriced] !== undefined) {
      if (typeof body[KEYS.unpriced] !== 'boolean') throw badRequest(`'${KEYS.unpriced}' must be true or false.`, KEYS.unpriced);
      writes.push([KEYS.unpriced, String(body[KEYS.unpriced])]);
    }
    const now = this.clock.now();
    for (const [key, value] of writes) await this.store.settings.set(key, value, now);
    await this.refresh();
    if (writes.length > 0) this.changed?.();
    return this.view();
  }
}

function positiveDecimal(value: unknown, field: string): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  const parsed = typeof text === 'string' ? parseDecimal(text) : undefined;
  if (!parsed || parsed.units <= 0n || parsed.scale > 6) {
    throw badRequest(`'${field}' must be a positive number with at most 6 decimals, e.g. "92.5".`, field);
  }
  return formatDecimal(parsed);
}
