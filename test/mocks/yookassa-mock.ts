// Mock YooKassa (ЮKassa) API v3 for the test suite: payments, refunds, idempotence, the
// confirmation page (yookassa-pages.ts) and notifications to a webhook URL.
//
// Real-API facts it follows (sources: yookassa.ru/developers/using-api/basics, …/response-handling/
// http-codes and …/recommendations, …/webhooks; yoomoney/yookassa-sdk-php Client.php, SecurityHelper.php,
// ResponseProcessingException.php; the Node SDKs' fixtures for the duplicate-key error):
// - Basic auth shopId:secretKey, else 401 invalid_credentials; errors {type:"error", id, code, description, parameter}.
// - POST needs Idempotence-Key (≤ 64 chars). The same key with the same request within 24 h answers the
//   original result again; with other parameters: 400 invalid_request "Idempotence key duplicated",
//   parameter "Idempotence-Key".
// - 202 {type:"processing", description, retry_after (ms)} means "accepted, not finished": repeat with the
//   same key (the PHP SDK repeats 202 and 500). 500 = result unknown, repeat with the same key.
// - A POST body of another content type: 415; a wrong method on a known path: 405.
// - capture defaults to false (the payment goes to waiting_for_capture when paid).
// Changes made through the API (capture, cancel, refunds) send no notification here; call notify().
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { checkoutPage, notFoundPage } from './yookassa-pages.js';
import {
  ApiError, cancellationParty, canonical, injected, invalid, money, newId, parseAmount, parsePaymentRequest, parseRefundRequest,
} from './yookassa-rules.js';

export { YOOKASSA_NOTIFICATION_IPS } from './yookassa-rules.js';

export interface MockYooKassa {
  /** API base for the client, e.g. http://127.0.0.1:PORT/v3 */
  apiUrl: string;
  shopId: string; secretKey: string;
  /** Where notifications go (set by the test to the gateway's webhook URL). */
  webhookUrl: string | undefined;
  /** Every API call received, in order. */
  calls: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined>; body: any }>;
  payment(id: string): any | undefined;           // current payment object
  payments(): any[];
  refund(id: string): any | undefined;
  /** Marks it succeeded (paid, captured) and, unless notify:false, POSTs payment.succeeded to webhookUrl. Returns the notification answer status (or undefined). */
  pay(id: string, opts?: { notify?: boolean; method?: 'bank_card' | 'sbp' }): Promise<number | undefined>;
  cancel(id: string, opts?: { reason?: string; notify?: boolean }): Promise<number | undefined>;
  /** POSTs a notification `{type:"notification", event, object}` to webhookUrl (or opts.url); `object` defaults to the current payment/refund with that id; opts.object overrides (for forged bodies). */
  notify(event: 'payment.succeeded' | 'payment.canceled' | 'payment.waiting_for_capture' | 'refund.succeeded', id: string, opts?: { url?: string; object?: unknown; headers?: Record<string,string> }): Promise<number>;
  /** The next n API calls answer this status with the real error shape (500 internal_server_error, 429 too_many_requests…), without acting. */
  failNext(n: number, status: number): void;
  /** Changes a stored payment's fields as the shop's other systems (or a bug) might: for the mismatch checks. */
  tamper(id: string, patch: Record<string, unknown>): void;
  close(): Promise<void>;
}

type Obj = Record<string, any>;
interface PayState { obj: Obj; amountK: number; refundedK: number; returnUrl: string; capture: boolean }
interface Answer { status: number; body: unknown }
type Event = Parameters<MockYooKassa['notify']>[0];

const DAY_MS = 24 * 3600 * 1000;
const now = (): string => new Date().toISOString();
const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function paymentMethod(id: string, method: 'bank_card' | 'sbp'): Obj {
  if (method === 'sbp') {
    return { type: 'sbp', id, saved: false, status: 'inactive', sbp_operation_id: `1027088AE4CB48CB81287833347A8777`, payer_bank_details: { bank_id: '100000000111', bic: '044525225' } };
  }
  return {
    type: 'bank_card', id, saved: false, status: 'inactive', title: 'Bank card *4444',
    card: { first6: '555555', last4: '4444', expiry_year: '2030', expiry_month: '12', card_type: 'MasterCard', issuer_country: 'RU' },
  };
}

