// The mock YooKassa behaves like the real API v3 where tollgate depends on it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startMockYooKassa, type MockYooKassa } from './yookassa-mock.js';

let yk: MockYooKassa;
let seq = 0;
const key = (): string => `test-key-${++seq}-${Date.now()}`;

interface Res { status: number; body: any; headers: Headers }
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const auth = `Basic ${Buffer.from(`${yk.shopId}:${yk.secretKey}`).toString('base64')}`;
  const r = await fetch(`${yk.apiUrl}${path}`, {
    method, headers: { authorization: auth, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json(), headers: r.headers };
}
const paymentBody = (value: unknown = '500.00', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  amount: { value, currency: 'RUB' }, capture: true,
  confirmation: { type: 'redirect', return_url: 'http://shop.test/billing/return' },
  description: 'Пополнение баланса', metadata: { order_id: 'ord_1' }, ...extra,
});
async function createPayment(extra: Record<string, unknown> = {}, value: unknown = '500.00'): Promise<any> {
  const r = await call('POST', '/payments', paymentBody(value, extra), { 'idempotence-key': key() });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}
function assertError(r: Res, status: number, code: string, parameter?: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.type, 'error');
  assert.equal(r.body.code, code);
  assert.match(r.body.id, /^[0-9a-f-]{36}$/);
  assert.equal(typeof r.body.description, 'string');
  if (parameter) assert.equal(r.body.parameter, parameter);
}

/** A local webhook receiver: records each notification and answers `reply`. */
const hook = { got: [] as Array<{ headers: http.IncomingHttpHeaders; body: any }>, reply: 200, url: '' };
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    hook.got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(hook.reply).end();
  });
});

