import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  /** Directory for files the test may write (the SQLite file lives here). */
  dir: string;
  drop(): Promise<void>;
}

/** Where the tests find PostgreSQL: TEST_POSTGRES_URL or the local server's `test` database. */
export function postgresBaseUrl(): string {
  return process.env['TEST_POSTGRES_URL'] ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  return { kind: 'sqlite', url: `sqlite:${join(dir, 'tollgate.db')}`, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh schema in the shared test database, selected through the connection's search_path. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const base = postgresBaseUrl();
  const schema = `tg_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  return {
    kind: 'postgres',
    url: url.toString(),
    dir,
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function testDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  return kind === 'sqlite' ? sqliteDatabase() : postgresDatabase();
}
