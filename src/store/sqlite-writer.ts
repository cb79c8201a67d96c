import type SQLite from 'better-sqlite3';
import { prepareWriteJobs, type WriteJob } from './write-jobs.js';

/**
 * Runs the SQLite store's batch writes (write-jobs.ts): for a database file on a worker thread with its
 * own connection (sqlite-writer-thread.ts), so better-sqlite3's synchronous commits never block the event
 * loop; for an in-memory database, which no other connection can open, on the calling thread. Callers
 * see one interface either way: a job's promise settles once its transaction committed or was refused.
 */
export interface SqliteWriter {
  /** Resolves once the job's transaction committed; rejects with the store's error (its `code` kept, e.g. SQLITE_FULL). */
  run(job: WriteJob): Promise<void>;
  /** Waits for every job sent so far, then lets go of the writer's connection; later jobs are refused. */
  close(): Promise<void>;
}

/** The writer of an in-memory database: the same transactions, run on the main thread's connection. */
export class InThreadWriter implements SqliteWriter {
  /** Prepared with the first job: the database is opened before it is migrated. */
  private runJob: ((job: WriteJob) => void) | undefined;
  private closed = false;

  constructor(private readonly db: SQLite.Database) {}

  run(job: WriteJob): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the SQLite writer is closed'));
    try {
      this.runJob ??= prepareWriteJobs(this.db);
      this.runJob(job);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
