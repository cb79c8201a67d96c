// YooKassa API v3 rules for the mock (test/mocks/yookassa-mock.ts): error shapes, money,
// ids and the request validation the real API applies. Facts and their sources are listed
// in the header of yookassa-mock.ts.
import { randomBytes, randomUUID } from 'node:crypto';

/** IP ranges YooKassa sends notifications from (yookassa-sdk-php SecurityHelper; docs …/using-api/webhooks#ip). */
export const YOOKASSA_NOTIFICATION_IPS = [
  '185.71.76.0/27', '185.71.77.0/27', '77.75.153.0/25', '77.75.154.128/25', '77.75.156.11', '77.75.156.35',
  '2a02:5180::/32',
] as const;

/** A refusal in the real error shape; `status` 202 gives the "processing" shape instead. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, description: string, readonly parameter?: string) {
    super(description);
  }
  body(): Record<string, unknown> {
    if (this.status === 202) return { type: 'processing', description: this.message, retry_after: 1800 };
    const b: Record<string, unknown> = { type: 'error', id: randomUUID() };
    if (this.code) b.code = this.code;
    b.description = this.message;
    if (this.parameter) b.parameter = this.parameter;
    return b;
  }
}

export const invalid = (description: string, parameter?: string): ApiError =>
  new ApiError(400, 'invalid_request', description, parameter);

/** The error an injected failure (failNext) answers with. */
export function injected(status: number): ApiError {
  switch (status) {
    case 202: return new ApiError(202, undefined, 'Request accepted');
    case 400: return invalid('Invalid request');
    case 401: return new ApiError(401, 'invalid_credentials', 'Error in shopId or secret key. Check their validity. You can reissue the key in the Merchant Profile', 'Authorization');
    case 403: return new ApiError(403, 'forbidden', 'Not enough rights to perform the operation');
    case 404: return new ApiError(404, 'not_found', 'Requested resource is not found');
    case 429: return new ApiError(429, 'too_many_requests', 'Too many requests. Please, reduce the request rate');
    case 500: return new ApiError(500, 'internal_server_error', 'Internal server error. Processing results unavailable. Repeat the request later with the same idempotence key');
    default: return new ApiError(status, status >= 500 ? 'internal_server_error' : 'invalid_request', `HTTP ${status}`);
  }
}

/** An id in YooKassa's style: 8 hex of the creation time, then -000f-5000-8000- (payments) or -0015- (refunds). */
export function newId(kind: 'payment' | 'refund'): string {
  const t = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0').slice(-8);
  const variant = ['8', '9', 'a', 'b'][randomBytes(1)[0]! % 4]!;
  return `${t}-${kind === 'payment' ? '000f' : '0015'}-5000-${variant}000-${randomBytes(6).toString('hex')}`;
}

export interface Money { kopecks: number; currency: string }

export const money = (kopecks: number, currency = 'RUB'): { value: string; currency: string } =>
  ({ value: (kopecks / 100).toFixed(2), currency });

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses {value, currency}: value a string or number, > 0, at most 2 decimals; currency RUB. */
export function parseAmount(v: unknown, param = 'amount'): Money {
  if (!isObj(v)) throw invalid(`Missing or invalid ${param}`, param);
  const raw = typeof v.value === 'number' && Number.isFinite(v.value) ? String(v.value) : v.value;
  if (typeof raw !== 'string' || !/^\d+(\.\d{1,2})?$/.test(raw)) throw invalid(`Invalid ${param}.value: a positive amount with at most 2 decimals expected`, `${param}.value`);
  const [int, frac = ''] = raw.split('.');
  const kopecks = Number(int) * 100 + Number(frac.padEnd(2, '0'));
  if (!(kopecks > 0)) throw invalid(`Invalid ${param}.value: the amount must be greater than 0`, `${param}.value`);
  if (v.currency === undefined) throw invalid(`Missing ${param}.currency`, `${param}.currency`);
  if (v.currency !== 'RUB') throw invalid(`Unsupported currency: ${String(v.currency)}. This shop accepts RUB`, `${param}.currency`);
  return { kopecks, currency: 'RUB' };
}

function optString(b: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) throw invalid(`Invalid ${key}: a string of at most ${max} characters expected`, key);
  return v;
}

function parseMetadata(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalid('Invalid metadata: an object expected', 'metadata');
  const entries = Object.entries(v);
  if (entries.length > 16) throw invalid('Invalid metadata: at most 16 keys', 'metadata');
  for (const [k, val] of entries) {
    if (k.length > 32) throw invalid(`Invalid metadata key ${k}: at most 32 characters`, 'metadata');
    if (typeof val !== 'string' || val.length > 512) throw invalid(`Invalid metadata.${k}: a string of at most 512 characters expected`, 'metadata');
  }
  return v as Record<string, string>;
}

const VAT_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