before(async () => {
  yk = await startMockYooKassa({ shopId: '424242', secretKey: 'test_secret' });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const a = receiver.address();
  hook.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/webhooks/yookassa`;
  yk.webhookUrl = hook.url;
});
after(async () => {
  await yk.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('payments', () => {
  test('a created payment has the real pending shape', async () => {
    assert.match(yk.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/v3$/);
    const p = await createPayment();
    assert.match(p.id, /^[0-9a-f]{8}-000f-5000-[89ab]000-[0-9a-f]{12}$/);
    assert.equal(p.status, 'pending');
    assert.equal(p.paid, false);
    assert.deepEqual(p.amount, { value: '500.00', currency: 'RUB' });
    assert.equal(p.confirmation.type, 'redirect');
    assert.equal(p.confirmation.return_url, 'http://shop.test/billing/return');
    assert.equal(p.confirmation.confirmation_url, `${yk.apiUrl.replace(/\/v3$/, '')}/checkout/${p.id}`);
    assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(p.description, 'Пополнение баланса');
    assert.deepEqual(p.metadata, { order_id: 'ord_1' });
    assert.deepEqual(p.recipient, { account_id: '424242', gateway_id: '1001700' });
    assert.equal(p.refundable, false);
    assert.equal(p.test, true);
    const got = await call('GET', `/payments/${p.id}`);
    assert.deepEqual(got.body, p);
    assert.deepEqual(yk.payment(p.id), p);
    const last = yk.calls.at(-1)!;
    assert.equal(last.method, 'GET');
    assert.equal(last.path, `/v3/payments/${p.id}`);
    assert.equal(yk.calls.at(-2)!.body.amount.value, '500.00');
  });

  test('auth: none or a wrong secret is 401 invalid_credentials, and nothing is created', async () => {
    const before = yk.payments().length;
    const none = await fetch(`${yk.apiUrl}/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotence-key': key() }, body: JSON.stringify(paymentBody()) });
    assertError({ status: none.status, body: await none.json(), headers: none.headers }, 401, 'invalid_credentials');
    const wrong = `Basic ${Buffer.from(`${yk.shopId}:nope`).toString('base64')}`;
    assertError(await call('POST', '/payments', paymentBody(), { 'idempotence-key': key(), authorization: wrong }), 401, 'invalid_credentials');
    assertError(await call('GET', '/payments/x', undefined, { authorization: wrong }), 401, 'invalid_credentials');
    assert.equal(yk.payments().length, before);
  });

  test('Idempotence-Key is required on POST', async () => {
    assertError(await call('POST', '/payments', paymentBody()), 400, 'invalid_request', 'Idempotence-Key');
    assertError(await call('POST', '/payments', paymentBody(), { 'idempotence-key': 'k'.repeat(65) }), 400, 'invalid_request', 'Idempotence-Key');
  });

  test('idempotence: same key and body → the same payment; another body → Idempotence key duplicated', async () => {
    const k = key();
    const n = yk.payments().length;
    const a = await call('POST', '/payments', paymentBody(), { 'idempotence-key': k });
    const reordered = Object.fromEntries(Object.entries(paymentBody()).reverse());
    const b = await call('POST', '/payments', reordered, { 'idempotence-key': k });
    assert.equal(b.status, 200);
    assert.deepEqual(b.body, a.body);
    assert.equal(yk.payments().length, n + 1);
    const c = await call('POST', '/payments', paymentBody('600.00'), { 'idempotence-key': k });
    assertError(c, 400, 'invalid_request', 'Idempotence-Key');
    assert.equal(c.body.description, 'Idempotence key duplicated');
    const d = await call('POST', '/refunds', { payment_id: a.body.id, amount: { value: '1.00', currency: 'RUB' } }, { 'idempotence-key': k });
    assert.equal(d.body.description, 'Idempotence key duplicated', 'a key is the shop\'s, whatever the endpoint');
    assert.equal(yk.payments().length, n + 1);
  });

  test('amount and body validation', async () => {
    for (const [value, param] of [['500.001', 'amount.value'], ['0.00', 'amount.value'], ['-5', 'amount.value'], ['5,00', 'amount.value'], [null, 'amount.value']] as const) {
      assertError(await call('POST', '/payments', paymentBody(value), { 'idempotence-key': key() }), 400, 'invalid_request', param);
    }
    const usd = paymentBody();
    usd.amount = { value: '5.00', currency: 'USD' };
    assertError(await call('POST', '/payments', usd, { 'idempotence-key': key() }), 400, 'invalid_request', 'amount.currency');
    assertError(await call('POST', '/payments', paymentBody('5.00', { confirmation: { type: 'redirect' } }), { 'idempotence-key': key() }), 400, 'invalid_request', 'confirmation.return_url');
    assertError(await call('POST', '/payments', paymentBody('5.00', { description: 'x'.repeat(129) }), { 'idempotence-key': key() }), 400, 'invalid_request', 'description');
    assertError(await call('POST', '/payments', paymentBody('5.00', { metadata: { n: 5 } }), { 'idempotence-key': key() }), 400, 'invalid_request', 'metadata');
    assert.equal((await createPayment({}, 12.5)).amount.value, '12.50');
    const text = await fetch(`${yk.apiUrl}/payments`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${yk.shopId}:${yk.secretKey}`).toString('base64')}`, 'idempotence-key': key(), 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(text.status, 415);
  });

  test('receipt: a customer contact and items adding up to the amount are required', async () => {
    const item = { description: 'Пополнение баланса', quantity: '1.00', amount: { value: '500.00', currency: 'RUB' }, vat_code: 1, payment_subject: 'service', payment_mode: 'full_payment' };
    assertError(await call('POST', '/payments', paymentBody('500.00', { receipt: { customer: {}, items: [item] } }), { 'idempotence-key': key() }), 400, 'invalid_request', 'receipt.customer');
    assertError(await call('POST', '/payments', paymentBody('500.00', { receipt: { customer: { email: 'a@b.ru' }, items: [] } }), { 'idempotence-key': key() }), 400, 'invalid_request', 'receipt.items');
    const half = { ...item, amount: { value: '250.00', currency: 'RUB' } };
    assertError(await call('POST', '/payments', paymentBody('500.00', { receipt: { customer: { email: 'a@b.ru' }, items: [half] } }), { 'idempotence-key': key() }), 400, 'invalid_request', 'receipt.items');
    assertError(await call('POST', '/payments', paymentBody('500.00', { receipt: { customer: { email: 'a@b.ru' }, items: [{ ...item, vat_code: 99 }] } }), { 'idempotence-key': key() }), 400, 'invalid_request', 'receipt.items[0].vat_code');
    const ok = await createPayment({ receipt: { customer: { email: 'a@b.ru' }, items: [half, { ...half, quantity: 1 }] } });
    assert.equal(ok.receipt_registration, 'pending');
    await yk.pay(ok.id, { notify: false });
    assert.equal(yk.payment(ok.id).receipt_registration, 'succeeded');
  });

  test('an unknown payment is 404 not_found', async () => {
    assertError(await call('GET', '/payments/2f000000-000f-5000-8000-000000000000'), 404, 'not_found');
    assertError(await call('GET', '/refunds/nope'), 404, 'not_found');
    assert.equal(yk.payment('nope'), undefined);
    assert.equal((await call('DELETE', '/payments/x')).status, 405);
  });
});

