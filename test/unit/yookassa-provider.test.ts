import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { YOOKASSA_NOTIFICATION_RANGES } from '../../src/config/payments.js';
import { PaymentProviderError } from '../../src/services/payments/provider.js';
import { rublesText, YooKassaProvider } from '../../src/services/payments/yookassa.js';
import { startMockYooKassa, type MockYooKassa } from '../mocks/yookassa-mock.js';

const settings = (apiUrl: string, shopId = '100500', secretKey = 'secret', receipts = false) => ({
  shopId,
  secretKey,
  apiUrl,
  notificationRanges: YOOKASSA_NOTIFICATION_RANGES,
  receipts,
  vatCode: 1,
});

describe('YooKassa provider', () => {
  test('amounts go as rubles with two decimals, exactly; a fraction of a kopeck never leaves', () => {
    assert.equal(rublesText(500_000_000), '500.00');
    assert.equal(rublesText(499_900_000), '499.90');
    assert.equal(rublesText(10_000), '0.01');
    assert.equal(rublesText(123_456_780_000), '123456.78');
    assert.throws(() => rublesText(1_005_000), RangeError);
    assert.throws(() => rublesText(0), RangeError);
  });

  test("notifications are accepted only from YooKassa's published addresses (IPv4, IPv4-mapped IPv6, IPv6)", () => {
    const provider = new YooKassaProvider(settings('http://127.0.0.1:1/v3'));
    for (const ip of ['185.71.76.0', '185.71.76.31', '185.71.77.10', '77.75.153.127', '77.75.156.11', '77.75.156.35', '77.75.154.200', '::ffff:185.71.76.5', '2a02:5180:0:1509::1']) {
      assert.equal(provider.acceptsNotificationFrom(ip), true, ip);
    }
    for (const ip of ['185.71.76.32', '77.75.153.128', '77.75.156.12', '127.0.0.1', '::1', '::ffff:127.0.0.1', '2a02:5181::1', 'not an ip', '']) {
      assert.equal(provider.acceptsNotificationFrom(ip), false, ip);
    }
  });

  test('a notification body names only what to read back', () => {
    const provider = new YooKassaProvider(settings('http://127.0.0.1:1/v3'));
    assert.deepEqual(provider.parseNotification(JSON.stringify({ type: 'notification', event: 'payment.succeeded', object: { id: 'p1', status: 'succeeded' } })), { kind: 'payment', event: 'payment.succeeded', objectId: 'p1' });
    assert.deepEqual(provider.parseNotification(JSON.stringify({ type: 'notification', event: 'refund.succeeded', object: { id: 'r1', payment_id: 'p1' } })), { kind: 'refund', event: 'refund.succeeded', objectId: 'r1', paymentId: 'p1' });
    for (const body of [null, [], 'x', { type: 'notification', event: 'payment.succeeded' }, { type: 'other', event: 'payment.succeeded', object: { id: 'p' } }, { type: 'notification', event: 'payout.succeeded', object: { id: 'p' } }, { type: 'notification', event: 'payment.succeeded', object: { id: 7 } }]) {
      assert.equal(provider.parseNotification(JSON.stringify(body)), undefined, JSON.stringify(body));
    }
    for (const text of ['not json', '', '{"type":']) {
      assert.equal(provider.parseNotification(text), undefined, text);
    }
  });

  describe('against the mock API', () => {
    let mock: MockYooKassa;
    before(async () => {
      mock = await startMockYooKassa();
    });
    after(async () => mock.close());

    const request = { orderId: 'ord_unit_1', userId: 'usr_1', amountMicro: 500_000_000, returnUrl: 'http://tollgate.test/topup?order=ord_unit_1', description: 'test', receiptEmail: 'a@example.com' };

    test('create and read back: the same order id makes one payment', async () => {
      const provider = new YooKassaProvider(settings(mock.apiUrl, mock.shopId, mock.secretKey, true));
      const first = await provider.createPayment(request);
      const again = await provider.createPayment(request);
      assert.equal(again.id, first.id);
      assert.equal(first.status, 'pending');
      assert.equal(first.amountMicro, 500_000_000);
      assert.equal(first.orderId, 'ord_unit_1');
      assert.equal(first.userId, 'usr_1');
      assert.ok(first.confirmationUrl);
      await mock.pay(first.id, { notify: false });
      const paid = await provider.getPayment(first.id);
      assert.equal(paid.status, 'succeeded');
      assert.equal(paid.paid, true);
      await provider.close();
    });

    test('errors: a refusal is definite, a 5xx, a 429 or no answer is not', async () => {
      const wrongKey = new YooKassaProvider(settings(mock.apiUrl, mock.shopId, 'wrong'));
      const refused = await wrongKey.getPayment('x').catch((err: unknown) => err);
      assert.ok(refused instanceof PaymentProviderError);
      assert.equal(refused.status, 401);
      assert.equal(refused.definite, true);
      assert.ok(!refused.message.includes('wrong'), 'the secret key is never in an error');
      const provider = new YooKassaProvider(settings(mock.apiUrl, mock.shopId, mock.secretKey));
      for (const status of [500, 429]) {
        mock.failNext(1, status);
        const failed = await provider.getPayment('x').catch((err: unknown) => err);
        assert.ok(failed instanceof PaymentProviderError);
        assert.equal(failed.definite, false, String(status));
      }
      const missing = await provider.getPayment('no-such-payment').catch((err: unknown) => err);
      assert.equal((missing as PaymentProviderError).status, 404);
      const down = new YooKassaProvider(settings('http://127.0.0.1:9/v3'));
      const unreachable = await down.getPayment('x').catch((err: unknown) => err);
      assert.equal((unreachable as PaymentProviderError).definite, false);
      await Promise.all([wrongKey.close(), provider.close(), down.close()]);
    });
  });
});
