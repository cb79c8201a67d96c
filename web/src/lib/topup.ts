// '.js': pure helpers, loadable by node's tests as well as by the web build.
import { formatRub, parseDecimal, type Lang } from './money.js';

const MICRO_PER_KOPECK = 10_000n;

export type AmountCheck =
  | { ok: true; micro: bigint; wire: string }
  | { ok: false; reason: 'empty' | 'format' | 'decimals' | 'min' | 'max' };

/**
 * What a customer typed as a top-up ("500", "1 500,50") checked against the gateway's bounds; `wire` is the
 * amount as POST /api/payments takes it ("1500.50": rubles, at most two decimals).
 */
export function checkTopupAmount(text: string, minMicro: number, maxMicro: number): AmountCheck {
  if (text.trim() === '') return { ok: false, reason: 'empty' };
  const value = parseDecimal(text);
  if (!value || value.units < 0n || /[-+]/.test(text)) return { ok: false, reason: 'format' };
  if (value.scale > 2) return { ok: false, reason: 'decimals' };
  const kopecks = value.units * 10n ** BigInt(2 - value.scale);
  const micro = kopecks * MICRO_PER_KOPECK;
  if (micro < BigInt(minMicro)) return { ok: false, reason: 'min' };
  if (micro > BigInt(maxMicro)) return { ok: false, reason: 'max' };
  const whole = kopecks / 100n;
  const cents = kopecks % 100n;
  return { ok: true, micro, wire: cents === 0n ? whole.toString() : `${whole}.${cents.toString().padStart(2, '0')}` };
}

/** YooKassa's cancellation reasons the page explains in its own words (payments.reasons.<reason>). */
export const KNOWN_FAILURE_REASONS = [
  'expired_on_confirmation',
  'card_expired',
  'insufficient_funds',
  '3d_secure_failed',
  'payment_method_restricted',
  'general_decline',
  'canceled_by_merchant',
] as const;

export function isKnownFailureReason(reason: string | null | undefined): reason is (typeof KNOWN_FAILURE_REASONS)[number] {
  return (KNOWN_FAILURE_REASONS as readonly string[]).includes(reason ?? '');
}

/** A ruble amount without kopecks when it has none: "500 ₽" / "₽500" (preset buttons, bounds). */
export function wholeRub(micro: number | bigint, lang: Lang): string {
  return formatRub(micro, lang).replace(/[.,]00(?!\d)/, '');
}

/** Why a payment failed, in the page's words for YooKassa's usual reasons, else as the provider put it. */
export function failureText(reason: string | null, t: (key: string) => string): string | null {
  if (!reason) return null;
  return isKnownFailureReason(reason) ? t(`payments.reasons.${reason}`) : reason;
}
