import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { apiCall, newSignedInAdmin, newSignedInUser, type DashboardSession } from '../helpers/dashboard.js';
import { startStack, type Stack } from '../helpers/stack.js';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`promo codes API (${kind})`, () => {
    let database: TestDatabase;
    let stack: Stack;
    let admin: DashboardSession;
    const touched = new Set<string>();

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      stack = await startStack({}, database);
      admin = await newSignedInAdmin(stack.gw);
    });
    after(async () => {
      await stack.close();
      await database.drop();
    });

    const customer = async () => {
      const user = await newSignedInUser(stack.gw, '0');
      touched.add(user.userId);
      return user;
    };
    const create = async (body: Record<string, unknown>) => {
      const res = await admin.call('POST', '/api/admin/promo-codes', body);
      assert.equal(res.status, 201, res.text);
      return res.body as { id: string; code: string; uses: number; max_uses: number; status: string };
    };
    const redeem = (user: DashboardSession, code: string) => user.call('POST', '/api/promo/redeem', { code });
    const balanceOf = async (user: DashboardSession) => (await user.call('GET', '/api/balance')).body.balance_micro as number;
    const auditOf = async (action: string) => (await admin.call('GET', `/api/admin/audit?action=${action}`)).body.data as Array<{ actor: string; target: string; details: any }>;

    test('create → redeem (any case) credits the amount with a promo ledger row; the same user again is refused', async () => {
      const code = await create({ code: 'welcome-500', amount: '500.25', note: 'launch' });
      assert.equal(code.code, 'WELCOME-500');
      assert.equal(code.status, 'active');
      const user = await customer();
      const ok = await redeem(user, ' Welcome-500 ');
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body, { amount_micro: 500_250_000, balance_micro: 500_250_000 });
      assert.equal(await balanceOf(user), 500_250_000);
      const [row] = (await user.call('GET', '/api/ledger')).body.data;
      assert.equal(row.kind, 'promo');
      assert.equal(row.amount_micro, 500_250_000);
      assert.equal(row.note, 'Promo code WELCOME-500');
      const again = await redeem(user, 'WELCOME-500');
      assert.equal(again.status, 409, again.text);
      assert.match(again.body.error.message, /already redeemed/);
      assert.equal(again.body.error.param, 'code');
      assert.equal(await balanceOf(user), 500_250_000);
      const [audit] = await auditOf('promo.create');
      assert.equal(audit!.actor, admin.email);
      assert.equal(audit!.target, code.id);
      assert.equal(audit!.details.amount_micro, 500_250_000);
      assert.equal(audit!.details.code, 'WELCOME-500');
    });

    test('a code left out is generated as TG-XXXX-XXXX; a duplicate code is a 409; bad bodies are 400', async () => {
      const generated = await create({ amount: '1' });
      assert.match(generated.code, /^TG-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
      assert.equal(generated.max_uses, 1);
      assert.equal((await admin.call('POST', '/api/admin/promo-codes', { code: generated.code.toLowerCase(), amount: '1' })).status, 409);
      for (const body of [{ amount: '0' }, { amount: 5 }, { amount: '1', max_uses: 0 }, { amount: '1', extra: 1 }, { amount: '1', expires_at: '2001-01-01T00:00:00Z' }, { amount: '1', code: 'a b' }]) {
        const res = await admin.call('POST', '/api/admin/promo-codes', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      }
    });

    test('a single-use code redeemed by two users at once credits exactly one', async () => {
      const code = await create({ amount: '100' });
      const [a, b] = [await customer(), await customer()];
      const answers = await Promise.all([redeem(a, code.code), redeem(b, code.code)]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409], answers.map((r) => r.text).join(' '));
      assert.match(answers.find((r) => r.status === 409)!.body.error.message, /used up/);
      assert.equal((await balanceOf(a)) + (await balanceOf(b)), 100_000_000);
      const detail = await admin.call('GET', `/api/admin/promo-codes/${code.id}`);
      assert.equal(detail.body.code.uses, 1);
      assert.equal(detail.body.code.status, 'used_up');
      assert.equal(detail.body.redemptions.length, 1);
    });

    test('an N-use code serves N users, then is used up; the admin sees who redeemed', async () => {
      const code = await create({ amount: '10', max_uses: 3 });
      const users = [await customer(), await customer(), await customer(), await customer()];
      const statuses = [];
      for (const user of users) statuses.push((await redeem(user, code.code)).status);
      assert.deepEqual(statuses, [200, 200, 200, 409]);
      const detail = await admin.call('GET', `/api/admin/promo-codes/${code.id}`);
      assert.equal(detail.status, 200, detail.text);
      assert.deepEqual(detail.body.redemptions.map((r: { email: string }) => r.email).sort(), users.slice(0, 3).map((u) => u.email).sort());
      assert.ok(detail.body.redemptions.every((r: { amount_micro: number; ledger_entry_id: string }) => r.amount_micro === 10_000_000 && r.ledger_entry_id.startsWith('led_')));
      const list = await admin.call('GET', '/api/admin/promo-codes');
      const listed = list.body.data.find((c: { id: string }) => c.id === code.id);
      assert.deepEqual([listed.uses, listed.max_uses, listed.status], [3, 3, 'used_up']);
      assert.equal((await admin.call('GET', '/api/admin/promo-codes/pro_nothing')).status, 404);
    });

    test('expired, disabled, unknown and new-users-only codes are refused with their reasons', async () => {
      const old = await customer();
      const expiring = await create({ amount: '1', expires_at: new Date(Date.now() + 1500).toISOString() });
      const disabled = await create({ amount: '1', max_uses: 5 });
      const fresh = await create({ amount: '7', max_uses: 5, new_users_only: true });
      const off = await admin.call('POST', `/api/admin/promo-codes/${disabled.id}/disable`);
      assert.equal(off.body.status, 'disabled');
      assert.equal((await admin.call('POST', `/api/admin/promo-codes/${disabled.id}/disable`)).status, 200);
      const audits = (await auditOf('promo.disable')).filter((r) => r.target === disabled.id);
      assert.equal(audits.length, 1, 'a repeated disable is not audited again');
      assert.equal(audits[0]!.actor, admin.email);
      const refusal = async (code: string, status: number, message: RegExp) => {
        const res = await redeem(old, code);
        assert.equal(res.status, status, res.text);
        assert.match(res.body.error.message, message);
        assert.equal(typeof res.body.error.type, 'string');
      };
      await refusal(disabled.code, 409, /disabled/);
      await refusal('NO-SUCH-CODE', 404, /Unknown promo code/);
      await refusal(fresh.code, 403, /new accounts only/);
      await sleep(Math.max(0, Date.parse((await admin.call('GET', `/api/admin/promo-codes/${expiring.id}`)).body.code.expires_at) - Date.now() + 50));
      await refusal(expiring.code, 409, /expired/);
      assert.equal(await balanceOf(old), 0);
      const newcomer = await customer();
      assert.equal((await redeem(newcomer, fresh.code)).status, 200);
      assert.equal(await balanceOf(newcomer), 7_000_000);
    });

    test('failed redemptions are throttled per user: past 10 failures even a valid code is a 429 with retry-after', async () => {
      const guesser = await customer();
      const code = await create({ amount: '1' });
      for (let i = 0; i < 10; i++) assert.equal((await redeem(guesser, `GUESS-${i}`)).status, 404);
      const locked = await redeem(guesser, code.code);
      assert.equal(locked.status, 429, locked.text);
      assert.match(locked.body.error.message, /promo code attempts/);
      const other = await customer();
      assert.equal((await redeem(other, code.code)).status, 200, 'another user is not locked');
      assert.equal(await balanceOf(guesser), 0);
    });

    test('redeem needs a session and a CSRF token; admin routes need the admin role', async () => {
      const user = await customer();
      assert.equal((await apiCall(stack.gw, undefined, 'POST', '/api/promo/redeem', { code: 'X' })).status, 401);
      assert.equal((await apiCall(stack.gw, { cookie: user.cookie, csrf: 'forged' }, 'POST', '/api/promo/redeem', { code: 'X' })).status, 403);
      const code = await create({ amount: '1' });
      for (const [method, path] of [['GET', '/api/admin/promo-codes'], ['POST', '/api/admin/promo-codes'], ['GET', `/api/admin/promo-codes/${code.id}`], ['POST', `/api/admin/promo-codes/${code.id}/disable`]] as const) {
        const res = await user.call(method, path, method === 'POST' ? { amount: '1' } : undefined);
        assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      }
      assert.equal((await admin.call('GET', `/api/admin/promo-codes/${code.id}`)).body.code.status, 'active');
    });

    test('Σ ledger = balance for every user touched', async () => {
      await stack.gw.app.flush();
      const { store } = stack.gw.app;
      assert.ok(touched.size >= 10);
      for (const userId of touched) {
        const user = await store.users.findById(userId);
        assert.equal(await store.ledger.sumByUser(userId), user!.balance_micro, userId);
      }
    });
  });
}
