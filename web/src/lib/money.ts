/**
 * Money on the wire is integer micro-rubles (and USD as decimal strings). Everything here works on
 * BigInt and strings: a float never touches an amount, so 0.1 + 0.2 cannot show up on a bill.
 */

export type Lang = 'ru' | 'en';

const MICRO_DIGITS = 6;

/** A fixed-point number: `units / 10^scale`. */
export interface Scaled {
  units: bigint;
  scale: number;
}

const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

function localeOf(lang: Lang): string {
  return lang === 'ru' ? 'ru-RU' : 'en-US';
}

const separators = new Map<Lang, { decimal: string; integer: Intl.NumberFormat }>();
function numberParts(lang: Lang): { decimal: string; integer: Intl.NumberFormat } {
  let parts = separators.get(lang);
  if (!parts) {
    const locale = localeOf(lang);
    const decimal = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
    parts = { decimal, integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }) };
    separators.set(lang, parts);
  }
  return parts;
}

/** A wire amount (a JSON integer, or a string/BigInt of one) as a BigInt; anything else is refused. */
export function toMicro(value: number | string | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer amount: ${value}`);
    return BigInt(value);
  }
  if (!/^-?\d+$/.test(value)) throw new RangeError(`not an integer amount: ${value}`);
  return BigInt(value);
}

/** Rounds half away from zero to `digits` decimals. */
export function roundScaled(value: Scaled, digits: number): Scaled {
  if (digits >= value.scale) return { units: value.units * pow10(digits - value.scale), scale: digits };
  const divisor = pow10(value.scale - digits);
  const negative = value.units < 0n;
  const abs = negative ? -value.units : value.units;
  let quotient = abs / divisor;
  if ((abs % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale: digits };
}

/**
 * Formats a fixed-point number with the language's grouping and decimal sign, showing at least
 * `minDigits` and at most `maxDigits` decimals (trailing zeros beyond the minimum are dropped).
 */
export function formatScaled(value: Scaled, lang: Lang, minDigits: number, maxDigits: number): string {
  const rounded = roundScaled(value, maxDigits);
  const negative = rounded.units < 0n;
  const abs = negative ? -rounded.units : rounded.units;
  const whole = abs / pow10(maxDigits);
  let fraction = maxDigits > 0 ? (abs % pow10(maxDigits)).toString().padStart(maxDigits, '0') : '';
  while (fraction.length > minDigits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const { decimal, integer } = numberParts(lang);
  const body = integer.format(whole) + (fraction ? decimal + fraction : '');
  return negative && (whole > 0n || /[1-9]/.test(fraction)) ? `-${body}` : body;
}

function withRubleSign(number: string, lang: Lang): string {
  if (lang === 'ru') return `${number}\u00a0₽`;
  return number.startsWith('-') ? `-₽${number.slice(1)}` : `₽${number}`;
}

export interface RubOptions {
  /** `money`: kopecks (2 decimals); `precise`: up to 6 decimals, for per-request costs and prices. */
  precision?: 'money' | 'precise';
}

/** Micro-rubles → "1 234,56 ₽" (ru) or "₽1,234.56" (en). */
export function formatRub(micro: number | string | bigint, lang: Lang, options: RubOptions = {}): string {
  const value = { units: toMicro(micro), scale: MICRO_DIGITS };
  const max = options.precision === 'precise' ? MICRO_DIGITS : 2;
  return withRubleSign(formatScaled(value, lang, 2, max), lang);
}

/** Parses a decimal string ("12.5", "-0.000001", "1 000,25") into a fixed-point number; null when it is not one. */
export function parseDecimal(text: string): Scaled | null {
  const cleaned = text.trim().replace(/[\s\u00a0\u202f_]/g, '').replace(',', '.');
  const match = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return null;
  const fraction = match[3] ?? '';
  const units = BigInt((match[2] || '0') + fraction);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

/** A decimal string (USD, rates, ruble prices) formatted for the language. */
export function formatDecimal(text: string | null | undefined, lang: Lang, minDigits = 0, maxDigits = 6): string {
  if (text === null || text === undefined) return '—';
  const value = parseDecimal(text);
  return value ? formatScaled(value, lang, minDigits, maxDigits) : text;
}

/** "$12.34" for a USD decimal string. */
export function formatUsd(text: string | null | undefined, lang: Lang): string {
  if (text === null || text === undefined) return '—';
  const number = formatDecimal(text, lang, 2, 2);
  return number.startsWith('-') ? `-$${number.slice(1)}` : `$${number}`;
}

/** What a person typed in rubles ("1 500,50") → micro-rubles; null when it is not an amount with ≤ 6 decimals. */
export function parseRubToMicro(text: string): bigint | null {
  const value = parseDecimal(text);
  if (!value || value.scale > MICRO_DIGITS) return null;
  return value.units * pow10(MICRO_DIGITS - value.scale);
}

/** Micro-rubles → a plain decimal string for an input field ("1500.5"). */
export function microToInput(micro: number | bigint | null | undefined): string {
  if (micro === null || micro === undefined) return '';
  const value = toMicro(micro);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const fraction = (abs % pow10(MICRO_DIGITS)).toString().padStart(MICRO_DIGITS, '0').replace(/0+$/, '');
  const text = (abs / pow10(MICRO_DIGITS)).toString() + (fraction ? `.${fraction}` : '');
  return negative ? `-${text}` : text;
}

/** The exact product of decimal strings (e.g. USD price × rate × markup); null when one is not a number. */
export function multiplyDecimals(...factors: Array<string | null | undefined>): Scaled | null {
  let product: Scaled = { units: 1n, scale: 0 };
  for (const factor of factors) {
    const value = factor === null || factor === undefined ? null : parseDecimal(factor);
    if (!value) return null;
    product = { units: product.units * value.units, scale: product.scale + value.scale };
  }
  return product;
}

/** A micro-ruble amount as a JS number for a chart axis: charts only draw, they never add money up. */
export function microToChartRubles(micro: number): number {
  return micro / 1_000_000;
}
