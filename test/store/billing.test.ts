import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, migrateToLatest, openDb, type SettleArgs, type Store } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const PERIOD = '2026-11';
let ids = 0;
const id = (prefix: string) => `${prefix}_${process.pid}_${++ids}`;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`billing store (${kind})`, () => {
    let database: TestDatabase;
    let store: Store;

    before(async () => {
      database = kind === 'sqlite' ? sqliteDatabase() : await postgresDatabase();
      const db = await openDb(database.url, undefined);
      await migrateToLatest(db);
      store = createStore(db);
    });
    after(async () => {
      await store.db.close();
      await database.drop();
    });

    /** An account with `balance` micro-rubles and one key with the given limits. */
    async function account(balance: number, key: { budget?: number; monthly?: number; monthlyUsed?: number; period?: string } = {}) {
      const userId = id('usr');
      const keyId = id('key');
      await store.db.kysely
        .insertInto('users')
        .values({ id: userId, email: `${userId}@example.com`, password_hash: null, status: 'active', balance_micro: balance, created_at: NOW, updated_at: NOW })
        .execute();
      await store.db.kysely
        .insertInto('api_keys')
        .values({
          id: keyId, user_id: userId, key_hash: id('hash'), prefix: 'tg-x', name: null, status: 'active', allow_balance: 0,
          budget_limit_micro: key.budget ?? null, models: null, monthly_limit_micro: key.monthly ?? null,
          monthly_used_micro: key.monthlyUsed ?? 0, monthly_period: key.period ?? null, expires_at: null, created_at: NOW,
          last_used_at: null, revoked_at: null,
        })
        .execute();
      return { userId, keyId };
    }
    const reserve = (who: { userId: string; keyId: string }, amount: number, requestId = id('req')) =>
      store.billing.reserve({ requestId, ...who, amountMicro: amount, period: PERIOD, nodeId: 'node-a', now: NOW, expiresAt: NOW + 60_000 });
    const settle = (who: { userId: string; keyId: string }, requestId: string, cost: number, extra: Partial<SettleArgs> = {}) =>
      store.billing.settle({
        requestId, ...who, costMicro: cost, costUsd: '0.01', usdNano: 10_000_000, usdRubRate: '100', period: PERIOD, ledgerId: id('led'), now: NOW, ...extra,
      });
    // Rows as the money rules see them: charges written, and holds wherever the engine keeps them.
    const user = async (userId: string) => {
      await store.billing.flush();
      const row = await store.db.kysely.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
      return { ...row, held_micro: row.held_micro + store.billing.localHolds(userId, '').userMicro };
    };
    const keyRow = async (keyId: string) => {
      await store.billing.flush();
      const row = await store.db.kysely.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
      return { ...row, held_micro: row.held_micro + store.billing.localHolds('', keyId).keyMicro };
    };
    const charges = async (requestId: string) => {
      await store.billing.flush();
      return store.db.kysely.selectFrom('ledger_entries').selectAll().where('request_id', '=', requestId).execute();
    };

    it('holds only what the balance minus other holds covers', async () => {
      const who = await account(1000);
      assert.equal(await reserve(who, 600), 'ok');
      assert.equal(await reserve(who, 500), 'balance');
      assert.equal(await reserve(who, 400), 'ok');
      assert.equal((await user(who.userId)).held_micro, 1000);
      assert.equal((await keyRow(who.keyId)).held_micro, 1000, 'a refused hold leaves nothing held on the key');
    });

    it('settles: charges the cost, releases the hold, writes one ledger row with the USD cost and rate', async () => {
      const who = await account(1000);
      const requestId = id('req');
      assert.equal(await reserve(who, 700, requestId), 'ok');
      assert.equal(await settle(who, requestId, 250), 250);
      const after = await user(who.userId);
      assert.equal(after.balance_micro, 750);
      assert.equal(after.held_micro, 0);
      const rows = await charges(requestId);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.amount_micro, -250);
      assert.equal(rows[0]!.balance_after_micro, 750);
      assert.equal(rows[0]!.kind, 'charge');
      assert.equal(rows[0]!.cost_usd, '0.01');
      assert.equal(rows[0]!.usd_rub_rate, '100');
      assert.equal(rows[0]!.usd_nano, 10_000_000);
      const key = await keyRow(who.keyId);
      assert.equal(key.budget_used_micro, 250);
      assert.equal(key.monthly_used_micro, 250);
      assert.equal(key.monthly_period, PERIOD);
      assert.equal(key.held_micro, 0);
    });

    it('is idempotent by request id', async () => {
      const who = await account(1000);
      const requestId = id('req');
      await reserve(who, 300, requestId);
      assert.equal(await settle(who, requestId, 100), 100);
      assert.equal(await settle(who, requestId, 100), 'duplicate');
      assert.equal((await user(who.userId)).balance_micro, 900);
      assert.equal((await charges(requestId)).length, 1);
    });

    it('a settlement of cost 0 only releases the hold; release is exactly-once', async () => {
      const who = await account(1000);
      const requestId = id('req');
      await reserve(who, 300, requestId);
      assert.equal(await settle(who, requestId, 0), 0);
      assert.equal((await user(who.userId)).held_micro, 0);
      assert.equal((await charges(requestId)).length, 0);
      const other = id('req');
      await reserve(who, 200, other);
      assert.equal(await store.billing.release(other), true);
      assert.equal(await store.billing.release(other), false);
      const after = await user(who.userId);
      assert.equal(after.held_micro, 0);
      assert.equal(after.balance_micro, 1000);
    });

    it('caps a charge above the hold at what the account has without touching other holds', async () => {
      const who = await account(1000);
      const first = id('req');
      const second = id('req');
      await reserve(who, 500, first);
      await reserve(who, 400, second);
      // Costs more than held: may take its own hold plus the 100 nobody holds, not the second request's 400.
      assert.equal(await settle(who, first, 800), 600);
      const rows = await charges(first);
      assert.match(rows[0]!.note ?? '', /capped: cost 800/);
      assert.equal(await settle(who, second, 400), 400);
      const after = await user(who.userId);
      assert.equal(after.balance_micro, 0);
      assert.equal(after.held_micro, 0);
    });

    it('enforces the key budget, counting the key’s holds', async () => {
      const who = await account(1_000_000, { budget: 1000 });
      assert.equal(await reserve(who, 800), 'ok');
      assert.equal(await reserve(who, 300), 'key_budget');
      assert.equal((await user(who.userId)).held_micro, 800, 'a key refusal holds nothing on the account');
    });

    it('names the limit that refused: the budget first, then the month, then the balance', async () => {
      const both = await account(1_000_000, { budget: 1000, monthly: 500, monthlyUsed: 0, period: PERIOD });
      assert.equal(await reserve(both, 600), 'key_monthly', 'the budget has room, the month does not');
      assert.equal(await reserve(both, 1200), 'key_budget', 'neither has room: the budget is named');
      const poor = await account(100, { budget: 1000, monthly: 1000, monthlyUsed: 0, period: PERIOD });
      assert.equal(await reserve(poor, 200), 'balance');
      assert.equal((await keyRow(poor.keyId)).held_micro, 0, 'a balance refusal leaves no hold on the key');
    });

    it('counts the monthly limit per UTC month: last month’s use does not count', async () => {
      const stale = await account(1_000_000, { monthly: 1000, monthlyUsed: 900, period: '2026-10' });
      assert.equal(await reserve(stale, 1000), 'ok');
      const current = await account(1_000_000, { monthly: 1000, monthlyUsed: 900, period: PERIOD });
      assert.equal(await reserve(current, 200), 'key_monthly');
      assert.equal(await reserve(current, 100), 'ok');
      // A charge in a new month starts the month's count again.
      const requestId = id('req');
      const rolling = await account(1_000_000, { monthly: 5000, monthlyUsed: 4000, period: '2026-10' });
      await reserve(rolling, 500, requestId);
      await settle(rolling, requestId, 300);
      const key = await keyRow(rolling.keyId);
      assert.equal(key.monthly_used_micro, 300);
      assert.equal(key.monthly_period, PERIOD);
    });

    it('a late charge of last month counts in the budget but never moves the month back', async () => {
      const who = await account(1_000_000, { monthly: 5000, monthlyUsed: 700, period: PERIOD });
      const requestId = id('req');
      await reserve(who, 100, requestId);
      await settle(who, requestId, 50, { period: '2026-10' });
      const key = await keyRow(who.keyId);
      assert.equal(key.monthly_period, PERIOD);
      assert.equal(key.monthly_used_micro, 700);
      assert.equal(key.budget_used_micro, 50);
    });

    it('charges a late settlement whose hold was already released (expired), once', async () => {
      const who = await account(1000);
      const requestId = id('req');
      await reserve(who, 300, requestId);
      assert.deepEqual(await store.billing.staleHolds({ expiredAt: NOW + 120_000 }, 10000).then((l) => l.includes(requestId)), true);
      await store.billing.release(requestId);
      assert.equal(await settle(who, requestId, 120), 120);
      assert.equal(await settle(who, requestId, 120), 'duplicate');
      const after = await user(who.userId);
      assert.equal(after.balance_micro, 880);
      assert.equal(after.held_micro, 0);
    });

    it('finds stale holds by expiry and (PostgreSQL, where holds outlive a process) by node', async () => {
      const who = await account(10_000);
      const mine = id('req');
      await store.billing.reserve({ requestId: mine, ...who, amountMicro: 10, period: PERIOD, nodeId: 'node-dead', now: NOW, expiresAt: NOW + 3_600_000 });
      if (kind === 'postgres') assert.ok((await store.billing.staleHolds({ nodeId: 'node-dead' }, 100)).includes(mine));
      assert.ok(!(await store.billing.staleHolds({ expiredAt: NOW }, 100)).includes(mine));
      assert.ok((await store.billing.staleHolds({ all: true }, 100_000)).includes(mine));
    });

    it('never overspends under 300 concurrent reserve/settle pairs', async () => {
      const who = await account(100_000);
      const outcomes = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const requestId = id('req');
          const outcome = await reserve(who, 1000, requestId);
          if (outcome !== 'ok') return outcome;
          await settle(who, requestId, i % 3 === 0 ? 0 : 700);
          return outcome;
        }),
      );
      const admitted = outcomes.filter((o) => o === 'ok').length;
      assert.ok(admitted >= 100, `at least the affordable requests are admitted (${admitted})`);
      const after = await user(who.userId);
      assert.ok(after.balance_micro >= 0);
      assert.equal(after.held_micro, 0);
      await store.billing.flush();
      const rows = await store.db.kysely.selectFrom('ledger_entries').select('amount_micro').where('user_id', '=', who.userId).execute();
      assert.equal(100_000 + rows.reduce((sum, r) => sum + r.amount_micro, 0), after.balance_micro, 'Σ ledger = balance');
    });
  });
}
