import { ConfigError, parseBaseUrl, readEnum, readInt, readString } from './env-parsers.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * YooKassa's published notification addresses (yookassa.ru/developers/using-api/webhooks, "IP-адреса"):
 * notifications are not signed, so where one comes from is the first check.
 */
export const YOOKASSA_NOTIFICATION_RANGES = Object.freeze([
  '185.71.76.0/27',
  '185.71.77.0/27',
  '77.75.153.0/25',
  '77.75.156.11/32',
  '77.75.156.35/32',
  '77.75.154.128/25',
  '2a02:5180::/32',
]);

export interface YooKassaConfig {
  shopId: string;
  secretKey: string;
  /** `YOOKASSA_API_URL`: https://api.yookassa.ru/v3 (a test points it at a mock). */
  apiUrl: string;
  /** `YOOKASSA_WEBHOOK_IPS`: where notifications may come from; YooKassa's published ranges by default. */
  notificationRanges: readonly string[];
  /** `YOOKASSA_RECEIPTS=on`: send a 54-ФЗ receipt with each payment. */
  receipts: boolean;
  /** `YOOKASSA_VAT_CODE` (1–12, YooKassa's `vat_code`; 1 = без НДС). */
  vatCode: number;
}

export interface PaymentsConfig {
  /** `PAYMENTS_PROVIDER`: `yookassa`, or none (the top-up page shows TOPUP_CONTACT). */
  provider: 'yookassa' | undefined;
  yookassa: YooKassaConfig | undefined;
  /** `TOPUP_MIN_RUB` / `TOPUP_MAX_RUB`: whole rubles a customer may pay at once (100 and 100 000). */
  minMicro: number;
  maxMicro: number;
  /** `TOPUP_PRESETS`: the amount buttons, whole rubles (500,1000,2000,5000). */
  presetsMicro: readonly number[];
  /**
   * `TOPUP_RETURN_URL`: where the payment page sends the customer back; by default PUBLIC_URL + /topup, or
   * without PUBLIC_URL the top-up page at the origin the customer's browser loaded the cabinet from.
   */
  returnUrl: string | undefined;
  /** `PAYMENTS_RECONCILE_MINUTES` (10): pending orders older than this are re-read from the provider. */
  reconcileAfterMs: number;
  /** `PAYMENTS_EXPIRE_HOURS` (24): a payment never created, or never paid, this long is given up as expired. */
  expireAfterMs: number;
}

const RUB = 1_000_000;

export function readPayments(env: Env): PaymentsConfig {
  const provider = readEnum(env, 'PAYMENTS_PROVIDER', ['none', 'yookassa'] as const, 'none');
  const minMicro = readInt(env, 'TOPUP_MIN_RUB', 100, 1, 1_000_000) * RUB;
  const maxMicro = readInt(env, 'TOPUP_MAX_RUB', 100_000, 1, 10_000_000) * RUB;
  if (maxMicro < minMicro) throw new ConfigError('TOPUP_MAX_RUB must not be below TOPUP_MIN_RUB');
  const returnUrl = readString(env, 'TOPUP_RETURN_URL');
  const yookassa = provider === 'yookassa' ? readYooKassa(env) : undefined;
  return Object.freeze({
    provider: provider === 'none' ? undefined : provider,
    yookassa,
    minMicro,
    maxMicro,
    presetsMicro: readPresets(env, minMicro, maxMicro),
    returnUrl: returnUrl === undefined ? undefined : parseBaseUrl('TOPUP_RETURN_URL', returnUrl),
    reconcileAfterMs: readInt(env, 'PAYMENTS_RECONCILE_MINUTES', 10, 1, 1440) * 60_000,
    expireAfterMs: readInt(env, 'PAYMENTS_EXPIRE_HOURS', 24, 1, 720) * 3_600_000,
  });
}

function readYooKassa(env: Env): YooKassaConfig {
  const shopId = readString(env, 'YOOKASSA_SHOP_ID');
  const secretKey = readString(env, 'YOOKASSA_SECRET_KEY');
  if (shopId === undefined || secretKey === undefined) {
    throw new ConfigError('PAYMENTS_PROVIDER=yookassa needs YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY (the shop\'s id and secret key from the YooKassa cabinet, "Интеграция → Ключи API")');
  }
  if (!/^\d{1,20}$/.test(shopId)) throw new ConfigError(`YOOKASSA_SHOP_ID must be the shop's numeric id; got "${shopId}"`);
  const ranges = readString(env, 'YOOKASSA_WEBHOOK_IPS');
  return Object.freeze({
    shopId,
    secretKey,
    apiUrl: parseBaseUrl('YOOKASSA_API_URL', readString(env, 'YOOKASSA_API_URL', 'https://api.yookassa.ru/v3')),
    notificationRanges: ranges === undefined ? YOOKASSA_NOTIFICATION_RANGES : readRanges(ranges),
    receipts: readEnum(env, 'YOOKASSA_RECEIPTS', ['on', 'off'] as const, 'off') === 'on',
    vatCode: readInt(env, 'YOOKASSA_VAT_CODE', 1, 1, 12),
  });
}

function readRanges(raw: string): readonly string[] {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = entries.find((e) => !/^[0-9a-fA-F.:]+(?:\/\d{1,3})?$/.test(e));
  if (bad !== undefined || entries.length === 0) {
    throw new ConfigError(`YOOKASSA_WEBHOOK_IPS must be comma-separated IP addresses or CIDR ranges; got "${bad ?? raw}"`);
  }
  return Object.freeze(entries);
}

function readPresets(env: Env, minMicro: number, maxMicro: number): readonly number[] {
  const raw = readString(env, 'TOPUP_PRESETS', '500,1000,2000,5000');
  const values = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (values.some((v) => !/^\d{1,8}$/.test(v))) throw new ConfigError(`TOPUP_PRESETS must be whole rubles separated by commas, e.g. "500,1000,2000"; got "${raw}"`);
  return Object.freeze(values.map((v) => Number(v) * RUB).filter((micro) => micro >= minMicro && micro <= maxMicro));
}