export async function startMockYooKassa(opts: { shopId?: string; secretKey?: string } = {}): Promise<MockYooKassa> {
  const shopId = opts.shopId ?? '100500';
  const secretKey = opts.secretKey ?? 'test_mockSecretKey_0123456789';
  const payments = new Map<string, PayState>();
  const refunds = new Map<string, Obj>();
  const idem = new Map<string, { hash: string; at: number; answer: string }>();
  const fails: number[] = [];
  const calls: MockYooKassa['calls'] = [];
  let base = '';

  const authorized = (h: string | undefined): boolean => {
    const m = /^Basic\s+(\S+)$/i.exec(h ?? '');
    return !!m && Buffer.from(m[1]!, 'base64').toString('utf8') === `${shopId}:${secretKey}`;
  };
  const notFound = (what: 'payment' | 'refund'): ApiError =>
    new ApiError(404, 'not_found', `Incorrect ${what}_id. ${what === 'payment' ? 'Payment' : 'Refund'} doesn't exist or access denied. Specify the ${what} ID created in your store`, `${what}_id`);
  const getPayment = (id: string): PayState => {
    const p = payments.get(id);
    if (!p) throw notFound('payment');
    return p;
  };

  function createPayment(body: unknown): Obj {
    const r = parsePaymentRequest(body);
    const id = newId('payment');
    const obj: Obj = {
      id, status: 'pending', paid: false, amount: money(r.amount.kopecks),
      confirmation: { type: 'redirect', confirmation_url: `${base}/checkout/${id}`, return_url: r.returnUrl },
      created_at: now(),
    };
    if (r.description !== undefined) obj.description = r.description;
    obj.metadata = r.metadata ?? {};
    obj.recipient = { account_id: shopId, gateway_id: '1001700' };
    obj.refundable = false;
    obj.test = true;
    if (r.receipt !== undefined) obj.receipt_registration = 'pending';
    payments.set(id, { obj, amountK: r.amount.kopecks, refundedK: 0, returnUrl: r.returnUrl, capture: r.capture });
    return obj;
  }

  function settle(p: PayState, capturedK: number): void {
    const o = p.obj;
    p.amountK = capturedK;
    o.status = 'succeeded';
    o.amount = money(capturedK);
    o.income_amount = money(Math.round(capturedK * 0.965));
    o.captured_at = now();
    o.refundable = true;
    o.refunded_amount = money(0);
    delete o.expires_at;
    if (o.receipt_registration) o.receipt_registration = 'succeeded';
  }

  function markPaid(p: PayState, method: 'bank_card' | 'sbp'): Event {
    const o = p.obj;
    if (o.status !== 'pending') throw new Error(`mock YooKassa: payment ${o.id} is ${o.status}, not pending`);
    o.paid = true;
    o.payment_method = paymentMethod(o.id, method);
    if (method === 'bank_card') o.authorization_details = { rrn: '603668680243', auth_code: '000000', three_d_secure: { applied: false } };
    delete o.confirmation;
    if (p.capture) {
      settle(p, p.amountK);
      return 'payment.succeeded';
    }
    o.status = 'waiting_for_capture';
    o.expires_at = new Date(Date.now() + 7 * DAY_MS).toISOString();
    return 'payment.waiting_for_capture';
  }

  function markCanceled(p: PayState, reason: string): void {
    const o = p.obj;
    if (o.status === 'succeeded' || o.status === 'canceled') throw new Error(`mock YooKassa: payment ${o.id} is already ${o.status}`);
    o.status = 'canceled';
    o.paid = false;
    o.refundable = false;
    o.cancellation_details = { party: cancellationParty(reason), reason };
    delete o.confirmation;
    delete o.expires_at;
    if (o.receipt_registration) o.receipt_registration = 'canceled';
  }

  function capture(id: string, body: unknown): Obj {
    const p = getPayment(id);
    if (p.obj.status !== 'waiting_for_capture') throw invalid(`Payment has status ${p.obj.status}. Capture is possible only for payments with status waiting_for_capture`, 'payment_id');
    const b = (body ?? {}) as Obj;
    const k = b.amount === undefined ? p.amountK : parseAmount(b.amount).kopecks;
    if (k > p.amountK) throw invalid('The amount to capture is greater than the authorized amount', 'amount.value');
    settle(p, k);
    return p.obj;
  }

  function cancelByApi(id: string): Obj {
    const p = getPayment(id);
    if (p.obj.status !== 'waiting_for_capture') throw invalid(`Payment has status ${p.obj.status}. Cancellation is possible only for payments with status waiting_for_capture`, 'payment_id');
    markCanceled(p, 'canceled_by_merchant');
    return p.obj;
  }

  function createRefund(body: unknown): Obj {
    const r = parseRefundRequest(body);
    const p = payments.get(r.paymentId);
    if (!p) throw invalid(`Payment ${r.paymentId} doesn't exist or access denied`, 'payment_id');
    if (p.obj.status !== 'succeeded') throw invalid(`Payment has status ${p.obj.status}. Refund is possible only for payments with status succeeded`, 'payment_id');
    const left = p.amountK - p.refundedK;
    if (r.amount.kopecks > left) throw invalid(`The refund amount ${money(r.amount.kopecks).value} is greater than the amount available for refund ${money(left).value}`, 'amount.value');
    const refund: Obj = { id: newId('refund'), payment_id: p.obj.id, status: 'succeeded', created_at: now(), amount: money(r.amount.kopecks) };
    if (r.description !== undefined) refund.description = r.description;
    if (r.receipt !== undefined) refund.receipt_registration = 'succeeded';
    refunds.set(refund.id, refund);
    p.refundedK += r.amount.kopecks;
    p.obj.refunded_amount = money(p.refundedK);
    p.obj.refundable = p.refundedK < p.amountK;
    return refund;
  }

  function post(path: string, body: unknown): Obj {
    if (path === '/v3/payments') return createPayment(body);
    if (path === '/v3/refunds') return createRefund(body);
    const m = /^\/v3\/payments\/([^/]+)\/(capture|cancel)$/.exec(path);
    if (m) return m[2] === 'capture' ? capture(m[1]!, body) : cancelByApi(m[1]!);
    throw new ApiError(404, 'not_found', `Requested resource is not found: POST ${path}`);
  }

  function get(path: string): Obj {
    let m = /^\/v3\/payments\/([^/]+)$/.exec(path);
    if (m) return getPayment(m[1]!).obj;
    m = /^\/v3\/refunds\/([^/]+)$/.exec(path);
    if (m) {
      const r = refunds.get(m[1]!);
      if (!r) throw notFound('refund');
      return r;
    }
    if (path === '/v3/payments') return { type: 'list', items: [...payments.values()].map((p) => p.obj).reverse() };
    throw new ApiError(404, 'not_found', `Requested resource is not found: GET ${path}`);
  }

  const POST_PATHS = /^\/v3\/(payments|refunds|payments\/[^/]+\/(capture|cancel))$/;
  const GET_PATHS = /^\/v3\/(payments|payments\/[^/]+|refunds\/[^/]+)$/;

  /** One API call, after auth and injected failures; POSTs go through idempotence. */
  function api(req: IncomingMessage, path: string, raw: string, body: unknown): Answer {
    const method = req.method ?? 'GET';
    const known = method === 'POST' ? POST_PATHS.test(path) : method === 'GET' && GET_PATHS.test(path);
    if (!known && (POST_PATHS.test(path) || GET_PATHS.test(path))) return { status: 405, body: new ApiError(405, undefined, `Method ${method} is not allowed for ${path}`).body() };
    if (method !== 'POST') return { status: 200, body: clone(get(path)) };
    const key = req.headers['idempotence-key'];
    if (typeof key !== 'string' || key === '') throw invalid('Idempotence key is missing. Specify the Idempotence-Key header', 'Idempotence-Key');
    if (key.length > 64) throw invalid('Idempotence key is too long: at most 64 characters', 'Idempotence-Key');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return { status: 415, body: new ApiError(415, undefined, 'Unsupported content type: application/json expected').body() };
    if (body === undefined && raw.trim() !== '') throw invalid('Request body is not a valid JSON');
    const hash = createHash('sha256').update(`${path}\n${canonical(body ?? {})}`).digest('hex');
    const seen = idem.get(key);
    if (seen && Date.now() - seen.at < DAY_MS) {
      if (seen.hash !== hash) throw invalid('Idempotence key duplicated', 'Idempotence-Key');
      return { status: 200, body: JSON.parse(seen.answer) };
    }
    const answer = JSON.stringify(post(path, body));
    idem.set(key, { hash, at: Date.now(), answer });
    return { status: 200, body: JSON.parse(answer) };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> {
    let body: unknown;
    try {
      body = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      body = undefined;
    }
    calls.push({ method: req.method ?? 'GET', path, headers: { ...req.headers }, body: body ?? (raw === '' ? undefined : raw) });
    let ans: Answer;
    try {
      const failing = fails.shift();
      if (failing !== undefined) throw injected(failing);
      if (!authorized(req.headers.authorization)) throw injected(401);
      ans = api(req, path, raw, body);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'internal_server_error', `mock failure: ${String(e)}`);
      ans = { status: err.status, body: err.body() };
    }
    send(res, ans.status, JSON.stringify(ans.body), 'application/json;charset=UTF-8');
  }

  async function handleCheckout(req: IncomingMessage, res: ServerResponse, id: string, raw: string): Promise<void> {
    const p = payments.get(id);
    if (!p) return send(res, 404, notFoundPage(), 'text/html; charset=utf-8');
    if (req.method === 'POST') {
      const form = new URLSearchParams(raw);
      if (p.obj.status === 'pending') {
        const settled = form.get('action') === 'cancel'
          ? mock.cancel(id, { reason: 'expired_on_confirmation' })
          : mock.pay(id, { method: form.get('method') === 'sbp' ? 'sbp' : 'bank_card' });
        await settled.catch(() => undefined); // an unreachable webhook does not stop the redirect
      }
      return send(res, 302, '', 'text/plain', { location: p.returnUrl });
    }
    const o = p.obj;
    send(res, 200, checkoutPage({ id, status: o.status, amount: o.amount, description: o.description, shop: shopId, returnUrl: p.returnUrl }), 'text/html; charset=utf-8');
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://mock.local').pathname;
      const m = /^\/checkout\/([^/]+)$/.exec(path);
      if (m) return handleCheckout(req, res, m[1]!, raw);
      if (path.startsWith('/v3/')) return handleApi(req, res, path, raw);
      send(res, 404, 'not found', 'text/plain');
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('mock YooKassa has no TCP address');
  base = `http://127.0.0.1:${addr.port}`;

  async function deliver(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<number> {
    const r = await fetch(url, {
      method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload),
    });
    await r.arrayBuffer().catch(() => undefined);
    return r.status;
  }

  const mock: MockYooKassa = {
    apiUrl: `${base}/v3`,
    shopId, secretKey,
    webhookUrl: undefined,
    calls,
    payment: (id) => clone(payments.get(id)?.obj),
    payments: () => [...payments.values()].map((p) => clone(p.obj)),
    refund: (id) => clone(refunds.get(id)),
    tamper: (id, patch) => void Object.assign(getPaymentOrThrow(id).obj, patch),
    async pay(id, o = {}) {
      const event = markPaid(getPaymentOrThrow(id), o.method ?? 'bank_card');
      return o.notify === false || !mock.webhookUrl ? undefined : mock.notify(event, id);
    },
    async cancel(id, o = {}) {
      markCanceled(getPaymentOrThrow(id), o.reason ?? 'expired_on_confirmation');
      return o.notify === false || !mock.webhookUrl ? undefined : mock.notify('payment.canceled', id);
    },
    async notify(event, id, o = {}) {
      const url = o.url ?? mock.webhookUrl;
      if (!url) throw new Error('mock YooKassa: no webhookUrl set and no opts.url given');
      const object = 'object' in o ? o.object : event.startsWith('refund.') ? refunds.get(id) : payments.get(id)?.obj;
      if (object === undefined) throw new Error(`mock YooKassa: no ${event.split('.')[0]} ${id}`);
      return deliver(url, { type: 'notification', event, object }, o.headers);
    },
    failNext(n, status) {
      for (let i = 0; i < n; i++) fails.push(status);
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  function getPaymentOrThrow(id: string): PayState {
    const p = payments.get(id);
    if (!p) throw new Error(`mock YooKassa: no payment ${id}`);
    return p;
  }
  return mock;
}
