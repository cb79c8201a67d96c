import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Driver } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';
import { PgChangeFeed } from './pg-change-feed.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { tuneConnection } from './sqlite-connection.js';
import { InThreadWriter, type SqliteWriter } from './sqlite-writer.js';
import { WorkerWriter } from './sqlite-writer-thread.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  kind: StoreKind;
  /** The embedded connection (main thread), for the hot reads that use prepared statements directly. */
  sqlite?: SQLite.Database;
  /** SQLite: where the batch writes run (a worker thread with its own connection; in memory, this thread). */
  writer?: SqliteWriter;
  /** The SQLite file (absent in memory): the charge journal lives beside it. */
  file?: string;
  /** PostgreSQL: the nodes' change feed (LISTEN/NOTIFY); absent on SQLite, where one process owns the file. */
  changes?: PgChangeFeed;
  close(): Promise<void>;
}

const PG_INT8 = 20;

/** Opens the store named by a `sqlite:<path>` or `postgres://…` URL. */
export async function openDb(databaseUrl: string, sqliteFile: string | undefined): Promise<Db> {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(sqliteFile ?? databaseUrl.slice('sqlite:'.length));
  return openPostgres(databaseUrl);
}

function openSqlite(file: string): Db {
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  tuneConnection(database, !inMemory);
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
  if (inMemory) {
    const writer = new InThreadWriter(database);
    return { kysely, kind: 'sqlite', sqlite: database, writer, close: () => writer.close().then(() => kysely.destroy()) };
  }
  // Batch writes (writer) and checkpoints (which fsync the file) run on worker threads, never on the event loop.
  const writer = new WorkerWriter(file);
  const checkpointer = startCheckpointer(file, createRequire(import.meta.url).resolve('better-sqlite3'));
  const close = async () => {
    await writer.close();
    await checkpointer.close();
    await kysely.destroy();
  };
  return { kysely, kind: 'sqlite', sqlite: database, writer, file, close };
}

/**
 * Kysely's SQLite transactions, begun IMMEDIATE: with the writer thread's connection on the same file, a
 * deferred transaction that reads before it writes fails at once with SQLITE_BUSY_SNAPSHOT when the
 * writer committed in between; an immediate one takes the write lock first (waiting up to busy_timeout).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
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
  const changes = new PgChangeFeed(pg.Client, { connectionString: url, connectionTimeoutMillis: 5_000 }, pool);
  return {
    kysely,
    kind: 'postgres',
    changes,
    close: async () => {
      await changes.close();
      await kysely.destroy();
    },
  };
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
