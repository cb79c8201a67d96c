import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { Agent, request } from 'undici';
import type { YooKassaSettings } from './settings.js';
import { parseRublesToMicro } from '../../core/money.js';
import {
  PaymentProviderError,
  type PaymentProvider,
  type PaymentRequest,
  type PaymentStatus,
  type ProviderNotification,
  type ProviderPayment,
  type ProviderRefund,
  type RefundRequest,
} from './provider.js';

const TIMEOUT_MS = 15_000;
const STATUSES = new Set<PaymentStatus>(['pending', 'waiting_for_capture', 'succeeded', 'canceled']);
const REFUND_STATUSES = new Set(['pending', 'succeeded', 'canceled']);

/**
 * YooKassa's API v3 (yookassa.ru/developers/api): Basic auth with the shop id and secret key, an
 * `Idempotence-Key` on every POST (the same key within 24 h answers the first result and never acts twice),
 * amounts as decimal strings in rubles with two decimals.
 */
export class YooKassaProvider implements PaymentProvider {
  readonly id = 'yookassa';
  private readonly auth: string;
  private readonly allowed = new BlockList();
  private readonly agent = new Agent({ connections: 8, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });

  constructor(private readonly config: YooKassaSettings) {
    this.auth = 'Basic ' + Buffer.from(`${config.shopId}:${config.secretKey}`).toString('base64');
    for (const range of config.notificationRanges) addRange(this.allowed, range);
  }

  async createPayment(order: PaymentRequest): Promise<ProviderPayment> {
    const amount = { value: rublesText(order.amountMicro), currency: 'RUB' };
    const body: Record<string, unknown> = {
      amount,
      capture: true,
      confirmation: { type: 'redirect', return_url: order.returnUrl },
      description: order.description.slice(0, 128),
      metadata: { tollgate_order_id: order.orderId, tollgate_user_id: order.userId },
    };
    if (this.config.receipts && order.receiptEmail) {
      body['receipt'] = {
        customer: { email: order.receiptEmail },
        items: [{ description: 'Пополнение баланса', quantity: '1.00', amount, vat_code: this.config.vatCode, payment_mode: 'full_prepayment', payment_subject: 'service' }],
      };
    }
    return paymentOf(await this.call('POST', '/payments', body, order.orderId));
  }

  async getPayment(paymentId: string): Promise<ProviderPayment> {
    return paymentOf(await this.call('GET', `/payments/${encodeURIComponent(paymentId)}`));
  }

  async createRefund(refund: RefundRequest): Promise<ProviderRefund> {
    const body = { payment_id: refund.paymentId, amount: { value: rublesText(refund.amountMicro), currency: 'RUB' }, description: refund.description.slice(0, 250) };
    return refundOf(await this.call('POST', '/refunds', body, refund.refundKey));
  }

  async getRefund(refundId: string): Promise<ProviderRefund> {
    return refundOf(await this.call('GET', `/refunds/${encodeURIComponent(refundId)}`));
  }

  acceptsNotificationFrom(ip: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const address = mapped ? mapped[1]! : ip;
    if (isIPv4(address)) return this.allowed.check(address, 'ipv4');
    return isIPv6(address) && this.allowed.check(address, 'ipv6');
  }

  parseNotification(rawBody: string): ProviderNotification | undefined {
    const body = parseJson(rawBody);
    if (!isObject(body) || body['type'] !== 'notification' || typeof body['event'] !== 'string' || !isObject(body['object'])) return undefined;
    const event = body['event'];
    const object = body['object'];
    const objectId = object['id'];
    if (typeof objectId !== 'string' || objectId.length === 0 || objectId.length > 100) return undefined;
    if (event.startsWith('payment.')) return { kind: 'payment', event, objectId };
    if (event.startsWith('refund.')) {
      const paymentId = typeof object['payment_id'] === 'string' ? object['payment_id'] : undefined;
      return { kind: 'refund', event, objectId, paymentId };
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, idempotenceKey?: string): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { authorization: this.auth, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotenceKey !== undefined) headers['idempotence-key'] = idempotenceKey;
    let res;
    try {
      res = await request(this.config.apiUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher: this.agent });
    } catch (err) {
      throw new PaymentProviderError(`YooKassa did not answer: ${(err as Error).message}`, undefined, false, undefined);
    }
    const text = await res.body.text().catch(() => '');
    const json = parseJson(text);
    if (res.statusCode === 200 && isObject(json) && json['type'] !== 'processing') return json;
    throw errorOf(res.statusCode, json);
  }
}

