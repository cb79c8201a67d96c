import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  kind: StoreKind;
  /** The embedded connection, for the few hot writes that use prepared statements directly. */
  sqlite?: SQLite.Database;
  /** The SQLite file (absent in memory): the charge journal lives beside it. */
  file?: string;
  close(): Promise<void>;
}

const PG_INT8 = 20;

/** Opens the store named by a `sqlite:<path>` or `postgres://…` URL. */
export async function openDb(databaseUrl: string, sqliteFile: string | undefined): Promise<Db> {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(sqliteFile ?? databaseUrl.slice('sqlite:'.length));
  return openPostgres(databaseUrl);
}

function openSqlite(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  if (file === ':memory:') return { kysely, kind: 'sqlite', sqlite: database, close: () => kysely.destroy() };
  // Checkpoints fsync the database file: they run on a worker thread, never on the event loop.
  database.pragma('wal_autocheckpoint = 0');
  database.pragma('journal_size_limit = 67108864'); // a reset log is cut back to 64 MiB
  const checkpointer = startCheckpointer(file, createRequire(import.meta.url).resolve('better-sqlite3'));
  const close = async () => {
    await checkpointer.close();
    await kysely.destroy();
  };
  return { kysely, kind: 'sqlite', sqlite: database, file, close };
}

async function openPostgres(url: string): Promise<Db> {
  // Loaded only for PostgreSQL deployments, so the SQLite default does not carry the driver in memory.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A database that cannot be reached answers paid calls with 503 within seconds, never hangs them.
    connectionTimeoutMillis: 5_000,
    query_timeout: 15_000,
    // bigint columns hold micro-rubles and epoch ms, all far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A dropped connection is surfaced by the query using it (a 503 for the caller); without these listeners
  // the same error would also reach the process as an uncaught exception, from idle and busy clients alike.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, kind: 'postgres', close: () => kysely.destroy() };
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // On PostgreSQL the bookkeeping tables live in the schema tollgate uses, not in any schema that has them.
  const schema = db.kind === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  // Kysely's lock does not hold across SQLite processes: a second process migrating the same new file at
  // the same moment fails on "already exists" and, once the first has committed, finds nothing left to do.
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (db.kind !== 'sqlite' || attempt >= 5) throw error instanceof Error ? error : new Error(String(error));
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
