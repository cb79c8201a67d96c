import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockYooKassa, type MockYooKassa } from '../mocks/yookassa-mock.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { newSignedInAdmin, newSignedInUser, type DashboardSession } from '../helpers/dashboard.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { balanceOf, ledgerMatchesBalance, newOrder, notifyVia, settled, yookassaEnv } from '../helpers/payments.js';

const RUB = 1_000_000;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`top-ups with YooKassa (${kind})`, () => {
    let database: TestDatabase;
    let mock: MockYooKassa;
    let gw: TestGateway;
    let customer: DashboardSession;
    let admin: DashboardSession;

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      mock = await startMockYooKassa();
      gw = await startGateway(yookassaEnv(mock, { YOOKASSA_RECEIPTS: 'on' }), database);
      customer = await newSignedInUser(gw, '0');
      admin = await newSignedInAdmin(gw);
    });
    after(async () => {
      await gw.close();
      await mock.close();
      await database.drop();
    });

    test('the top-up page offers the provider, bounds and presets; the balance says top-ups are online', async () => {
      const options = await customer.call('GET', '/api/topup');
      assert.equal(options.status, 200, options.text);
      assert.deepEqual(options.body, { available: true, provider: 'yookassa', min_micro: 100 * RUB, max_micro: 100_000 * RUB, presets_micro: [500, 1000, 2000, 5000].map((r) => r * RUB), contact: null });
      assert.equal((await customer.call('GET', '/api/balance')).body.topup.available, true);
    });

    test('creating an order makes one YooKassa payment: capture, redirect, amount with kopecks, metadata, receipt, idempotence key', async () => {
      const before = mock.calls.length;
      const { order, paymentId } = await newOrder(customer, mock, '499.90');
      assert.equal(order.status, 'pending');
      assert.equal(order.amount_micro, 499_900_000);
      assert.match(order.confirmation_url, /^http:\/\/127\.0\.0\.1:\d+\/checkout\//);
      const calls = mock.calls.slice(before).filter((c) => c.method === 'POST' && c.path === '/v3/payments');
      assert.equal(calls.length, 1);
      const call = calls[0]!;
      assert.equal(call.headers['idempotence-key'], order.id);
      assert.match(String(call.headers['authorization']), /^Basic /);
      assert.deepEqual(call.body.amount, { value: '499.90', currency: 'RUB' });
      assert.equal(call.body.capture, true);
      assert.deepEqual(call.body.confirmation, { type: 'redirect', return_url: `http://tollgate.test/topup?order=${order.id}` });
      assert.deepEqual(call.body.metadata, { tollgate_order_id: order.id, tollgate_user_id: customer.userId });
      assert.equal(call.body.receipt.customer.email, customer.email);
      assert.equal(call.body.receipt.items[0].description, 'Пополнение баланса');
      assert.deepEqual(call.body.receipt.items[0].amount, { value: '499.90', currency: 'RUB' });
      assert.equal(mock.payment(paymentId)!.status, 'pending');
      assert.equal(order.receipt_email, customer.email);
    });

    test('amounts outside the bounds, with fractions of a kopeck, or not a string are refused before any payment', async () => {
      const before = mock.calls.length;
      for (const amount of ['99', '100001', '100.001', 500, '-5']) {
        const res = await customer.call('POST', '/api/payments', { amount });
        assert.equal(res.status, 400, `${amount}: ${res.text}`);
      }
      assert.equal(mock.calls.length, before);
    });

    test('paid → notified → credited once; repeated and concurrent notifications change nothing', async () => {
      const start = await balanceOf(customer);
      const { order, paymentId } = await newOrder(customer, mock, '500');
      await mock.pay(paymentId, { notify: false });
      const answers = await Promise.all([1, 2, 3, 4].map(() => notifyVia(mock, gw, 'payment.succeeded', paymentId)));
      assert.deepEqual(answers, [200, 200, 200, 200]);
      await settled(gw);
      assert.equal(await balanceOf(customer), start + 500 * RUB);
      assert.equal(await notifyVia(mock, gw, 'payment.succeeded', paymentId), 200, 'a late repeat is answered 200 too');
      await settled(gw);
      assert.equal(await balanceOf(customer), start + 500 * RUB);
      const ledger = await customer.call('GET', '/api/ledger');
      assert.equal(ledger.body.data.filter((e: { kind: string }) => e.kind === 'topup').length >= 1, true);
      const detail = await admin.call('GET', `/api/admin/payments/${order.id}`);
      assert.equal(detail.body.status, 'succeeded');
      assert.equal(detail.body.events.length, 5, 'every notification is in the event log');
      assert.equal(detail.body.events.filter((e: { outcome: string }) => e.outcome === 'credited').length, 1);
      const mine = await customer.call('GET', `/api/payments/${order.id}`);
      assert.equal(mine.body.status, 'succeeded');
      assert.equal(mine.body.confirmation_url, null);
      const { ledger: sum, balance } = await ledgerMatchesBalance(gw, customer.userId);
      assert.equal(sum, balance);
    });

    test('forged notifications credit nothing: wrong address, unknown payment, not yet paid, tampered amount, a payment of another order', async () => {
      const start = await balanceOf(customer);
      const { order, paymentId } = await newOrder(customer, mock, '1000');
      const direct = await mock.notify('payment.succeeded', paymentId, { url: `${gw.url}/api/payments/yookassa/webhook` });
      assert.equal(direct, 403, 'straight from 127.0.0.1, which is not YooKassa');
      assert.equal(await notifyVia(mock, gw, 'payment.succeeded', paymentId, '8.8.8.8'), 403, 'forwarded for an address outside the ranges');
      assert.equal(await notifyVia(mock, gw, 'payment.succeeded', paymentId), 200, 'claims succeeded while the payment is pending');
      const unknown = await mock.notify('payment.succeeded', paymentId, {
        url: `${gw.url}/api/payments/yookassa/webhook`,
        headers: { 'x-forwarded-for': '185.71.76.10' },
        object: { id: '2f1e0a7c-000f-5000-8000-1a2b3c4d5e6f', status: 'succeeded', paid: true, amount: { value: '1000.00', currency: 'RUB' }, metadata: { tollgate_order_id: order.id } },
      });
      assert.equal(unknown, 200);
      await settled(gw);
      assert.equal(await balanceOf(customer), start);
      await mock.pay(paymentId, { notify: false });
      mock.tamper(paymentId, { amount: { value: '10000.00', currency: 'RUB' } });
      assert.equal(await notifyVia(mock, gw, 'payment.succeeded', paymentId), 200);
      await settled(gw);
      assert.equal(await balanceOf(customer), start, 'a paid amount that is not the order’s is never credited');
      const detail = await admin.call('GET', `/api/admin/payments/${order.id}`);
      assert.equal(detail.body.status, 'pending');
      const outcomes = detail.body.events.map((e: { outcome: string }) => e.outcome);
      assert.deepEqual(outcomes.slice(0, 2), ['refused: source address', 'refused: source address']);
      assert.ok(outcomes.includes('still_pending'), outcomes.join());
      assert.ok(outcomes.some((o: string) => o.startsWith('refused: amount')), outcomes.join());
    });

    test('a lost notification: the customer coming back reads the payment, and reconciliation credits the rest', async () => {
      const start = await balanceOf(customer);
      const first = await newOrder(customer, mock, '700');
      await mock.pay(first.paymentId, { notify: false });
      const back = await customer.call('GET', `/api/payments/${first.order.id}`);
      assert.equal(back.body.status, 'succeeded', 'the return page settles it without the notification');
      const second = await newOrder(customer, mock, '300');
      const reads = () => mock.calls.filter((c) => c.method === 'GET' && c.path === `/v3/payments/${second.paymentId}`).length;
      const polls = await Promise.all([1, 2, 3].map(() => customer.call('GET', `/api/payments/${second.order.id}`)));
      assert.deepEqual(polls.map((p) => p.body.status), ['pending', 'pending', 'pending']);
      assert.equal(reads(), 1, 'a polling page reads the payment back at most every few seconds');
      await mock.pay(second.paymentId, { notify: false });
      const report = await admin.call('POST', '/api/admin/payments/reconcile', {});
      assert.equal(report.status, 200, report.text);
      assert.ok(report.body.credited >= 1, report.text);
      assert.equal(await balanceOf(customer), start + 1000 * RUB);
      const again = await admin.call('POST', '/api/admin/payments/reconcile', {});
      assert.equal(again.body.credited, 0);
      assert.equal(await balanceOf(customer), start + 1000 * RUB);
    });

    test('reordered notifications: payment.canceled or waiting_for_capture after payment.succeeded changes nothing', async () => {
      const start = await balanceOf(customer);
      const { order, paymentId } = await newOrder(customer, mock, '120');
      await mock.pay(paymentId, { notify: false });
      assert.equal(await notifyVia(mock, gw, 'payment.succeeded', paymentId), 200);
      await settled(gw);
      for (const event of ['payment.canceled', 'payment.waiting_for_capture'] as const) {
        const forged = await mock.notify(event, paymentId, {
          url: `${gw.url}/api/payments/yookassa/webhook`,
          headers: { 'x-forwarded-for': '185.71.76.10' },
          object: { ...mock.payment(paymentId), status: event === 'payment.canceled' ? 'canceled' : 'waiting_for_capture' },
        });
        assert.equal(forged, 200);
      }
      await settled(gw);
      assert.equal((await customer.call('GET', `/api/payments/${order.id}`)).body.status, 'succeeded');
      assert.equal(await balanceOf(customer), start + 120 * RUB);
    });

    test('a canceled payment closes the order with its reason and credits nothing', async () => {
      const start = await balanceOf(customer);
      const { order, paymentId } = await newOrder(customer, mock, '200');
      await mock.cancel(paymentId, { notify: false, reason: 'card_expired' });
      assert.equal(await notifyVia(mock, gw, 'payment.canceled', paymentId), 200);
      await settled(gw);
      const mine = await customer.call('GET', `/api/payments/${order.id}`);
      assert.equal(mine.body.status, 'canceled');
      assert.equal(mine.body.failure_reason, 'card_expired');
      assert.equal(await balanceOf(customer), start);
    });

    test('a create YooKassa did not answer leaves the order pending; reconciliation asks again with the same key and makes one payment', async () => {
      mock.failNext(1, 500);
      const res = await customer.call('POST', '/api/payments', { amount: '150' });
      assert.equal(res.status, 503, res.text);
      const orders = await customer.call('GET', '/api/payments?limit=1');
      const order = orders.body.data[0];
      assert.equal(order.status, 'pending');
      await admin.call('POST', '/api/admin/payments/reconcile', {});
      const made = mock.payments().filter((p) => p.metadata?.tollgate_order_id === order.id);
      assert.equal(made.length, 1);
      const keys = mock.calls.filter((c) => c.path === '/v3/payments' && c.method === 'POST').map((c) => c.headers['idempotence-key']);
      assert.equal(keys.filter((k) => k === order.id).length, 2, 'asked twice, with the same Idempotence-Key');
    });

    test('refunds: the balance is debited first, once; more than was paid or than the balance holds is refused', async () => {
      const { order, paymentId } = await newOrder(customer, mock, '600');
      await mock.pay(paymentId, { notify: false });
      assert.equal(await notifyVia(mock, gw, 'payment.succeeded', paymentId), 200);
      await settled(gw);
      const start = await balanceOf(customer);
      const refund = await admin.call('POST', `/api/admin/payments/${order.id}/refund`, { amount: '200' });
      assert.equal(refund.status, 200, refund.text);
      assert.equal(refund.body.status, 'succeeded');
      assert.equal(await balanceOf(customer), start - 200 * RUB);
      const refundCall = mock.calls.filter((c) => c.path === '/v3/refunds').at(-1)!;
      assert.equal(refundCall.headers['idempotence-key'], refund.body.refund_id);
      assert.deepEqual(refundCall.body.amount, { value: '200.00', currency: 'RUB' });
      const tooMuch = await admin.call('POST', `/api/admin/payments/${order.id}/refund`, { amount: '500' });
      assert.equal(tooMuch.status, 400, tooMuch.text);
      const rest = await admin.call('POST', `/api/admin/payments/${order.id}/refund`, {});
      assert.equal(rest.status, 200, rest.text);
      assert.equal(rest.body.amount_micro, 400 * RUB);
      assert.equal(await balanceOf(customer), start - 600 * RUB);
      const detail = await admin.call('GET', `/api/admin/payments/${order.id}`);
      assert.equal(detail.body.refunded_micro, 600 * RUB);
      assert.equal(detail.body.refunds.length, 2);
      const audit = await admin.call('GET', `/api/admin/audit?action=payment.refund`);
      assert.ok(audit.body.data.length >= 2);
      const { ledger, balance } = await ledgerMatchesBalance(gw, customer.userId);
      assert.equal(ledger, balance);
    });

    test('a customer sees only their own orders; the console routes need the admin role', async () => {
      const other = await newSignedInUser(gw, '0');
      const mine = await customer.call('GET', '/api/payments?limit=1');
      const theirs = await other.call('GET', `/api/payments/${mine.body.data[0].id}`);
      assert.equal(theirs.status, 404);
      assert.deepEqual((await other.call('GET', '/api/payments')).body.data, []);
      assert.equal((await customer.call('GET', '/api/admin/payments')).status, 403);
      assert.equal((await customer.call('POST', `/api/admin/payments/${mine.body.data[0].id}/refund`, {})).status, 403);
    });

    test("the shop's secret key is never in a log line or an answer", async () => {
      const answers = [await customer.call('GET', '/api/payments'), await admin.call('GET', '/api/admin/payments'), await customer.call('GET', '/api/topup')];
      for (const answer of answers) assert.ok(!answer.text.includes(mock.secretKey));
      assert.ok(!gw.logs.join('').includes(mock.secretKey));
      assert.ok(!gw.logs.join('').includes(Buffer.from(`${mock.shopId}:${mock.secretKey}`).toString('base64')));
    });
  });
}
