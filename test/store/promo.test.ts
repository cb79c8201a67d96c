import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/lib/ids.js';
import { createStore, migrateToLatest, openDb, type PromoCodeRow, type Store } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`promo codes in the store (${kind})`, () => {
    let database: TestDatabase;
    let store: Store;
    let users = 0;

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      const db = await openDb(database.url, undefined);
      await migrateToLatest(db);
      store = createStore(db);
    });
    after(async () => {
      await store?.db.close();
      await database?.drop();
    });

    const newUser = async (createdAt = Date.now()) =>
      (await store.users.insert({ id: newId('usr', createdAt), email: `promo${++users}-${process.pid}@example.com`, passwordHash: null, now: createdAt })).id;
    const newCode = async (fields: Partial<PromoCodeRow> = {}): Promise<PromoCodeRow> => {
      const now = Date.now();
      const row: PromoCodeRow = {
        id: newId('pro', now),
        code: `T-${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
        amount_micro: 5_000_000,
        max_uses: 1,
        uses: 0,
        new_users_only: 0,
        expires_at: null,
        disabled_at: null,
        note: null,
        created_by: 'test',
        created_at: now,
        ...fields,
      };
      await store.promo.insert(row);
      return row;
    };
    const balanceOf = async (userId: string) =>
      (await store.db.kysely.selectFrom('users').select('balance_micro').where('id', '=', userId).executeTakeFirstOrThrow()).balance_micro;

    it('10 concurrent redemptions of a 3-use code by 10 users credit exactly 3, each with its ledger row', async () => {
      const code = await newCode({ max_uses: 3 });
      const ids = await Promise.all(Array.from({ length: 10 }, () => newUser()));
      const outcomes = await Promise.all(ids.map((id) => store.promo.redeem(code.code, id, Date.now())));
      assert.equal(outcomes.filter((o) => o.ok).length, 3);
      assert.deepEqual(new Set(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.reason))), new Set(['used_up']));
      assert.equal((await store.promo.findById(code.id))!.uses, 3);
      assert.equal((await store.promo.redemptions(code.id)).length, 3);
      let credited = 0;
      for (const id of ids) {
        const balance = await balanceOf(id);
        assert.equal(await store.ledger.sumByUser(id), balance, `Σ ledger = balance for ${id}`);
        const rows = await store.ledger.listByUser(id, 10);
        if (balance > 0) {
          credited++;
          assert.equal(balance, 5_000_000);
          assert.deepEqual(rows.map((r) => [r.kind, r.amount_micro, r.note, r.idempotency_key]), [['promo', 5_000_000, `Promo code ${code.code}`, `promo:${code.id}`]]);
        } else {
          assert.equal(rows.length, 0);
        }
      }
      assert.equal(credited, 3);
    });

    it('the same user redeeming a multi-use code 5 times at once is credited once', async () => {
      const code = await newCode({ max_uses: 10 });
      const id = await newUser();
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.promo.redeem(code.code, id, Date.now())));
      assert.equal(outcomes.filter((o) => o.ok).length, 1);
      assert.ok(outcomes.every((o) => o.ok || o.reason === 'already_redeemed'), JSON.stringify(outcomes));
      assert.equal(await balanceOf(id), 5_000_000);
      assert.equal(await store.ledger.sumByUser(id), 5_000_000);
      assert.equal((await store.promo.findById(code.id))!.uses, 1, 'a refused redemption does not use the code up');
    });

    it('refuses unknown, disabled, expired and (for new users only) older accounts, moving nothing', async () => {
      const id = await newUser(Date.now() - 60_000);
      assert.deepEqual(await store.promo.redeem('NO-SUCH-CODE', id, Date.now()), { ok: false, reason: 'unknown' });
      const disabled = await newCode();
      assert.ok((await store.promo.disable(disabled.id, Date.now()))!.disabled_at);
      assert.deepEqual(await store.promo.redeem(disabled.code, id, Date.now()), { ok: false, reason: 'disabled' });
      const expired = await newCode({ expires_at: Date.now() - 1 });
      assert.deepEqual(await store.promo.redeem(expired.code, id, Date.now()), { ok: false, reason: 'expired' });
      const fresh = await newCode({ new_users_only: 1 });
      assert.deepEqual(await store.promo.redeem(fresh.code, id, Date.now()), { ok: false, reason: 'not_new_user' });
      const newcomer = await newUser(Date.now() + 1);
      assert.equal((await store.promo.redeem(fresh.code, newcomer, Date.now())).ok, true);
      assert.equal(await balanceOf(id), 0);
      assert.equal(await store.ledger.sumByUser(id), 0);
      const [row] = await store.promo.redemptions(fresh.id);
      assert.equal(row!.user_id, newcomer);
      assert.match(row!.email, /@example\.com$/);
    });
  });
}
