/** True when a write failed on a UNIQUE constraint, on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** SQLite result codes (and their extended forms) that mean the file cannot be read or written right now. */
const SQLITE_UNAVAILABLE = /^SQLITE_(?:BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|PROTOCOL|NOTADB|CORRUPT)/;
/** Node socket errors of a database connection. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** File-system errors of the SQLite store's charge journal: a full disk, a read-only file, permissions. */
const FILE_ERRORS = new Set(['ENOSPC', 'EFBIG', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

/**
 * True when a store call failed because the database cannot be reached or written (PostgreSQL down or
 * refusing connections, a read-only or full SQLite file), as opposed to a bug or a bad request: the
 * caller should answer 503 and retry later, never 500.
 */
export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'TG_STORE_WRITE_FAILING' || code === 'TG_STORE_WRITER_DIED' || SQLITE_UNAVAILABLE.test(code) || SOCKET_ERRORS.has(code) || FILE_ERRORS.has(code)) return true;
  // PostgreSQL SQLSTATE: 08 connection exceptions, 53 insufficient resources, 57P01-03 shutting down, 25006 read-only.
  if (/^(?:08|53)/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '25006') return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(message);
}
