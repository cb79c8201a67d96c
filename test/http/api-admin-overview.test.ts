import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { newId } from '../../src/lib/ids.js';
import type { NewRequestRow } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';
import { newSignedInAdmin, type DashboardSession } from '../helpers/dashboard.js';
import { startStack, type Stack } from '../helpers/stack.js';

const DAY = 86_400_000;

interface Row {
  id: string;
  created_at: string;
  model: string | null;
  provider: string | null;
  status: number;
  cost_micro: number | null;
}

/** A history row written as the relay would, at a chosen moment (the id minted from it, as the relay mints it). */
function recorded(userId: string, at: number, fields: Partial<NewRequestRow>): NewRequestRow {
  return {
    id: newId('req', at), user_id: userId, key_id: null, surface: 'unified', provider: 'openai', model: 'gpt-4o', method: 'POST',
    path: '/v1/chat/completions', status: 200, latency_ms: 5, error: null, upstream_request_id: null, stream: 0, created_at: at,
    input_tokens: 10, cached_tokens: null, cache_write_tokens: null, output_tokens: 3, reasoning_tokens: null, usage_source: 'reported',
    cost_micro: 100, cost_usd: null, usd_rub_rate: null, price_version: null, reported_usage: null, ...fields,
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`admin overview on ${kind}: the per-day sums are the requests' sums`, () => {
    let database: TestDatabase;
    let stack: Stack;
    let admin: DashboardSession;
    let ana: { userId: string; key: string };
    let bob: { userId: string; key: string };
    const today = Math.floor(Date.now() / DAY) * DAY;
    const inFlight = recorded('', today + 1, {});

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      stack = await startStack({}, database);
      admin = await newSignedInAdmin(stack.gw);
      ana = await stack.gw.newKey({ credit: '100' });
      bob = await stack.gw.newKey({ credit: '100' });
      const chat = (key: string, model: string) =>
        new OpenAI({ apiKey: key, baseURL: `${stack.gw.url}/v1`, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content: 'overview of the day' }] });
      await chat(ana.key, 'openai/gpt-4o');
      await chat(ana.key, 'openai/gpt-4o');
      stack.openai.failNext({ status: 500 });
      await assert.rejects(chat(ana.key, 'openai/gpt-4o'));
      await chat(bob.key, 'openai/gpt-4o-mini');
      await stack.gw.app.flush();
      await stack.gw.app.store.requests.insertMany([
        // The last millisecond of yesterday is yesterday's; eight days ago is outside a 7-day overview.
        recorded(ana.userId, today - 1, { cost_micro: 11 }),
        recorded(ana.userId, today - 8 * DAY, { cost_micro: 1_000_000 }),
        // Interrupted by a crash: an error (charged its estimate); in flight: not counted (its cost is an estimate).
        recorded(bob.userId, today - 2 * DAY + 5, { status: 0, error: 'interrupted', cost_micro: 40 }),
        { ...inFlight, user_id: bob.userId, status: 0, error: 'in_flight', cost_micro: 999_999 },
      ]);
    });
    after(async () => {
      await stack.close();
      await database.drop();
    });

    const rowsOf = async (userId: string): Promise<Row[]> => {
      const res = await admin.call('GET', `/api/admin/users/${userId}/requests?limit=200`);
      assert.equal(res.status, 200, res.text);
      return (res.body.data as Row[]).filter((r) => r.id !== inFlight.id);
    };
    const sum = (rows: Row[]) => rows.reduce((total, r) => total + (r.cost_micro ?? 0), 0);
    const onDay = (rows: Row[], start: number) => rows.filter((r) => Date.parse(r.created_at) >= start && Date.parse(r.created_at) < start + DAY);

    test('every day of the period, zeros included; today, yesterday and the interrupted call as recorded', async () => {
      const res = await admin.call('GET', '/api/admin/overview?days=7');
      assert.equal(res.status, 200, res.text);
      const { days } = res.body as { days: Array<{ date: string; requests: number; errors: number; cost_micro: number; users_active: number }> };
      assert.deepEqual(days.map((d) => d.date), Array.from({ length: 7 }, (_, i) => new Date(today - (6 - i) * DAY).toISOString().slice(0, 10)));
      assert.equal(res.body.from, new Date(today - 6 * DAY).toISOString());
      assert.equal(res.body.to, new Date(today + DAY).toISOString());
      const all = [...(await rowsOf(ana.userId)), ...(await rowsOf(bob.userId))];
      for (const [i, day] of days.entries()) {
        const start = today - (6 - i) * DAY;
        const rows = onDay(all, start);
        assert.equal(day.requests, rows.length, day.date);
        assert.equal(day.cost_micro, sum(rows), day.date);
        assert.equal(day.errors, rows.filter((r) => r.status >= 400 || r.status === 0).length, day.date);
      }
      const [yesterday, todays] = [days.at(-2)!, days.at(-1)!];
      assert.deepEqual(todays && { requests: todays.requests, errors: todays.errors, users_active: todays.users_active }, { requests: 4, errors: 1, users_active: 2 });
      assert.ok(todays.cost_micro > 0);
      assert.deepEqual(yesterday, { date: yesterday.date, requests: 1, errors: 0, cost_micro: 11, users_active: 1 });
      assert.deepEqual(days.at(-3), { date: days.at(-3)!.date, requests: 1, errors: 1, cost_micro: 40, users_active: 1 });
      assert.equal(days.slice(0, 4).reduce((n, d) => n + d.requests, 0), 0);
    });

    test('top users and top models by spend over the period, with their calls', async () => {
      const res = await admin.call('GET', '/api/admin/overview?days=30');
      const from = today - 29 * DAY;
      const inPeriod = (rows: Row[]) => rows.filter((r) => Date.parse(r.created_at) >= from);
      const anaRows = inPeriod(await rowsOf(ana.userId));
      const bobRows = inPeriod(await rowsOf(bob.userId));
      const expectedUsers = [
        { id: ana.userId, cost_micro: sum(anaRows), requests: anaRows.length },
        { id: bob.userId, cost_micro: sum(bobRows), requests: bobRows.length },
      ].sort((a, b) => b.cost_micro - a.cost_micro);
      assert.deepEqual(res.body.top_users.map(({ id, cost_micro, requests }: Record<string, unknown>) => ({ id, cost_micro, requests })), expectedUsers);
      assert.match(res.body.top_users[0].email, /@example\.com$/);
      const all = [...anaRows, ...bobRows];
      for (const model of ['openai/gpt-4o', 'openai/gpt-4o-mini']) {
        const rows = all.filter((r) => `${r.provider}/${r.model}` === model);
        const entry = res.body.top_models.find((m: { model: string }) => m.model === model);
        assert.deepEqual(entry, { model, cost_micro: sum(rows), requests: rows.length });
      }
      const costs = res.body.top_models.map((m: { cost_micro: number }) => m.cost_micro);
      assert.deepEqual(costs, [...costs].sort((a: number, b: number) => b - a));
      assert.equal((await admin.call('GET', '/api/admin/overview?days=5')).status, 400);
    });
  });
}
