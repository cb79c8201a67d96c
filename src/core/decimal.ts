/**
 * Exact decimal arithmetic for prices and rates: a value is `units / 10^scale` with bigint units.
 * Prices, rates and costs never touch floating point; only the final charge is rounded, once.
 */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;
const MAX_SCALE = 30;

export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > MAX_SCALE) return undefined;
  const units = BigInt(whole + fraction);
  return { units: sign ? -units : units, scale: fraction.length };
}

export function decimalOf(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new Error(`not a decimal: "${text}"`);
  return value;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

export function fromInteger(n: number): Decimal {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
  return { units: BigInt(n), scale: 0 };
}

function rescale(a: Decimal, scale: number): bigint {
  return a.units * 10n ** BigInt(scale - a.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** a / 10^n, exactly (a negative n multiplies). */
export function shift(a: Decimal, n: number): Decimal {
  const scale = a.scale + n;
  if (scale >= 0) return { units: a.units, scale };
  return { units: a.units * 10n ** BigInt(-scale), scale: 0 };
}

export function isZero(a: Decimal): boolean {
  return a.units === 0n;
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The smallest integer ≥ the value (costs are rounded up, once, so no request is ever under-charged). */
export function ceilToInteger(a: Decimal): bigint {
  const divisor = 10n ** BigInt(a.scale);
  const quotient = a.units / divisor;
  return a.units % divisor > 0n ? quotient + 1n : quotient;
}

/** Canonical text without trailing zeros, e.g. "0.0025". */
export function formatDecimal(a: Decimal): string {
  const negative = a.units < 0n;
  const digits = (negative ? -a.units : a.units).toString().padStart(a.scale + 1, '0');
  const whole = digits.slice(0, digits.length - a.scale);
  const fraction = digits.slice(digits.length - a.scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`;
}

const JSON_NUMBER = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A JSON number's text (`0.000123`, `1.5e-7`, `2E+3`) as an exact decimal, never through a float;
 * undefined for anything else or a value needing more than 30 decimal places.
 */
export function parseJsonNumber(text: string): Decimal | undefined {
  const match = JSON_NUMBER.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = '', exponent = '0'] = match;
  const exp = Number(exponent);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 60) return undefined;
  const units = BigInt(whole + fraction);
  const value = shift({ units: sign ? -units : units, scale: fraction.length }, -exp);
  return value.scale > MAX_SCALE ? undefined : value;
}
