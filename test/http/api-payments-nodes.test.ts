import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockYooKassa, type MockYooKassa } from '../mocks/yookassa-mock.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { newSignedInAdmin, newSignedInUser, signIn, type DashboardSession } from '../helpers/dashboard.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { balanceOf, ledgerMatchesBalance, newOrder, notifyVia, settled, yookassaEnv } from '../helpers/payments.js';

const RUB = 1_000_000;

describe('top-ups on two nodes sharing PostgreSQL', () => {
  let database: TestDatabase;
  let mock: MockYooKassa;
  let nodes: TestGateway[];
  let customer: DashboardSession;

  before(async () => {
    database = await postgresDatabase();
    mock = await startMockYooKassa();
    nodes = [await startGateway(yookassaEnv(mock), database), await startGateway(yookassaEnv(mock), database)];
    customer = await newSignedInUser(nodes[0]!, '0');
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await mock.close();
    await database.drop();
  });

  test('the same notification reaching both nodes at once, many times, credits once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const start = await balanceOf(customer);
      const { paymentId } = await newOrder(customer, mock, '250');
      await mock.pay(paymentId, { notify: false });
      const answers = await Promise.all(nodes.flatMap((node) => [notifyVia(mock, node, 'payment.succeeded', paymentId), notifyVia(mock, node, 'payment.succeeded', paymentId)]));
      assert.deepEqual(answers, [200, 200, 200, 200]);
      await Promise.all(nodes.map(settled));
      assert.equal(await balanceOf(customer), start + 250 * RUB, `round ${round}`);
    }
    const { ledger, balance } = await ledgerMatchesBalance(nodes[0]!, customer.userId);
    assert.equal(ledger, balance);
    assert.equal(balance, 5 * 250 * RUB);
  });

  test('reconciliation on both nodes at once, with the notification racing it, credits once', async () => {
    const start = await balanceOf(customer);
    const { paymentId } = await newOrder(customer, mock, '400');
    await mock.pay(paymentId, { notify: false });
    const admins = await Promise.all(nodes.map(async (node) => newSignedInAdmin(node)));
    await Promise.all([
      ...admins.map((admin) => admin.call('POST', '/api/admin/payments/reconcile', {})),
      notifyVia(mock, nodes[1]!, 'payment.succeeded', paymentId),
    ]);
    await Promise.all(nodes.map(settled));
    assert.equal(await balanceOf(customer), start + 400 * RUB);
  });
});

describe('webhook and refund edges (sqlite)', () => {
  let database: TestDatabase;
  let mock: MockYooKassa;
  let gw: TestGateway;
  let admin: DashboardSession;

  before(async () => {
    database = sqliteDatabase();
    mock = await startMockYooKassa();
    gw = await startGateway(yookassaEnv(mock), database);
    admin = await newSignedInAdmin(gw);
  });
  after(async () => {
    await gw.close();
    await mock.close();
    await database.drop();
  });

  test('a body that is not a notification is logged and answered 200; nothing else happens', async () => {
    const webhook = `${gw.url}/api/payments/yookassa/webhook`;
    const events = () => gw.app.store.db.kysely.selectFrom('payment_events').select(['body', 'outcome', 'event']).orderBy('id').execute();
    const before = (await events()).length;
    const bodies = ['not json at all', '{"type":"notification"}', '[]', ''];
    for (const body of bodies) {
      const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '185.71.76.10' }, body });
      assert.equal(res.status, 200, body);
    }
    const logged = (await events()).slice(before);
    assert.deepEqual(logged.map((e) => e.body), bodies, 'each written to the event log as received');
    assert.ok(logged.every((e) => e.event === null && e.outcome?.startsWith('ignored')), JSON.stringify(logged));
  });

  test('without TRUST_PROXY a forwarded YooKassa address is not believed', async () => {
    const direct = await startGateway({ ...yookassaEnv(mock), TRUST_PROXY: '' }, database);
    try {
      const res = await fetch(`${direct.url}/api/payments/yookassa/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '185.71.76.10' },
        body: JSON.stringify({ type: 'notification', event: 'payment.succeeded', object: { id: 'x' } }),
      });
      assert.equal(res.status, 403);
    } finally {
      await direct.close();
    }
  });

  test('a refund larger than the unspent balance is refused and asks YooKassa nothing; refund.succeeded changes nothing more', async () => {
    const customer = await newSignedInUser(gw, '0');
    const { order, paymentId } = await newOrder(customer, mock, '100');
    await mock.pay(paymentId, { notify: false });
    await notifyVia(mock, gw, 'payment.succeeded', paymentId);
    await settled(gw);
    assert.equal(await balanceOf(customer), 100 * RUB);
    const spent = await admin.call('POST', `/api/admin/users/${customer.userId}/credit`, { amount_micro: -60 * RUB, note: 'spent on calls' }, { 'idempotency-key': `spend-${order.id}` });
    assert.equal(spent.status, 200, spent.text);
    const refundsBefore = mock.calls.filter((c) => c.path === '/v3/refunds').length;
    const refused = await admin.call('POST', `/api/admin/payments/${order.id}/refund`, {});
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.body.error.message, /spent/);
    assert.equal(mock.calls.filter((c) => c.path === '/v3/refunds').length, refundsBefore);
    assert.equal(await balanceOf(customer), 40 * RUB);
    const partial = await admin.call('POST', `/api/admin/payments/${order.id}/refund`, { amount: '40' });
    assert.equal(partial.status, 200, partial.text);
    assert.equal(await balanceOf(customer), 0);
    assert.equal(mock.payment(paymentId).refunded_amount.value, '40.00');
    const [refund] = await gw.app.store.refunds.forOrder(order.id);
    assert.equal(refund!.status, 'succeeded');
    assert.equal(await notifyVia(mock, gw, 'refund.succeeded', refund!.refund_id!), 200);
    await settled(gw);
    const events = await gw.app.store.payments.eventsFor(refund!.refund_id!);
    assert.deepEqual(events.map((e) => e.outcome), ['already_succeeded']);
    const relogged = await signIn(gw, customer.email);
    assert.equal(await balanceOf(relogged), 0);
    const { ledger, balance } = await ledgerMatchesBalance(gw, customer.userId);
    assert.equal(ledger, balance);
  });
});
