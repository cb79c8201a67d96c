import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, migrateToLatest, openDb, type Store, type StoredResponseRow } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

// The response store's rows on both engines (SQLite through its writer thread, PostgreSQL for real).

const DAY = 86_400_000;
const NOW = 1_767_225_600_000;
const caps = { maxCount: 100, maxBytes: 1_000_000 };

function row(id: string, keyId: string, createdAt: number, data = `{"id":"${id}"}`): StoredResponseRow {
  return { id, key_id: keyId, user_id: `usr_${keyId}`, model: 'anthropic/claude', created_at: createdAt, expires_at: createdAt + 30 * DAY, size_bytes: data.length, data };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`responses store: ${kind}`, () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = kind === 'postgres' ? await postgresDatabase() : sqliteDatabase();
      const db = await openDb(database.url, undefined);
      await migrateToLatest(db);
      store = createStore(db);
      if (kind === 'sqlite') assert.ok(db.writer, 'a SQLite file is written by its writer thread');
    });
    after(async () => {
      await store?.db.close();
      await database?.drop();
    });

    it('finds a response only by the key that stored it', async () => {
      await store.responses.save(row('resp_a1', 'key_a', NOW), caps);
      const found = await store.responses.find('key_a', 'resp_a1', NOW);
      assert.equal(found?.data, '{"id":"resp_a1"}');
      assert.equal(Number(found?.created_at), NOW);
      assert.equal(await store.responses.find('key_b', 'resp_a1', NOW), undefined, "another key's response is not found");
      assert.equal(await store.responses.delete('key_b', 'resp_a1', NOW), false, "another key cannot delete it");
      assert.ok(await store.responses.find('key_a', 'resp_a1', NOW));
    });

    it('saving the same id again keeps the first row', async () => {
      await store.responses.save(row('resp_a1', 'key_a', NOW, '{"id":"resp_a1","again":true}'), caps);
      assert.equal((await store.responses.find('key_a', 'resp_a1', NOW))?.data, '{"id":"resp_a1"}');
    });

    it('an expired response is not found, and pruning deletes it', async () => {
      await store.responses.save(row('resp_old', 'key_a', NOW - 31 * DAY), caps);
      assert.equal(await store.responses.find('key_a', 'resp_old', NOW), undefined);
      assert.ok(await store.responses.find('key_a', 'resp_old', NOW - 30 * DAY));
      await store.responses.prune(NOW);
      assert.equal(await store.responses.find('key_a', 'resp_old', NOW - 30 * DAY), undefined, 'pruned');
      assert.ok(await store.responses.find('key_a', 'resp_a1', NOW), 'a live response is kept');
    });

    it('keeps each key within its count and byte caps, dropping the oldest', async () => {
      for (let i = 0; i < 5; i++) await store.responses.save(row(`resp_c${i}`, 'key_c', NOW + i), { maxCount: 3, maxBytes: 1_000_000 });
      const live = async (prefix: string, n: number) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) if (await store.responses.find('key_c', `${prefix}${i}`, NOW)) out.push(`${prefix}${i}`);
        return out;
      };
      assert.deepEqual(await live('resp_c', 5), ['resp_c2', 'resp_c3', 'resp_c4']);
      const size = row('resp_c5', 'key_c', NOW + 5).size_bytes;
      await store.responses.save(row('resp_c5', 'key_c', NOW + 5), { maxCount: 100, maxBytes: size * 2 });
      assert.deepEqual(await live('resp_c', 6), ['resp_c4', 'resp_c5'], 'the newest that fit in the byte cap');
      assert.ok(await store.responses.find('key_a', 'resp_a1', NOW), "other keys' responses are untouched");
    });

    it('deletes a response of its own key once', async () => {
      assert.equal(await store.responses.delete('key_a', 'resp_a1', NOW), true);
      assert.equal(await store.responses.delete('key_a', 'resp_a1', NOW), false);
      assert.equal(await store.responses.find('key_a', 'resp_a1', NOW), undefined);
    });
  });
}
