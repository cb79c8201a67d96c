import { formatDecimal, mul, type Decimal } from '../../core/decimal.js';
import type { KeyRow, KeySpend, UserRow } from '../../store/index.js';
import type { BillingSettings } from '../settings/billing-settings.js';

/**
 * Pure builders of the account money views (ProxyAPI's `/proxyapi/balance`, Botech's `/v1/me`,
 * `/v1/balance`, and `/v1/usage`). Money arrives as integers (micro-rubles, nano-USD) and leaves as JSON
 * numbers made from exact decimal text: no float arithmetic touches money, only the final Number().
 */

/** The UTC calendar month a moment falls in: `YYYY-MM`, and its bounds in epoch ms (end exclusive). */
export interface Month {
  period: string;
  start: number;
  end: number;
}

export function monthOf(now: number): Month {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { period: date.toISOString().slice(0, 7), start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}

/** An integer count of 10^-scale units as an exact JSON number, e.g. (1234567, 6) → 1.234567. */
function fixedToNumber(units: number | bigint, scale: number): number {
  return Number(formatDecimal({ units: BigInt(units), scale }));
}

/** Micro-rubles → rubles. */
export const rubles = (micro: number): number => fixedToNumber(micro, 6);
/** Billionths of a USD → USD. */
export const usdFromNano = (nano: number): number => fixedToNumber(nano, 9);

/**
 * Micro-rubles → USD at the rate the gateway charges: one USD of provider cost costs rate × markup
 * rubles. So every USD figure of a view is in one unit with `spend_*_usd` (the provider cost summed from
 * the ledger): a balance in USD is the provider cost it can still pay for, and limit − spend ≈ remaining.
 * Rounded down to a micro-USD (a figure of what money buys never overstates it). Null without a rate.
 */
export function usdFromMicroRub(micro: number, settings: BillingSettings): number | null {
  const usdMicro = usdMicroFromMicroRub(micro, settings);
  return usdMicro === null ? null : fixedToNumber(usdMicro, 6);
}

/** The same figure as exact decimal text (`"12.345678"`), for answers that carry money as strings. */
export function usdTextFromMicroRub(micro: number, settings: BillingSettings): string | null {
  const usdMicro = usdMicroFromMicroRub(micro, settings);
  return usdMicro === null ? null : formatDecimal({ units: usdMicro, scale: 6 });
}

function usdMicroFromMicroRub(micro: number, settings: BillingSettings): bigint | null {
  if (!settings.usdRubRate) return null;
  const rate: Decimal = mul(settings.usdRubRate, settings.markup);
  if (rate.units <= 0n) return null;
  // USD × 10^6 = micro-rubles / 10^6 / (units / 10^scale) × 10^6 = micro-rubles × 10^scale / units.
  return (BigInt(micro) * 10n ** BigInt(rate.scale)) / rate.units;
}

const nonNegative = (micro: number): number => Math.max(0, micro);

/** What a key may still spend, in micro-rubles, from its rows; every figure is floored at 0. */
export interface KeyRoom {
  /** The account's balance minus what is held for requests in flight. */
  accountAvailable: number;
  /** Budget limit − used − held by this key; null when the key has no budget. */
  budgetRemaining: number | null;
  /** This month's use: `monthly_used_micro` when it counts this month, else 0. */
  monthUsed: number;
  /** Monthly limit − this month's use − held by this key; null when the key has no monthly limit. */
  monthRemaining: number | null;
  /** min(account available, budget remaining): what the key can still spend. */
  spendable: number;
}

export function keyRoom(user: UserRow, key: KeyRow, month: Month): KeyRoom {
  const accountAvailable = nonNegative(user.balance_micro - user.held_micro);
  const budgetRemaining = key.budget_limit_micro === null ? null : nonNegative(key.budget_limit_micro - key.budget_used_micro - key.held_micro);
  const monthUsed = key.monthly_period === month.period ? key.monthly_used_micro : 0;
  const monthRemaining = key.monthly_limit_micro === null ? null : nonNegative(key.monthly_limit_micro - monthUsed - key.held_micro);
  const spendable = budgetRemaining === null ? accountAvailable : Math.min(budgetRemaining, accountAvailable);
  return { accountAvailable, budgetRemaining, monthUsed, monthRemaining, spendable };
}

export interface ProxyApiBalanceView {
  balance: number;
  budget?: { limit: number; used: number };
}

/** ProxyAPI: the account's available balance, or for a key with a budget what is left of it (never above the account's). */
export function proxyApiBalanceView(user: UserRow, key: KeyRow, month: Month): ProxyApiBalanceView {
  const room = keyRoom(user, key, month);
  if (key.budget_limit_micro === null) return { balance: rubles(room.accountAvailable) };
  return { balance: rubles(room.spendable), budget: { limit: rubles(key.budget_limit_micro), used: rubles(key.budget_used_micro) } };
}

export interface MeView {
  user: { id: string; login: string; status: string };
  token: { id: string; prefix: string; name: string | null; status: string };
  usage: { requestsTotal: number; spendTotalUsd: number; spendMonthUsd: number };
}

/** Botech's profile of the calling token; usage is this token's (spend is the provider's USD cost). */
export function meView(user: UserRow, key: KeyRow, spend: KeySpend): MeView {
  return {
    user: { id: user.id, login: user.email, status: user.status.toUpperCase() },
    token: { id: key.id, prefix: key.prefix, name: key.name, status: key.status.toUpperCase() },
    usage: { requestsTotal: spend.requests, spendTotalUsd: usdFromNano(spend.usdNano), spendMonthUsd: usdFromNano(spend.usdNanoSince) },
  };
}

export interface BalanceView {
  account_balance_usd: number | null;
  account_balance_rub: number;
  spend_total_usd: number;
  remaining_balance_usd: number | null;
  monthly_limit_usd: number | null;
  spend_month_usd: number;
  remaining_month_usd: number | null;
}

/**
 * Botech's balance: the account's available money, this key's spend (provider USD, exact), and what the
 * key can still spend overall and within its monthly limit. USD figures from rubles are null until the
 * admin sets a rate; monthly figures are null for a key without a monthly limit.
 */
export function balanceView(user: UserRow, key: KeyRow, spend: KeySpend, month: Month, settings: BillingSettings): BalanceView {
  const room = keyRoom(user, key, month);
  const usd = (micro: number | null) => (micro === null ? null : usdFromMicroRub(micro, settings));
  return {
    account_balance_usd: usd(room.accountAvailable),
    account_balance_rub: rubles(room.accountAvailable),
    spend_total_usd: usdFromNano(spend.usdNano),
    remaining_balance_usd: usd(room.spendable),
    monthly_limit_usd: usd(key.monthly_limit_micro),
    spend_month_usd: usdFromNano(spend.usdNanoSince),
    remaining_month_usd: usd(room.monthRemaining),
  };
}

export interface UsageFigures {
  requests: number;
  spend_rub: number;
  spend_usd: number;
}

export interface UsageView {
  object: 'usage';
  key_id: string;
  period: { month: string; from: string; to: string };
  total: UsageFigures;
  month: UsageFigures;
}

/** The key's calls and spend, all time and in the current UTC month (`from` inclusive, `to` exclusive). */
export function usageView(keyId: string, spend: KeySpend, month: Month): UsageView {
  return {
    object: 'usage',
    key_id: keyId,
    period: { month: month.period, from: new Date(month.start).toISOString(), to: new Date(month.end).toISOString() },
    total: { requests: spend.requests, spend_rub: rubles(spend.chargedMicro), spend_usd: usdFromNano(spend.usdNano) },
    month: { requests: spend.requestsSince, spend_rub: rubles(spend.chargedMicroSince), spend_usd: usdFromNano(spend.usdNanoSince) },
  };
}