describe('paying, notifications, refunds', () => {
  test('pay() makes it succeeded and posts payment.succeeded to the webhook', async () => {
    const p = await createPayment();
    hook.got.length = 0;
    hook.reply = 200;
    assert.equal(await yk.pay(p.id), 200);
    assert.equal(hook.got.length, 1);
    const n = hook.got[0]!;
    assert.match(String(n.headers['content-type']), /^application\/json/);
    assert.equal(n.body.type, 'notification');
    assert.equal(n.body.event, 'payment.succeeded');
    const o = n.body.object;
    assert.equal(o.id, p.id);
    assert.equal(o.status, 'succeeded');
    assert.equal(o.paid, true);
    assert.equal(o.refundable, true);
    assert.match(o.captured_at, /\.\d{3}Z$/);
    assert.deepEqual(o.amount, { value: '500.00', currency: 'RUB' });
    assert.deepEqual(o.income_amount, { value: '482.50', currency: 'RUB' });
    assert.deepEqual(o.refunded_amount, { value: '0.00', currency: 'RUB' });
    assert.equal(o.payment_method.type, 'bank_card');
    assert.equal(o.payment_method.saved, false);
    assert.equal(o.payment_method.card.last4, '4444');
    assert.deepEqual(o.metadata, { order_id: 'ord_1' });
    assert.deepEqual((await call('GET', `/payments/${p.id}`)).body, o);
    await assert.rejects(yk.pay(p.id), /not pending/);
    hook.reply = 503;
    assert.equal(await yk.notify('payment.succeeded', p.id), 503, 'the receiver\'s status is returned');
    assert.equal(await yk.notify('payment.succeeded', p.id, { object: { id: p.id, status: 'succeeded', forged: true }, headers: { 'x-test': '1' } }), 503);
    assert.equal(hook.got.at(-1)!.body.object.forged, true);
    assert.equal(hook.got.at(-1)!.headers['x-test'], '1');
  });

  test('sbp, cancel, notify:false and capture:false', async () => {
    const a = await createPayment();
    hook.reply = 200;
    hook.got.length = 0;
    assert.equal(await yk.pay(a.id, { method: 'sbp', notify: false }), undefined);
    assert.equal(hook.got.length, 0);
    assert.equal(yk.payment(a.id).payment_method.type, 'sbp');
    const b = await createPayment();
    assert.equal(await yk.cancel(b.id, { reason: 'card_expired' }), 200);
    const c = hook.got[0]!.body;
    assert.equal(c.event, 'payment.canceled');
    assert.equal(c.object.status, 'canceled');
    assert.equal(c.object.paid, false);
    assert.deepEqual(c.object.cancellation_details, { party: 'payment_network', reason: 'card_expired' });
    const d = await createPayment({ capture: false });
    await yk.pay(d.id);
    assert.equal(hook.got.at(-1)!.body.event, 'payment.waiting_for_capture');
    assert.equal(yk.payment(d.id).status, 'waiting_for_capture');
    const cap = await call('POST', `/payments/${d.id}/capture`, { amount: { value: '400.00', currency: 'RUB' } }, { 'idempotence-key': key() });
    assert.equal(cap.body.status, 'succeeded');
    assert.equal(cap.body.amount.value, '400.00');
  });

  test('refunds: only of a succeeded payment, never past what is left; refunded_amount grows', async () => {
    const p = await createPayment();
    const refund = (value: string, k = key()): Promise<Res> =>
      call('POST', '/refunds', { payment_id: p.id, amount: { value, currency: 'RUB' }, description: 'Возврат' }, { 'idempotence-key': k });
    assertError(await refund('100.00'), 400, 'invalid_request', 'payment_id');
    await yk.pay(p.id, { notify: false });
    const k = key();
    const r1 = await refund('300.00', k);
    assert.equal(r1.status, 200);
    assert.match(r1.body.id, /^[0-9a-f]{8}-0015-5000-[89ab]000-[0-9a-f]{12}$/);
    assert.equal(r1.body.payment_id, p.id);
    assert.equal(r1.body.status, 'succeeded');
    assert.deepEqual(r1.body.amount, { value: '300.00', currency: 'RUB' });
    assert.equal(r1.body.description, 'Возврат');
    assert.match(r1.body.created_at, /\.\d{3}Z$/);
    assert.deepEqual((await refund('300.00', k)).body, r1.body, 'a repeated key refunds once');
    assert.equal(yk.payment(p.id).refunded_amount.value, '300.00');
    assertError(await refund('200.01'), 400, 'invalid_request', 'amount.value');
    assert.equal((await refund('200.00')).status, 200);
    assert.equal(yk.payment(p.id).refunded_amount.value, '500.00');
    assert.equal(yk.payment(p.id).refundable, false);
    assertError(await refund('0.01'), 400, 'invalid_request', 'amount.value');
    assert.deepEqual((await call('GET', `/refunds/${r1.body.id}`)).body, r1.body);
    assert.deepEqual(yk.refund(r1.body.id), r1.body);
    hook.got.length = 0;
    await yk.notify('refund.succeeded', r1.body.id);
    assert.deepEqual(hook.got[0]!.body, { type: 'notification', event: 'refund.succeeded', object: r1.body });
  });

  test('failNext answers the real error shapes without acting', async () => {
    const n = yk.payments().length;
    yk.failNext(2, 500);
    const k = key();
    for (let i = 0; i < 2; i++) assertError(await call('POST', '/payments', paymentBody(), { 'idempotence-key': k }), 500, 'internal_server_error');
    assert.equal(yk.payments().length, n);
    yk.failNext(1, 429);
    assertError(await call('GET', '/payments/x'), 429, 'too_many_requests');
    yk.failNext(1, 202);
    const processing = await call('POST', '/payments', paymentBody(), { 'idempotence-key': k });
    assert.equal(processing.status, 202);
    assert.equal(processing.body.type, 'processing');
    assert.equal(typeof processing.body.retry_after, 'number');
    assert.equal((await call('POST', '/payments', paymentBody(), { 'idempotence-key': k })).status, 200, 'the same key works after the failures');
    assert.equal(yk.payments().length, n + 1);
  });
});