/** 4xx other than 429 is YooKassa refusing the request as such; anything else leaves the outcome open. */
function errorOf(status: number, json: unknown): PaymentProviderError {
  const code = isObject(json) && typeof json['code'] === 'string' ? json['code'] : undefined;
  const description = isObject(json) && typeof json['description'] === 'string' ? json['description'] : undefined;
  const parameter = isObject(json) && typeof json['parameter'] === 'string' ? ` (${json['parameter']})` : '';
  const definite = status >= 400 && status < 500 && status !== 429;
  const what = status === 200 || status === 202 ? 'is still processing the request' : `answered ${status}`;
  return new PaymentProviderError(`YooKassa ${what}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}${parameter}`, status, definite, code);
}

function paymentOf(json: Record<string, unknown>): ProviderPayment {
  const status = json['status'];
  const amount = amountOf(json['amount']);
  if (typeof json['id'] !== 'string' || !STATUSES.has(status as PaymentStatus) || !amount) throw malformed('payment');
  const metadata = isObject(json['metadata']) ? json['metadata'] : {};
  const confirmation = isObject(json['confirmation']) ? json['confirmation'] : {};
  const cancellation = isObject(json['cancellation_details']) ? json['cancellation_details'] : {};
  return {
    id: json['id'],
    status: status as PaymentStatus,
    paid: json['paid'] === true,
    amountMicro: amount.micro,
    currency: amount.currency,
    orderId: textOf(metadata['tollgate_order_id']),
    userId: textOf(metadata['tollgate_user_id']),
    confirmationUrl: textOf(confirmation['confirmation_url']),
    cancellationReason: textOf(cancellation['reason']),
    refundedMicro: amountOf(json['refunded_amount'])?.micro ?? 0,
  };
}

function refundOf(json: Record<string, unknown>): ProviderRefund {
  const amount = amountOf(json['amount']);
  const status = json['status'];
  if (typeof json['id'] !== 'string' || typeof json['payment_id'] !== 'string' || !REFUND_STATUSES.has(status as string) || !amount) throw malformed('refund');
  return { id: json['id'], paymentId: json['payment_id'], status: status as ProviderRefund['status'], amountMicro: amount.micro };
}

function amountOf(value: unknown): { micro: number; currency: string } | undefined {
  if (!isObject(value) || typeof value['currency'] !== 'string') return undefined;
  const micro = parseRublesToMicro(value['value']);
  return micro === undefined || micro < 0 ? undefined : { micro, currency: value['currency'] };
}

/** Micro-rubles as YooKassa's amount: rubles with two decimals (callers keep amounts whole kopecks). */
export function rublesText(micro: number): string {
  if (!Number.isSafeInteger(micro) || micro <= 0 || micro % 10_000 !== 0) throw new RangeError(`not a whole number of kopecks: ${micro}`);
  const kopecks = micro / 10_000;
  return `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`;
}

function addRange(list: BlockList, range: string): void {
  const [address, bits] = range.split('/');
  const type = isIPv4(address!) ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(address!, type);
  else list.addSubnet(address!, Number(bits), type);
}

const malformed = (what: string) => new PaymentProviderError(`YooKassa answered a ${what} tollgate cannot read`, 200, false, undefined);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
