/** Money is an integer count of micro-rubles (1 RUB = 1,000,000). Conversions happen only here. */
export const MICRO_PER_UNIT = 1_000_000;

const DECIMAL = /^(-)?(\d{1,13})(?:\.(\d{1,6}))?$/;

/** Parses rubles given as a number or a decimal string (up to 6 decimals) into micro-rubles, exactly. */
export function parseRublesToMicro(value: unknown): number | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
    // Exponent form appears only below 1e-6 (too many decimals) or from 1e21 (too large).
    if (/e/i.test(text)) return undefined;
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const micro = Number(whole) * MICRO_PER_UNIT + Number(fraction.padEnd(6, '0'));
  if (!Number.isSafeInteger(micro)) return undefined;
  return sign && micro !== 0 ? -micro : micro;
}

/** Micro-rubles to a JSON number of rubles; exact below 2^33 rubles (≈ 8.6 billion), far above any balance. */
export function microToRubles(micro: number): number {
  return micro / MICRO_PER_UNIT;
}

