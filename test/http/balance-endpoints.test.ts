import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/log.js';
import { PROVIDERS } from '../../src/providers/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { ADMIN_TOKEN } from '../helpers/gateway.js';

// The account money endpoints: ProxyAPI's /proxyapi/balance and Botech's /v1/me, /v1/balance, /v1/usage.
// The gateway runs on a fake clock (mid-November 2026, UTC) so month boundaries are exact. Charges are
// seeded as settlement writes them (ledger row, history row, balance and key usage moved), straight
// through the gateway's store.

const MICRO = 1_000_000;
const NANO = 1_000_000_000;
const NOW = Date.UTC(2026, 10, 15, 12, 0, 0); // 2026-11-15T12:00:00Z

interface Gateway {
  app: App;
  url: string;
  clock: { now: () => number; set(ms: number): void };
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

async function startGateway(database: TestDatabase): Promise<Gateway> {
  let now = NOW;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  // No rate until a test sets one (the shipped default would stand in for it otherwise).
  const config = loadConfig(PROVIDERS, { DATABASE_URL: database.url, ADMIN_TOKEN, PORT: '0', HISTORY_FLUSH_MS: '5', LOG_LEVEL: 'warn', USD_RUB_RATE: 'none' }, database.dir);
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const app = await buildApp(config, { logger: createLogger(config.logLevel, sink), clock });
  await app.http.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    app,
    url,
    clock,
    admin,
    close: async () => {
      await app.http.close();
      await app.close();
    },
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`account money endpoints (${kind})`, () => {
    let database: TestDatabase;
    let gw: Gateway;
    let seq = 0;
    // Account A: 1000.123456 RUB credited; keys A1 (balance access, budget 500, monthly limit 300), A2 (balance
    // access, no limits), A3 (no balance access). Account B: 10 RUB, key B1 (balance access, budget 50).
    const a = { userId: '', email: 'account-a@example.com' };
    const a1 = { keyId: '', key: '', prefix: '' };
    const a2 = { keyId: '', key: '' };
    const a3 = { keyId: '', key: '' };
    const b1 = { keyId: '', key: '' };

    const get = async (path: string, key?: string) => {
      const res = await fetch(gw.url + path, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      return { status: res.status, body: (await res.json()) as any };
    };
    const newUser = async (email: string, credit: string) => {
      const user = await gw.admin('POST', '/admin/users', { email });
      assert.equal(user.status, 201, JSON.stringify(user.body));
      assert.equal((await gw.admin('POST', `/admin/users/${user.body.id}/credit`, { amount: credit })).status, 200);
      return user.body.id as string;
    };
    const newKey = async (userId: string, fields: Record<string, unknown>) => {
      const res = await gw.admin('POST', `/admin/users/${userId}/keys`, fields);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return { keyId: res.body.id as string, key: res.body.key as string, prefix: res.body.prefix as string };
    };
    /** A settled call: its history row and, when it cost money, its charge as settlement writes it. */
    const call = async (userId: string, keyId: string, at: number, cost?: { micro: number; nano: number; period: string }) => {
      const db = gw.app.store.db.kysely;
      const requestId = `req_test_${++seq}`;
      await gw.app.store.requests.insertMany([
        { id: requestId, user_id: userId, key_id: keyId, surface: 'openai', provider: 'openai', model: 'gpt-4o', method: 'POST', path: '/openai/v1/chat/completions', status: cost ? 200 : 500, latency_ms: 10, stream: 0, created_at: at },
      ]);
      if (!cost) return;
      const user = await db.updateTable('users').set((eb) => ({ balance_micro: eb('balance_micro', '-', cost.micro) })).where('id', '=', userId).returning('balance_micro').executeTakeFirstOrThrow();
      await db
        .insertInto('ledger_entries')
        .values({ id: `led_test_${seq}`, user_id: userId, kind: 'charge', amount_micro: -cost.micro, balance_after_micro: Number(user.balance_micro), request_id: requestId, key_id: keyId, note: null, created_at: at, cost_usd: null, usd_rub_rate: '90', usd_nano: cost.nano })
        .execute();
      const key = await db.selectFrom('api_keys').select(['monthly_period', 'monthly_used_micro']).where('id', '=', keyId).executeTakeFirstOrThrow();
      const monthUsed = key.monthly_period === cost.period ? Number(key.monthly_used_micro) : 0;
      await db
        .updateTable('api_keys')
        .set((eb) => ({ budget_used_micro: eb('budget_used_micro', '+', cost.micro), monthly_used_micro: monthUsed + cost.micro, monthly_period: cost.period }))
        .where('id', '=', keyId)
        .execute();
    };
    const setHeld = async (table: 'users' | 'api_keys', id: string, micro: number) => {
      await gw.app.store.db.kysely.updateTable(table).set({ held_micro: micro }).where('id', '=', id).execute();
    };

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      gw = await startGateway(database);
      a.userId = await newUser(a.email, '1000.123456');
      Object.assign(a1, await newKey(a.userId, { allow_balance: true, budget_limit: 500, monthly_limit: '300' }));
      Object.assign(a2, await newKey(a.userId, { allow_balance: true }));
      Object.assign(a3, await newKey(a.userId, {}));
      const bUser = await newUser('account-b@example.com', '10');
      Object.assign(b1, await newKey(bUser, { allow_balance: true, budget_limit: '50' }));

      // A1: 100 RUB ($1) on the last millisecond of October, then 12.345678 + 7.654322 RUB in November
      // (the first exactly at midnight of the 1st), and a failed call; A2: 5 RUB in November.
      await call(a.userId, a1.keyId, Date.UTC(2026, 9, 31, 23, 59, 59, 999), { micro: 100 * MICRO, nano: 1 * NANO, period: '2026-10' });
      await call(a.userId, a1.keyId, Date.UTC(2026, 10, 1), { micro: 12_345_678, nano: 123_456_780, period: '2026-11' });
      await call(a.userId, a1.keyId, Date.UTC(2026, 10, 15, 11), { micro: 7_654_322, nano: 76_543_220, period: '2026-11' });
      await call(a.userId, a1.keyId, Date.UTC(2026, 10, 15, 11, 30));
      await call(a.userId, a2.keyId, Date.UTC(2026, 10, 10), { micro: 5 * MICRO, nano: 55_555_555, period: '2026-11' });
      // In flight: 75 RUB held on the account, 30 of them by A1.
      await setHeld('users', a.userId, 75 * MICRO);
      await setHeld('api_keys', a1.keyId, 30 * MICRO);
    });
    after(async () => {
      await gw?.close();
      await database?.drop();
    });

    test('no key or a wrong key: 401 in the OpenAI error shape on every endpoint', async () => {
      for (const path of ['/proxyapi/balance', '/v1/me', '/v1/balance', '/v1/usage']) {
        for (const key of [undefined, 'tg-not-a-real-key']) {
          const res = await get(path, key);
          assert.equal(res.status, 401, path);
          assert.equal(res.body.error.type, 'invalid_request_error');
          assert.equal(res.body.error.code, 'invalid_api_key');
          assert.equal(typeof res.body.error.message, 'string');
        }
      }
    });

    test('/proxyapi/balance: 403 permission_error for a key without balance access; the Botech endpoints still answer it', async () => {
      const res = await get('/proxyapi/balance', a3.key);
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, {
        error: {
          message: 'This API key is not allowed to read the balance. Enable balance access (allow_balance) for the key.',
          type: 'permission_error',
          param: null,
          code: 'permission_denied',
        },
      });
      for (const path of ['/v1/me', '/v1/balance', '/v1/usage']) assert.equal((await get(path, a3.key)).status, 200, path);
    });