describe('confirmation page', () => {
  test('shows the amount and Pay/Cancel; Pay pays, notifies and redirects to return_url', async () => {
    const p = await createPayment({}, '1234.50');
    const page = await fetch(p.confirmation.confirmation_url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /data-testid="yookassa-pay"/);
    assert.match(html, /data-testid="yookassa-cancel"/);
    assert.match(html, /1\u00a0234,50\u00a0₽/);
    assert.doesNotMatch(html, /<script/i);
    hook.got.length = 0;
    const r = await fetch(p.confirmation.confirmation_url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'method=bank_card&action=pay' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), 'http://shop.test/billing/return');
    assert.equal(hook.got.length, 1, 'notified before the redirect');
    assert.equal(hook.got[0]!.body.event, 'payment.succeeded');
    assert.equal(yk.payment(p.id).status, 'succeeded');
    assert.match(await (await fetch(p.confirmation.confirmation_url)).text(), /data-testid="yookassa-status">succeeded/);
  });

  test('Cancel cancels and redirects; an unknown payment is 404', async () => {
    const p = await createPayment();
    hook.got.length = 0;
    const r = await fetch(p.confirmation.confirmation_url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=cancel' });
    assert.equal(r.status, 302);
    assert.equal(hook.got[0]!.body.event, 'payment.canceled');
    assert.deepEqual(yk.payment(p.id).cancellation_details, { party: 'yoo_money', reason: 'expired_on_confirmation' });
    assert.equal((await fetch(p.confirmation.confirmation_url.replace(p.id, 'nope'))).status, 404);
  });
});
