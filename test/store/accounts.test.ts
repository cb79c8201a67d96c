import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GatewayError } from '../../src/core/errors.js';
import { systemClock } from '../../src/lib/clock.js';
import { AccountsService } from '../../src/services/accounts/accounts-service.js';
import { verifyPassword } from '../../src/services/accounts/passwords.js';
import { createStore, migrateToLatest, openDb, type Store } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';


const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Asserts that `promise` rejects with a GatewayError of `code` (and `param`, when given). */
async function rejectsWith(promise: Promise<unknown>, code: string, param?: string, mentions?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (param !== undefined) assert.equal(err.param, param);
    if (mentions !== undefined) assert.ok(err.message.includes(mentions), `"${err.message}" should mention ${mentions}`);
    return true;
  });
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    let database: TestDatabase;
    let store: Store;
    let accounts: AccountsService;
    const changedKeys: string[] = [];
    let emails = 0;
    const newEmail = () => `user${++emails}@example.com`;

    const ledgerOf = (userId: string) =>
      store.db.kysely.selectFrom('ledger_entries').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    const balanceOf = async (userId: string) =>
      (await store.db.kysely.selectFrom('users').select('balance_micro').where('id', '=', userId).executeTakeFirstOrThrow()).balance_micro;

    before(async () => {
      // See test/helpers/postgres-schema.ts for why not plain postgresDatabase() (a src/store/db.ts bug).
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      const db = await openDb(database.url, undefined);
      const applied = await migrateToLatest(db);
      assert.deepEqual(applied, Object.keys(MIGRATIONS));
      store = createStore(db);
      accounts = new AccountsService(store, systemClock, (keyId) => changedKeys.push(keyId));
    });

    after(async () => {
      await store?.db.close();
      await database?.drop();
    });

    describe('store', () => {
      it('opens the right engine', () => {
        assert.equal(store.db.kind, kind);
      });

      it('migrating twice is a no-op', async () => {
        assert.deepEqual(await migrateToLatest(store.db), []);
        const again = await openDb(database.url, undefined);
        try {
          assert.deepEqual(await migrateToLatest(again), []);
        } finally {
          await again.close();
        }
      });
    });

    describe('users', () => {
      it('creates a user with the email normalised to lower case', async () => {
        const user = await accounts.createUser({ email: '  Mixed.Case@Example.COM ' });
        assert.equal(user.email, 'mixed.case@example.com');
        assert.equal(user.balance, 0);
        assert.equal(user.status, 'active');
        assert.match(user.id, /^usr_/);
        assert.ok(!Number.isNaN(Date.parse(user.created_at)));
        const row = await store.users.findById(user.id);
        assert.equal(row?.email, 'mixed.case@example.com');
        assert.equal(row?.balance_micro, 0);
        assert.equal(row?.password_hash, null);
        assert.deepEqual(await accounts.getUser(user.id), user);
        assert.deepEqual(await accounts.findUsers({ email: 'MIXED.case@example.com' }), [user]);
      });

      it('refuses a duplicate email, whatever its case, with TG_ERR_CONFLICT', async () => {
        await accounts.createUser({ email: 'dup@example.com' });
        await rejectsWith(accounts.createUser({ email: 'DUP@Example.com' }), 'TG_ERR_CONFLICT', 'email');
        const rows = await store.db.kysely.selectFrom('users').select('id').where('email', '=', 'dup@example.com').execute();
        assert.equal(rows.length, 1);
      });

      it('refuses bad input, naming the field', async () => {
        await rejectsWith(accounts.createUser({ email: 'not-an-email' }), 'TG_ERR_BAD_REQUEST', 'email');
        await rejectsWith(accounts.createUser({}), 'TG_ERR_BAD_REQUEST', 'email');
        await rejectsWith(accounts.createUser({ email: newEmail(), role: 'admin' }), 'TG_ERR_BAD_REQUEST', 'role', 'role');
        await rejectsWith(accounts.createUser({ email: newEmail(), password: 'short' }), 'TG_ERR_BAD_REQUEST', 'password');
        await rejectsWith(accounts.createUser('x@y.z'), 'TG_ERR_BAD_REQUEST');
        await rejectsWith(accounts.getUser('usr_missing'), 'TG_ERR_NOT_FOUND');
      });

      it('stores a password only as a scrypt hash', async () => {
        const password = 'correct horse battery staple';
        const user = await accounts.createUser({ email: newEmail(), password });
        const row = await store.users.findById(user.id);
        assert.ok(row?.password_hash);
        assert.match(row.password_hash, /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
        assert.ok(!JSON.stringify(row).includes(password));
        assert.equal(await verifyPassword(password, row.password_hash), true);
        assert.equal(await verifyPassword('wrong horse battery staple', row.password_hash), false);
        assert.ok(!('password_hash' in user) && !JSON.stringify(user).includes('scrypt'), 'the view never shows the hash');
        const other = await accounts.createUser({ email: newEmail(), password });
        assert.notEqual((await store.users.findById(other.id))?.password_hash, row.password_hash, 'each hash has its own salt');
      });
    });

    describe('credit and debit', () => {
      it('appends ledger rows with the running balance', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        const first = await accounts.credit(user.id, { amount: '100.5', note: 'top-up' });
        assert.deepEqual({ balance: first.balance, balance_micro: first.balance_micro }, { balance: 100.5, balance_micro: 100_500_000 });
        const second = await accounts.credit(user.id, { amount: 0.000001 });
        assert.equal(second.balance_micro, 100_500_001);
        const third = await accounts.credit(user.id, { amount: '-3.25' });
        assert.equal(third.balance_micro, 97_250_001);
        assert.equal(third.balance, 97.250001);

        const ledger = await ledgerOf(user.id);
        assert.deepEqual(
          ledger.map((r) => [r.kind, r.amount_micro, r.balance_after_micro, r.note]),
          [
            ['credit', 100_500_000, 100_500_000, 'top-up'],
            ['credit', 1, 100_500_001, null],
            ['debit', -3_250_000, 97_250_001, null],
          ],
        );
        assert.deepEqual(ledger.map((r) => r.id), [first.entry_id, second.entry_id, third.entry_id]);
        for (const row of ledger) assert.equal(typeof row.amount_micro, 'number', 'bigint columns come back as numbers');
        assert.equal(await balanceOf(user.id), 97_250_001);
        assert.equal(await store.ledger.sumByUser(user.id), 97_250_001);
        assert.equal((await accounts.getUser(user.id)).balance, 97.250001);
      });

      it('refuses a debit larger than the balance and writes nothing', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        await accounts.credit(user.id, { amount: '10' });
        await rejectsWith(accounts.credit(user.id, { amount: '-10.000001' }), 'TG_ERR_BAD_REQUEST', 'amount');
        assert.equal(await balanceOf(user.id), 10_000_000);
        assert.equal((await ledgerOf(user.id)).length, 1);
        const drained = await accounts.credit(user.id, { amount: -10 });
        assert.equal(drained.balance_micro, 0, 'a debit down to exactly zero is allowed');
        await rejectsWith(accounts.credit(user.id, { amount: '-0.000001' }), 'TG_ERR_BAD_REQUEST', 'amount');
        assert.equal((await ledgerOf(user.id)).length, 2);
        assert.equal(await store.ledger.sumByUser(user.id), 0);
      });

      it('refuses bad amounts and unknown users without writing', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        for (const amount of ['1.0000001', 'ten', 0, '0', null, undefined, Number.NaN, '1e3', {}]) {
          await rejectsWith(accounts.credit(user.id, { amount }), 'TG_ERR_BAD_REQUEST', 'amount');
        }
        await rejectsWith(accounts.credit(user.id, { amount: 1, currency: 'USD' }), 'TG_ERR_BAD_REQUEST', 'currency');
        await rejectsWith(accounts.credit('usr_nobody', { amount: 1 }), 'TG_ERR_NOT_FOUND');
        assert.equal((await ledgerOf(user.id)).length, 0);
        assert.equal((await ledgerOf('usr_nobody')).length, 0);
        assert.equal(await balanceOf(user.id), 0);
      });

      it('200 concurrent credits end with exact totals and Σ ledger = balance', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        // "0.000001", "0.000002", … in steps of 0.0075 up to "1.5": amounts that float arithmetic would smear.
        const amounts = Array.from({ length: 200 }, (_, i) => (i === 0 ? '0.000001' : i === 199 ? '1.5' : (i * 0.0075 + 0.000001).toFixed(6)));
        const expected = amounts.reduce((sum, a) => sum + Math.round(Number(a) * 1_000_000), 0);
        const results = await Promise.all(amounts.map((amount) => accounts.credit(user.id, { amount })));

        assert.equal(await balanceOf(user.id), expected);
        assert.equal(await store.ledger.sumByUser(user.id), expected);
        const ledger = await ledgerOf(user.id);
        assert.equal(ledger.length, 200);
        assert.equal(new Set(ledger.map((r) => r.id)).size, 200);
        // Every running balance is distinct and the largest one is the final balance: no lost update.
        const afters = ledger.map((r) => r.balance_after_micro).sort((a, b) => a - b);
        assert.equal(new Set(afters).size, 200);
        assert.equal(afters.at(-1), expected);
        assert.equal(Math.max(...results.map((r) => r.balance_micro)), expected);
        // Replaying the ledger in commit order (by balance_after) reproduces every balance_after.
        const byAfter = [...ledger].sort((a, b) => a.balance_after_micro - b.balance_after_micro);
        let running = 0;
        for (const row of byAfter) {
          running += row.amount_micro;
          assert.equal(row.balance_after_micro, running);
        }
      });

      it('concurrent debits never take a balance below zero', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        await accounts.credit(user.id, { amount: '1' });
        const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => accounts.credit(user.id, { amount: '-0.1' })));
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 10);
        for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as GatewayError).code, 'TG_ERR_BAD_REQUEST');
        assert.equal(await balanceOf(user.id), 0);
        assert.equal(await store.ledger.sumByUser(user.id), 0);
        assert.equal((await ledgerOf(user.id)).length, 11);
      });
    });

    describe('keys', () => {
      it('creates a key that is stored only as its sha256', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        const created = await accounts.createKey(user.id, { name: 'laptop', models: ['gpt-4o*', 'anthropic/*'] });
        assert.match(created.key, /^tg-[A-Za-z0-9_-]{43,}$/);
        assert.ok(created.key.length - 3 >= 43);
        assert.ok(created.key.startsWith(created.prefix), `${created.prefix} is a prefix of the key`);
        assert.ok(created.prefix.length >= 4 && created.prefix.length < created.key.length - 16, 'the prefix reveals only a little');
        assert.equal(created.user_id, user.id);
        assert.equal(created.status, 'active');
        assert.deepEqual(created.models, ['gpt-4o*', 'anthropic/*']);

        const rows = await store.db.kysely.selectFrom('api_keys').selectAll().where('id', '=', created.id).execute();
        assert.equal(rows.length, 1);
        const row = rows[0]!;
        assert.equal(row.key_hash, sha256(created.key));
        assert.match(row.key_hash, /^[0-9a-f]{64}$/);
        assert.equal(row.prefix, created.prefix);
        const secretPart = created.key.slice(created.prefix.length);
        for (const [column, value] of Object.entries(row)) {
          const text = String(value);
          assert.ok(!text.includes(created.key), `column ${column} holds the key`);
          assert.ok(!text.includes(secretPart), `column ${column} holds the secret part of the key`);
        }
        assert.equal((await store.keys.findByHash(sha256(created.key)))?.id, created.id);

        const listed = await accounts.listKeys(user.id);
        assert.equal(listed.length, 1);
        assert.ok(!JSON.stringify(listed).includes(secretPart));
        assert.ok(!('key' in listed[0]!));
        const other = await accounts.createKey(user.id, {});
        assert.notEqual(other.key, created.key);
        assert.notEqual(other.prefix, created.prefix);
      });

      it('round-trips every key field', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        const created = await accounts.createKey(user.id, {
          name: 'ci',
          budget_limit: '100.25',
          allow_balance: true,
          models: ['gpt-4o*', 'claude-3-5-sonnet', 'gpt-4o*'],
          monthly_limit: 50,
          expires_at: '2030-01-01T00:00:00Z',
        });
        const expected = {
          name: 'ci',
          budget_limit: 100.25,
          allow_balance: true,
          models: ['gpt-4o*', 'claude-3-5-sonnet'],
          monthly_limit: 50,
          expires_at: '2030-01-01T00:00:00.000Z',
          budget_used: 0,
          monthly_used: 0,
          last_used_at: null,
        };
        for (const view of [created, await accounts.getKey(created.id), (await accounts.listKeys(user.id))[0]!]) {
          assert.deepEqual({ ...pick(view, Object.keys(expected)) }, expected);
        }
        const row = await store.keys.findById(created.id);
        assert.equal(row?.budget_limit_micro, 100_250_000);
        assert.equal(row?.monthly_limit_micro, 50_000_000);
        assert.equal(row?.allow_balance, 1);
        assert.equal(row?.expires_at, Date.UTC(2030, 0, 1));
        assert.deepEqual(JSON.parse(row?.models ?? 'null'), ['gpt-4o*', 'claude-3-5-sonnet']);

        const plain = await accounts.createKey(user.id, undefined);
        assert.deepEqual(pick(plain, ['name', 'models', 'budget_limit', 'monthly_limit', 'expires_at', 'allow_balance']), {
          name: null,
          models: null,
          budget_limit: null,
          monthly_limit: null,
          expires_at: null,
          allow_balance: false,
        });
      });

      it('refuses bad key input, naming the field, and unknown users', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        await rejectsWith(accounts.createKey(user.id, { scopes: ['all'] }), 'TG_ERR_BAD_REQUEST', 'scopes', 'scopes');
        await rejectsWith(accounts.createKey(user.id, { budget_limit: '1.0000001' }), 'TG_ERR_BAD_REQUEST', 'budget_limit');
        await rejectsWith(accounts.createKey(user.id, { monthly_limit: -1 }), 'TG_ERR_BAD_REQUEST', 'monthly_limit');
        await rejectsWith(accounts.createKey(user.id, { models: 'gpt-4o' }), 'TG_ERR_BAD_REQUEST', 'models');
        await rejectsWith(accounts.createKey(user.id, { models: ['has space'] }), 'TG_ERR_BAD_REQUEST', 'models');
        await rejectsWith(accounts.createKey(user.id, { allow_balance: 'yes' }), 'TG_ERR_BAD_REQUEST', 'allow_balance');
        await rejectsWith(accounts.createKey(user.id, { expires_at: 'tomorrow' }), 'TG_ERR_BAD_REQUEST', 'expires_at');
        await rejectsWith(accounts.createKey('usr_nobody', {}), 'TG_ERR_NOT_FOUND');
        assert.deepEqual(await accounts.listKeys(user.id), []);
      });

      it('updateKey patches the given fields only and rejects unknown fields by name', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        const created = await accounts.createKey(user.id, { name: 'old', models: ['gpt-4o*'], budget_limit: 5 });
        changedKeys.length = 0;

        const updated = await accounts.updateKey(created.id, { name: 'new', models: ['anthropic/*'], allow_balance: true });
        assert.equal(updated.name, 'new');
        assert.deepEqual(updated.models, ['anthropic/*']);
        assert.equal(updated.allow_balance, true);
        assert.equal(updated.budget_limit, 5, 'untouched fields keep their value');
        assert.equal(updated.status, 'active');
        assert.deepEqual(changedKeys, [created.id], 'a change is announced so caches drop the key');
        assert.deepEqual(await accounts.getKey(created.id), updated);

        const cleared = await accounts.updateKey(created.id, { models: null, budget_limit: null, expires_at: '2031-06-01T12:00:00Z' });
        assert.equal(cleared.models, null);
        assert.equal(cleared.budget_limit, null);
        assert.equal(cleared.expires_at, '2031-06-01T12:00:00.000Z');
        assert.equal(cleared.name, 'new');

        await rejectsWith(accounts.updateKey(created.id, { nmae: 'typo' }), 'TG_ERR_BAD_REQUEST', 'nmae', 'nmae');
        await rejectsWith(accounts.updateKey(created.id, { key_hash: 'x' }), 'TG_ERR_BAD_REQUEST', 'key_hash', 'key_hash');
        await rejectsWith(accounts.updateKey(created.id, { status: 'expired' }), 'TG_ERR_BAD_REQUEST', 'status');
        await rejectsWith(accounts.updateKey('key_missing', { name: 'x' }), 'TG_ERR_NOT_FOUND');
        assert.equal((await accounts.getKey(created.id)).name, 'new', 'refused patches change nothing');
        assert.equal((await store.keys.findById(created.id))?.key_hash, sha256(created.key));
      });

      it('revokeKey sets status revoked, and revoked keys stay revoked', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        const created = await accounts.createKey(user.id, { name: 'doomed' });
        changedKeys.length = 0;
        const revokedAfter = Date.now();
        const revoked = await accounts.revokeKey(created.id);
        assert.equal(revoked.status, 'revoked');
        assert.deepEqual(changedKeys, [created.id]);
        const row = await store.keys.findById(created.id);
        assert.equal(row?.status, 'revoked');
        assert.ok(row?.revoked_at !== null && row!.revoked_at! >= revokedAfter - 1000, 'revoked_at is set');
        assert.equal((await store.keys.findByHash(sha256(created.key)))?.status, 'revoked');

        const again = await accounts.revokeKey(created.id);
        assert.equal(again.status, 'revoked');
        assert.equal((await store.keys.findById(created.id))?.revoked_at, row?.revoked_at, 'revoking twice keeps the first time');
        const viaPatch = await accounts.updateKey((await accounts.createKey(user.id, {})).id, { status: 'revoked' });
        assert.equal(viaPatch.status, 'revoked');
        await rejectsWith(accounts.revokeKey('key_missing'), 'TG_ERR_NOT_FOUND');
        await rejectsWith(accounts.updateKey(created.id, { status: 'active' }), 'TG_ERR_CONFLICT', 'status');
        await rejectsWith(accounts.updateKey(created.id, { status: 'paused' }), 'TG_ERR_CONFLICT', 'status');
        assert.equal((await store.keys.findById(created.id))?.status, 'revoked', 'a revoked key is never resumed');
        // A resume that read the key before a concurrent revoke: the store's update refuses it by itself.
        await store.keys.update(created.id, { status: 'active' });
        assert.equal((await store.keys.findById(created.id))?.status, 'revoked', 'the store never brings a revoked key back');
      });

      it('updateKey pauses and resumes a key, announcing each change', async () => {
        const user = await accounts.createUser({ email: newEmail() });
        const created = await accounts.createKey(user.id, { name: 'sleepy' });
        changedKeys.length = 0;
        assert.equal((await accounts.updateKey(created.id, { status: 'paused' })).status, 'paused');
        assert.equal((await store.keys.findByHash(sha256(created.key)))?.status, 'paused');
        assert.equal((await accounts.updateKey(created.id, { status: 'active' })).status, 'active');
        assert.deepEqual(changedKeys, [created.id, created.id], 'both changes drop the cached principal');
        assert.equal((await store.keys.findById(created.id))?.revoked_at, null);
      });
    });
  });
}

function pick(view: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (view as Record<string, unknown>)[k]]));
}
