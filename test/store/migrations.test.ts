import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrateToLatest, openDb, type Db } from '../../src/store/index.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../helpers/databases.js';

const TABLES = ['api_keys', 'audit_log', 'ledger_entries', 'login_failures', 'model_overrides', 'password_resets', 'requests', 'sessions', 'settings', 'users'];

async function withDatabases(databases: TestDatabase[], body: (dbs: Db[]) => Promise<void>): Promise<void> {
  const dbs = await Promise.all(databases.map((d) => openDb(d.url, undefined)));
  try {
    await body(dbs);
  } finally {
    for (const db of dbs) await db.close();
    for (const d of databases) await d.drop();
  }
}

async function userTables(db: Db): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables();
  return tables.map((t) => t.name).filter((name) => TABLES.includes(name)).sort();
}

describe('migrations', () => {
  it('sqlite: migrate creates every table once; again is a no-op', async () => {
    await withDatabases([sqliteDatabase()], async ([db]) => {
      assert.deepEqual(await migrateToLatest(db!), Object.keys(MIGRATIONS));
      assert.deepEqual(await migrateToLatest(db!), []);
      assert.deepEqual(await userTables(db!), TABLES);
    });
  });

  // Kysely looks for its bookkeeping tables in every schema unless told which one: tollgate's own schema
  // must migrate even when another schema of the same database already was.
  it(
    'postgres: a fresh schema migrates while another schema of the same database is already migrated',
    async () => {
      await withDatabases([await postgresDatabase(), await postgresDatabase()], async ([first, second]) => {
        assert.deepEqual(await migrateToLatest(first!), Object.keys(MIGRATIONS));
        assert.deepEqual(await migrateToLatest(second!), Object.keys(MIGRATIONS));
        const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(second!.kysely)).rows[0]?.schema;
        const own = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(second!.kysely);
        for (const table of TABLES) assert.ok(own.rows.some((r) => r.name === table), `${table} in ${schema}`);
        assert.deepEqual(await migrateToLatest(second!), []);
      });
    },
  );
});