function checkItem(it: unknown, i: number): number {
  const p = `receipt.items[${i}]`;
  if (!isObj(it)) throw invalid(`Invalid ${p}`, p);
  if (typeof it.description !== 'string' || it.description === '' || it.description.length > 128) {
    throw invalid(`Invalid ${p}.description: 1 to 128 characters expected`, `${p}.description`);
  }
  const q = typeof it.quantity === 'string' ? Number(it.quantity) : it.quantity;
  if (typeof q !== 'number' || !Number.isFinite(q) || q <= 0) throw invalid(`Invalid ${p}.quantity`, `${p}.quantity`);
  const amount = parseAmount(it.amount, `${p}.amount`);
  if (typeof it.vat_code !== 'number' || !VAT_CODES.has(it.vat_code)) throw invalid(`Invalid ${p}.vat_code`, `${p}.vat_code`);
  for (const k of ['payment_subject', 'payment_mode'] as const) {
    if (it[k] !== undefined && typeof it[k] !== 'string') throw invalid(`Invalid ${p}.${k}`, `${p}.${k}`);
  }
  return Math.round(amount.kopecks * q);
}

/** The receipt checks for 54-FZ: a customer contact, items, and items that add up to the payment. */
export function checkReceipt(r: unknown, total: number): void {
  if (!isObj(r)) throw invalid('Receipt is missing or illegal', 'receipt');
  const c = isObj(r.customer) ? r.customer : {};
  const email = c.email ?? r.email;
  const phone = c.phone ?? r.phone;
  if (email === undefined && phone === undefined) throw invalid('Receipt is missing or illegal: customer.email or customer.phone is required', 'receipt.customer');
  if (email !== undefined && (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email))) throw invalid('Invalid receipt.customer.email', 'receipt.customer.email');
  if (phone !== undefined && (typeof phone !== 'string' || !/^\+?\d{7,15}$/.test(phone))) throw invalid('Invalid receipt.customer.phone', 'receipt.customer.phone');
  if (!Array.isArray(r.items) || r.items.length === 0 || r.items.length > 100) throw invalid('Receipt is missing or illegal: receipt.items must hold 1 to 100 items', 'receipt.items');
  const sum = r.items.reduce((s: number, it: unknown, i: number) => s + checkItem(it, i), 0);
  if (sum !== total) throw invalid(`Receipt is missing or illegal: the items add up to ${money(sum).value}, the payment is ${money(total).value}`, 'receipt.items');
}

export interface PaymentRequest {
  amount: Money; capture: boolean; returnUrl: string; description?: string;
  metadata?: Record<string, string>; receipt?: unknown;
}

export function parsePaymentRequest(b: unknown): PaymentRequest {
  if (!isObj(b)) throw invalid('Request body must be a JSON object');
  const amount = parseAmount(b.amount);
  if (b.capture !== undefined && typeof b.capture !== 'boolean') throw invalid('Invalid capture: a boolean expected', 'capture');
  const conf = b.confirmation;
  if (!isObj(conf)) throw invalid('Missing confirmation', 'confirmation');
  if (conf.type !== 'redirect') throw invalid(`Unsupported confirmation.type: ${String(conf.type)} (the mock serves redirect)`, 'confirmation.type');
  if (typeof conf.return_url !== 'string' || !/^https?:\/\/\S+$/.test(conf.return_url) || conf.return_url.length > 2048) {
    throw invalid('Invalid confirmation.return_url', 'confirmation.return_url');
  }
  if (b.receipt !== undefined) checkReceipt(b.receipt, amount.kopecks);
  const out: PaymentRequest = { amount, capture: b.capture === true, returnUrl: conf.return_url };
  const description = optString(b, 'description', 128);
  if (description !== undefined) out.description = description;
  const metadata = parseMetadata(b.metadata);
  if (metadata) out.metadata = metadata;
  if (b.receipt !== undefined) out.receipt = b.receipt;
  return out;
}

export interface RefundRequest { paymentId: string; amount: Money; description?: string; receipt?: unknown }

export function parseRefundRequest(b: unknown): RefundRequest {
  if (!isObj(b)) throw invalid('Request body must be a JSON object');
  if (typeof b.payment_id !== 'string' || b.payment_id.length !== 36) throw invalid('Invalid payment_id', 'payment_id');
  const out: RefundRequest = { paymentId: b.payment_id, amount: parseAmount(b.amount) };
  const description = optString(b, 'description', 250);
  if (description !== undefined) out.description = description;
  if (b.receipt !== undefined) {
    checkReceipt(b.receipt, out.amount.kopecks);
    out.receipt = b.receipt;
  }
  return out;
}

/** JSON with object keys sorted, so two equal bodies compare equal whatever their key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Who cancels, for a cancellation reason (API reference, cancellation_details). */
export function cancellationParty(reason: string): 'yoo_money' | 'payment_network' | 'merchant' {
  if (reason === 'canceled_by_merchant') return 'merchant';
  if (['expired_on_confirmation', 'expired_on_capture', 'fraud_suspected', 'internal_timeout', 'permission_revoked'].includes(reason)) return 'yoo_money';
  return 'payment_network';
}