    test('/proxyapi/balance without a budget: the account balance minus money held, in exact rubles', async () => {
      // 1000.123456 − 120 (A1) − 5 (A2) − 75 held.
      assert.deepEqual(await get('/proxyapi/balance', a2.key), { status: 200, body: { balance: 800.123456 } });
    });

    test('/proxyapi/balance with a budget: limit − used − the key\'s held money, with the budget', async () => {
      assert.deepEqual((await get('/proxyapi/balance', a1.key)).body, { balance: 350, budget: { limit: 500, used: 120 } });
      // Never above what the account has: B has 10 RUB, B1's budget is 50.
      assert.deepEqual((await get('/proxyapi/balance', b1.key)).body, { balance: 10, budget: { limit: 50, used: 0 } });
    });

    test('/v1/me: the account, the token and this token\'s usage', async () => {
      const res = await get('/v1/me', a1.key);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        user: { id: a.userId, login: a.email, status: 'ACTIVE' },
        token: { id: a1.keyId, prefix: a1.prefix, name: null, status: 'ACTIVE' },
        usage: { requestsTotal: 4, spendTotalUsd: 1.2, spendMonthUsd: 0.2 },
      });
    });

    test('/v1/usage: calls and spend all time and in the current UTC month (a charge of the last millisecond of October is not November\'s)', async () => {
      assert.deepEqual((await get('/v1/usage', a1.key)).body, {
        object: 'usage',
        key_id: a1.keyId,
        period: { month: '2026-11', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
        total: { requests: 4, spend_rub: 120, spend_usd: 1.2 },
        month: { requests: 3, spend_rub: 20, spend_usd: 0.2 },
      });
      assert.deepEqual((await get('/v1/usage', a2.key)).body.total, { requests: 1, spend_rub: 5, spend_usd: 0.055555555 });
    });

    test('/v1/balance without a USD rate: rubles and USD spend, every USD figure made from rubles null', async () => {
      assert.deepEqual((await get('/v1/balance', a1.key)).body, {
        account_balance_usd: null,
        account_balance_rub: 800.123456,
        spend_total_usd: 1.2,
        remaining_balance_usd: null,
        monthly_limit_usd: null,
        spend_month_usd: 0.2,
        remaining_month_usd: null,
      });
    });

    test('/v1/balance with a rate: rubles converted at rate × markup, rounded down to a micro-dollar', async () => {
      // 80 × 1.25 = 100 RUB per USD of provider cost.
      assert.equal((await gw.admin('PUT', '/admin/settings', { usd_rub_rate: '80', markup: '1.25' })).status, 200);
      assert.deepEqual((await get('/v1/balance', a1.key)).body, {
        account_balance_usd: 8.001234, // 800.123456 / 100
        account_balance_rub: 800.123456,
        spend_total_usd: 1.2,
        remaining_balance_usd: 3.5, // min(account 800.12, budget 500 − 120 − 30 held) / 100
        monthly_limit_usd: 3,
        spend_month_usd: 0.2,
        remaining_month_usd: 2.5, // (300 − 20 − 30 held) / 100
      });
      const noLimits = (await get('/v1/balance', a2.key)).body;
      assert.equal(noLimits.remaining_balance_usd, 8.001234);
      assert.equal(noLimits.monthly_limit_usd, null);
      assert.equal(noLimits.remaining_month_usd, null);
    });

    test('held money reduces what is available, down to zero', async () => {
      await setHeld('users', a.userId, 875_123_456 - 1);
      try {
        assert.deepEqual((await get('/proxyapi/balance', a2.key)).body, { balance: 0.000001 });
        assert.deepEqual((await get('/proxyapi/balance', a1.key)).body, { balance: 0.000001, budget: { limit: 500, used: 120 } });
        assert.equal((await get('/v1/balance', a1.key)).body.account_balance_rub, 0.000001);
        await setHeld('users', a.userId, 900 * MICRO);
        assert.deepEqual((await get('/proxyapi/balance', a2.key)).body, { balance: 0 });
      } finally {
        await setHeld('users', a.userId, 75 * MICRO);
      }
    });

    test('a new month: month figures start from zero, the monthly limit is whole again, totals stay', async () => {
      gw.clock.set(Date.UTC(2026, 11, 1)); // 2026-12-01T00:00:00Z
      try {
        const usage = (await get('/v1/usage', a1.key)).body;
        assert.deepEqual(usage.period, { month: '2026-12', from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
        assert.deepEqual(usage.total, { requests: 4, spend_rub: 120, spend_usd: 1.2 });
        assert.deepEqual(usage.month, { requests: 0, spend_rub: 0, spend_usd: 0 });
        const balance = (await get('/v1/balance', a1.key)).body;
        assert.equal(balance.spend_month_usd, 0);
        assert.equal(balance.remaining_month_usd, 2.7); // (300 − 0 used in December − 30 held) / 100
        assert.deepEqual((await get('/v1/me', a1.key)).body.usage, { requestsTotal: 4, spendTotalUsd: 1.2, spendMonthUsd: 0 });
      } finally {
        gw.clock.set(NOW);
      }
    });
  });
}
