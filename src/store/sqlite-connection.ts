import type SQLite from 'better-sqlite3';

/**
 * The per-connection settings of every connection tollgate opens to its SQLite file: the main thread's
 * (reads, admin writes) and the writer thread's (batches). Both wait up to 5 s for the other's write lock
 * rather than fail with SQLITE_BUSY. On a file, checkpoints are the checkpointer thread's alone
 * (sqlite-checkpointer.ts): they fsync, and no connection that writes may run one on commit.
 */
export function tuneConnection(db: SQLite.Database, onFile: boolean): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!onFile) return;
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('journal_size_limit = 67108864'); // a reset log is cut back to 64 MiB
}
