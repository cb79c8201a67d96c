import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/lib/ids.js';
import { HistoryQuery } from '../../src/services/history/history-query.js';
import { usageSeries, usageWindow } from '../../src/services/history/usage-series.js';
import { createStore, migrateToLatest, openDb, type NewRequestRow, type Store } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

const DAY = 86_400_000;
/** 2026-03-10T15:00:00Z: the series' "now", so its last day is 2026-03-10. */
const NOW = Date.UTC(2026, 2, 10, 15);
const clock = { now: () => NOW };

function row(userId: string, at: number, fields: Partial<NewRequestRow>): NewRequestRow {
  return {
    id: newId('req', at), user_id: userId, key_id: 'key_x', surface: 'unified', provider: 'openai', model: 'gpt-4o', method: 'POST',
    path: '/v1/chat/completions', status: 200, latency_ms: 5, error: null, upstream_request_id: null, stream: 0, created_at: at,
    input_tokens: 10, cached_tokens: null, cache_write_tokens: null, output_tokens: 3, reasoning_tokens: null, usage_source: 'reported',
    cost_micro: 100, cost_usd: null, usd_rub_rate: null, price_version: null, reported_usage: null, ...fields,
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`usage series on ${kind}`, () => {
    let database: TestDatabase;
    let store: Store;
    let history: HistoryQuery;
    const rows: NewRequestRow[] = [];

    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      const db = await openDb(database.url, undefined);
      await migrateToLatest(db);
      store = createStore(db);
      history = new HistoryQuery(store, clock);
      const today = Math.floor(NOW / DAY) * DAY;
      rows.push(
        row('usr_a', today + 1000, { cost_micro: 1_500_000, input_tokens: 100, output_tokens: 20 }),
        row('usr_a', today + 2000, { model: 'claude-sonnet-4-5', provider: 'anthropic', cost_micro: 2_250_001, input_tokens: 7, output_tokens: 9 }),
        row('usr_a', today + 3000, { status: 429, error: 'rate limited', cost_micro: null, input_tokens: null, output_tokens: null }),
        // The first moment and the last millisecond of a day fall in that day.
        row('usr_a', today - 2 * DAY, { cost_micro: 7 }),
        row('usr_a', today - 1, { cost_micro: 11 }),
        // Interrupted by a crash: an error; in flight: not counted at all (its cost is an estimate).
        row('usr_a', today - 3 * DAY, { status: 0, error: 'interrupted', cost_micro: 40 }),
        row('usr_a', today + 4000, { status: 0, error: 'in_flight', cost_micro: 999_999 }),
        // Refused before a model was known.
        row('usr_a', today + 5000, { model: null, provider: null, status: 401, cost_micro: null, input_tokens: null, output_tokens: null }),
        // Outside the 7-day window, and another user's.
        row('usr_a', today - 7 * DAY, { cost_micro: 1_000_000_000 }),
        row('usr_b', today + 6000, { cost_micro: 5_000_000 }),
      );
      await store.requests.insertMany(rows);
    });

    after(async () => {
      await store?.db.close();
      await database?.drop();
    });

    it('sums per UTC day and model, one entry per day, zeros included', async () => {
      const series = await history.usage('usr_a', 7);
      assert.equal(series.from, '2026-03-04T00:00:00.000Z');
      assert.equal(series.to, '2026-03-11T00:00:00.000Z');
      assert.deepEqual(series.days.map((d) => d.date), ['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
      const byDate = Object.fromEntries(series.days.map((d) => [d.date, d]));
      assert.deepEqual(byDate['2026-03-10'], {
        date: '2026-03-10', requests: 4, errors: 2, input_tokens: 107, output_tokens: 29, cost_micro: 3_750_001,
        by_model: { 'gpt-4o': 1_500_000, 'claude-sonnet-4-5': 2_250_001 },
      });
      assert.deepEqual(byDate['2026-03-09'], { date: '2026-03-09', requests: 1, errors: 0, input_tokens: 10, output_tokens: 3, cost_micro: 11, by_model: { 'gpt-4o': 11 } });
      assert.deepEqual(byDate['2026-03-08'], { date: '2026-03-08', requests: 1, errors: 0, input_tokens: 10, output_tokens: 3, cost_micro: 7, by_model: { 'gpt-4o': 7 } });
      assert.equal(byDate['2026-03-07']?.errors, 1, 'an interrupted call is an error');
      assert.deepEqual(byDate['2026-03-05'], { date: '2026-03-05', requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_micro: 0, by_model: {} });
    });

    it("the series' cost equals the sum of the settled calls' costs in the window, and the 90-day window reaches further", async () => {
      const window = usageWindow(NOW, 7);
      const expected = rows
        .filter((r) => r.user_id === 'usr_a' && r.created_at >= window.from && r.created_at < window.to && r.error !== 'in_flight')
        .reduce((sum, r) => sum + (r.cost_micro ?? 0), 0);
      const series = await history.usage('usr_a', 7);
      assert.equal(series.days.reduce((sum, d) => sum + d.cost_micro, 0), expected);
      const long = await history.usage('usr_a', 90);
      assert.equal(long.days.length, 90);
      assert.equal(long.days.reduce((sum, d) => sum + d.cost_micro, 0), expected + 1_000_000_000);
      assert.equal((await history.usage('usr_nobody', 30)).days.every((d) => d.requests === 0 && d.cost_micro === 0), true);
    });

    it('one query serves the series: the same rows give the same answer from the pure shaper', async () => {
      const window = usageWindow(NOW, 30);
      const direct = usageSeries(await store.requests.dailyUsage('usr_a', window.from, window.to), window);
      assert.deepEqual(direct, await history.usage('usr_a', 30));
    });
  });
}
