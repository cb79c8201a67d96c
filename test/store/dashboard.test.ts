import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from '../../src/lib/ids.js';
import { createStore, isUniqueViolation, migrateToLatest, openDb, type SessionRow, type Store } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

const T0 = 1_800_000_000_000;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`dashboard store (${kind})`, () => {
    let database: TestDatabase;
    let store: Store;
    let users = 0;
    const newUser = async (email = `u${++users}@example.com`) =>
      store.users.insert({ id: newId('usr', T0), email, passwordHash: null, now: T0 });
    const session = (userId: string, id: string, overrides: Partial<SessionRow> = {}): SessionRow => ({
      id,
      token_hash: `hash-${id}`,
      user_id: userId,
      csrf_secret: `csrf-${id}`,
      created_at: T0,
      last_seen_at: T0,
      expires_at: T0 + 60_000,
      ip: '10.0.0.1',
      user_agent: 'test',
      revoked_at: null,
      ...overrides,
    });

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

    describe('users', () => {
      it('a new user is a plain user; role, status, password and email change with updated_at', async () => {
        const user = await newUser();
        assert.equal((await store.users.findById(user.id))?.role, 'user');
        assert.equal((await store.users.setRole(user.id, 'admin', T0 + 1))?.role, 'admin');
        assert.equal((await store.users.setStatus(user.id, 'blocked', T0 + 2))?.status, 'blocked');
        assert.equal((await store.users.setPassword(user.id, 'scrypt$x', T0 + 3))?.password_hash, 'scrypt$x');
        const moved = await store.users.setEmail(user.id, `moved-${user.email}`, T0 + 4);
        assert.equal(moved?.email, `moved-${user.email}`);
        assert.equal(moved?.updated_at, T0 + 4);
        assert.equal(await store.users.setRole('usr_missing', 'admin', T0), undefined);
        const admin = await store.users.insert({ id: newId('usr', T0), email: `admin${++users}@example.com`, passwordHash: null, now: T0, role: 'admin' });
        assert.equal((await store.users.findById(admin.id))?.role, 'admin');
      });

      it('setEmail to a taken address is a unique violation', async () => {
        const [a, b] = [await newUser(), await newUser()];
        await assert.rejects(store.users.setEmail(a.id, b.email, T0), (err) => isUniqueViolation(err));
      });

      it('search: email substring (LIKE wildcards literal), newest first, paged by id', async () => {
        const made = [];
        for (let i = 0; i < 5; i++) made.push(await newUser(`find_me.${i}@search.test`));
        await newUser('findXme@search.test');
        const first = await store.users.search({ q: 'FIND_ME', limit: 3 });
        assert.deepEqual(first.map((u) => u.email), ['find_me.4@search.test', 'find_me.3@search.test', 'find_me.2@search.test']);
        const second = await store.users.search({ q: 'find_me', limit: 3, before: first.at(-1)!.id });
        assert.deepEqual(second.map((u) => u.email), ['find_me.1@search.test', 'find_me.0@search.test']);
        assert.deepEqual(await store.users.search({ q: '100%', limit: 3 }), []);
        assert.ok((await store.users.search({ limit: 100 })).length >= 6, 'no q: everyone');
      });
    });

    describe('sessions', () => {
      it('finds a live session with its user; expired and revoked ones are not found', async () => {
        const user = await newUser();
        await store.sessions.insert(session(user.id, 'ses_a'));
        const live = await store.sessions.findLive('hash-ses_a', T0 + 1);
        assert.equal(live?.email, user.email);
        assert.equal(live?.role, 'user');
        assert.equal(live?.user_status, 'active');
        assert.equal(live?.csrf_secret, 'csrf-ses_a');
        assert.equal(await store.sessions.findLive('hash-ses_a', T0 + 60_000), undefined, 'expired');
        await store.sessions.touch('ses_a', T0 + 30_000, T0 + 90_000);
        assert.equal((await store.sessions.findLive('hash-ses_a', T0 + 60_000))?.last_seen_at, T0 + 30_000, 'the expiry slid');
        assert.equal(await store.sessions.revoke(user.id, 'ses_a', T0 + 31_000), true);
        assert.equal(await store.sessions.revoke(user.id, 'ses_a', T0 + 31_000), false, 'already revoked');
        assert.equal(await store.sessions.findLive('hash-ses_a', T0 + 32_000), undefined);
        await store.sessions.touch('ses_a', T0 + 33_000, T0 + 99_000);
        assert.equal(await store.sessions.findLive('hash-ses_a', T0 + 34_000), undefined, 'a touch does not bring it back');
      });

      it("revoke never touches another user's session; revokeAll keeps the exception", async () => {
        const [ana, bob] = [await newUser(), await newUser()];
        await store.sessions.insert(session(ana.id, 'ses_ana1'));
        await store.sessions.insert(session(ana.id, 'ses_ana2', { last_seen_at: T0 + 5 }));
        await store.sessions.insert(session(ana.id, 'ses_ana3'));
        await store.sessions.insert(session(bob.id, 'ses_bob'));
        assert.equal(await store.sessions.revoke(bob.id, 'ses_ana1', T0), false);
        assert.deepEqual((await store.sessions.listLive(ana.id, T0 + 1)).map((s) => s.id), ['ses_ana2', 'ses_ana3', 'ses_ana1']);
        assert.equal(await store.sessions.revokeAll(ana.id, T0 + 1, 'ses_ana2'), 2);
        assert.deepEqual((await store.sessions.listLive(ana.id, T0 + 2)).map((s) => s.id), ['ses_ana2']);
        assert.equal(await store.sessions.revokeAll(ana.id, T0 + 2), 1);
        assert.deepEqual(await store.sessions.listLive(ana.id, T0 + 3), []);
        assert.ok(await store.sessions.findLive('hash-ses_bob', T0 + 3));
      });

      it('the token hash is unique', async () => {
        const user = await newUser();
        await store.sessions.insert(session(user.id, 'ses_u1', { token_hash: 'same' }));
        await assert.rejects(store.sessions.insert(session(user.id, 'ses_u2', { token_hash: 'same' })), (err) => isUniqueViolation(err));
      });
    });

    describe('password resets', () => {
      it('a token is consumed once, never after expiry; voidAll ends the rest', async () => {
        const user = await newUser();
        const reset = (hash: string, expiresAt: number) => ({ token_hash: hash, user_id: user.id, created_at: T0, expires_at: expiresAt, used_at: null, created_by: 'self' });
        await store.passwordResets.insert(reset('r1', T0 + 1000));
        await store.passwordResets.insert(reset('r2', T0 + 1000));
        await store.passwordResets.insert(reset('r3', T0 + 1000));
        assert.equal(await store.passwordResets.consume('r1', T0 + 1000), undefined, 'expired');
        const twice = await Promise.all([store.passwordResets.consume('r2', T0 + 1), store.passwordResets.consume('r2', T0 + 1)]);
        assert.deepEqual(twice.filter(Boolean), [user.id], 'one of two concurrent uses wins');
        await store.passwordResets.voidAll(user.id, T0 + 2);
        assert.equal(await store.passwordResets.consume('r3', T0 + 3), undefined);
        assert.equal(await store.passwordResets.consume('nope', T0 + 3), undefined);
      });
    });

    describe('login failures', () => {
      it('counts failures atomically, forgets stale ones, locks without shortening', async () => {
        const fails = await Promise.all(Array.from({ length: 10 }, () => store.loginFailures.fail('ip:10.1.1.1', T0, T0 - 1000)));
        assert.deepEqual(fails.map((f) => f.failures).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        await store.loginFailures.lock('ip:10.1.1.1', T0 + 5000);
        await store.loginFailures.lock('ip:10.1.1.1', T0 + 1000);
        const [row] = await store.loginFailures.find(['ip:10.1.1.1', 'acct:none']);
        assert.equal(row?.locked_until, T0 + 5000);
        assert.equal(row?.failures, 10);
        const fresh = await store.loginFailures.fail('ip:10.1.1.1', T0 + 10_000, T0 + 5000);
        assert.equal(fresh.failures, 1, 'a quiet scope starts again');
        await store.loginFailures.clear('ip:10.1.1.1');
        assert.deepEqual(await store.loginFailures.find(['ip:10.1.1.1']), []);
        await store.loginFailures.fail('acct:old', T0, T0);
        await store.loginFailures.prune(T0 + 1, T0 + 1);
        assert.deepEqual(await store.loginFailures.find(['acct:old']), []);
      });
    });

    describe('audit log', () => {
      it('lists newest first, filtered by action, actor and target, paged', async () => {
        for (let i = 0; i < 4; i++) {
          await store.audit.insert({
            id: newId('aud', T0 + i),
            actor_user_id: null,
            actor: i % 2 ? 'cli' : 'ana@example.com',
            action: i < 2 ? 'user.credit' : 'user.block',
            target: `usr_${i}`,
            details: JSON.stringify({ i }),
            ip: null,
            created_at: T0 + i,
          });
        }
        assert.deepEqual((await store.audit.list({ limit: 10 })).map((r) => r.target), ['usr_3', 'usr_2', 'usr_1', 'usr_0']);
        assert.deepEqual((await store.audit.list({ limit: 10, action: 'user.credit' })).map((r) => r.target), ['usr_1', 'usr_0']);
        assert.deepEqual((await store.audit.list({ limit: 10, actor: 'cli' })).map((r) => r.target), ['usr_3', 'usr_1']);
        assert.deepEqual((await store.audit.list({ limit: 10, target: 'usr_2' })).map((r) => r.action), ['user.block']);
        assert.deepEqual((await store.audit.list({ limit: 10, target: 'usr_1', action: 'user.block' })).map((r) => r.target), []);
        assert.deepEqual((await store.audit.list({ limit: 10, target: 'usr_' })).map((r) => r.target), [], 'an exact match, not a prefix');
        const page = await store.audit.list({ limit: 2 });
        assert.deepEqual((await store.audit.list({ limit: 2, before: page[1]!.id })).map((r) => r.target), ['usr_1', 'usr_0']);
      });
    });
  });
}
