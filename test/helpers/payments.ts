import type { MockYooKassa } from '../mocks/yookassa-mock.js';
import type { DashboardSession } from './dashboard.js';
import type { TestGateway } from './gateway.js';

/** A YooKassa address the published ranges hold, as a trusted proxy on 127.0.0.1 reports it. */
export const YOOKASSA_ADDRESS = '185.71.76.10';

/** The environment of a gateway that takes YooKassa payments from the mock, behind a proxy on 127.0.0.1. */
export function yookassaEnv(mock: MockYooKassa, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PAYMENTS_PROVIDER: 'yookassa',
    YOOKASSA_SHOP_ID: mock.shopId,
    YOOKASSA_SECRET_KEY: mock.secretKey,
    YOOKASSA_API_URL: mock.apiUrl,
    PUBLIC_URL: 'http://tollgate.test',
    TRUST_PROXY: '127.0.0.1',
    ...extra,
  };
}

/** Sends a notification as YooKassa would through the proxy, to one gateway (or the mock's webhook URL). */
export function notifyVia(mock: MockYooKassa, gw: TestGateway, event: Parameters<MockYooKassa['notify']>[0], id: string, from = YOOKASSA_ADDRESS): Promise<number> {
  return mock.notify(event, id, { url: `${gw.url}/api/payments/yookassa/webhook`, headers: { 'x-forwarded-for': from } });
}

/** Waits until every notification a gateway took has been acted on. */
export async function settled(gw: TestGateway): Promise<void> {
  await gw.app.services.payments.notifications?.idle();
}

export async function balanceOf(session: DashboardSession): Promise<number> {
  const res = await session.call('GET', '/api/balance');
  if (res.status !== 200) throw new Error(`balance: ${res.status} ${res.text}`);
  return res.body.balance_micro as number;
}

/** Σ ledger = balance, the invariant every money path keeps. */
export async function ledgerMatchesBalance(gw: TestGateway, userId: string): Promise<{ ledger: number; balance: number }> {
  const store = gw.app.store;
  const [ledger, user] = await Promise.all([store.ledger.sumByUser(userId), store.users.findById(userId)]);
  return { ledger, balance: user!.balance_micro };
}

/** Creates an order of `amount` rubles as the customer; returns it with the mock's payment id. */
export async function newOrder(session: DashboardSession, mock: MockYooKassa, amount: string): Promise<{ order: any; paymentId: string }> {
  const res = await session.call('POST', '/api/payments', { amount });
  if (res.status !== 201) throw new Error(`create order: ${res.status} ${res.text}`);
  const created = mock.payments().find((p) => p.metadata?.tollgate_order_id === res.body.id);
  if (!created) throw new Error('the mock has no payment for the order');
  return { order: res.body, paymentId: created.id as string };
}
