import type SQLite from 'better-sqlite3';
import { prepareChargeWriter } from './repos/billing-sqlite-writes.js';
import { RESPONSE_CAP_SQL, RESPONSE_COLUMNS } from './response-columns.js';
import { REQUEST_COLUMNS } from './request-columns.js';
import { parseSettlementLine } from './settlement-line.js';

/**
 * What the SQLite writer runs, each in one transaction, in the order sent. Everything in a job is plain
 * text or numbers, cheap to hand to a worker thread; every job is idempotent (safe to run again after
 * the writer died without answering).
 */
export type WriteJob =
  /** Charges with their history rows, as settlement lines (settlement-line.ts); `probe` also writes a row proving the file takes writes. */
  | { kind: 'charges'; settlements: readonly string[]; probe?: number }
  /** History rows of calls that were not billed: a JSON array of value arrays in `REQUEST_COLUMNS` order; a row already written is kept. */
  | { kind: 'history'; rows: string }
  /** Each key's latest use, [key id, epoch ms]; never moves a key's last use back. */
  | { kind: 'touch'; keys: ReadonlyArray<readonly [string, number]> }
  /** A stored response (a JSON array in `RESPONSE_COLUMNS` order; a row of that id already there is kept), then its key trimmed to the caps. */
  | { kind: 'response'; row: string; maxCount: number; maxBytes: number }
  /** Stored responses past their expiry, deleted. */
  | { kind: 'prune-responses'; now: number };

/**
 * The one place the SQLite writer's transactions are defined, whichever thread runs them (the writer
 * worker for a database file, the main thread for an in-memory one). Each is IMMEDIATE: it takes the
 * write lock before reading, so a write by the other connection waits for it (busy_timeout) instead of
 * failing with SQLITE_BUSY_SNAPSHOT on a read snapshot gone stale.
 */
export function prepareWriteJobs(db: SQLite.Database): (job: WriteJob) => void {
  const charges = prepareChargeWriter(db);
  const insertRequest = db.prepare(`insert or ignore into requests (${REQUEST_COLUMNS.join(', ')}) values (${REQUEST_COLUMNS.map(() => '?').join(', ')})`);
  const history = db.transaction((rows: unknown[][]) => {
    for (const values of rows) insertRequest.run(values);
  });
  const touchKey = db.prepare<[number, string]>('update api_keys set last_used_at = max(coalesce(last_used_at, 0), ?) where id = ?');
  const touch = db.transaction((keys: ReadonlyArray<readonly [string, number]>) => {
    for (const [keyId, at] of keys) touchKey.run(at, keyId);
  });
  const response = prepareResponseJobs(db);
  return (job) => {
    switch (job.kind) {
      case 'charges':
        charges.immediate({ charges: job.settlements.map(parseSettlementLine), ...(job.probe !== undefined ? { probe: job.probe } : {}) });
        return;
      case 'history':
        history.immediate(JSON.parse(job.rows) as unknown[][]);
        return;
      case 'touch':
        touch.immediate(job.keys);
        return;
      case 'response':
        response.save.immediate(JSON.parse(job.row) as unknown[], job.maxCount, job.maxBytes);
        return;
      case 'prune-responses':
        response.prune.immediate(job.now);
        return;
    }
  };
}

function prepareResponseJobs(db: SQLite.Database) {
  const insert = db.prepare(`insert or ignore into responses (${RESPONSE_COLUMNS.join(', ')}) values (${RESPONSE_COLUMNS.map(() => '?').join(', ')})`);
  const cap = db.prepare(RESPONSE_CAP_SQL);
  const expired = db.prepare('delete from responses where expires_at <= ?');
  return {
    save: db.transaction((values: unknown[], maxCount: number, maxBytes: number) => {
      insert.run(values);
      cap.run(values[1], maxCount, maxBytes);
    }),
    prune: db.transaction((now: number) => void expired.run(now)),
  };
}
