import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { RequestsTable } from '../schema.js';
import { IN_FLIGHT, IN_FLIGHT_STATUS, requestValues } from '../request-columns.js';

export type RequestRow = Selectable<RequestsTable>;
export type NewRequestRow = Insertable<RequestsTable>;

const ROWS_PER_STATEMENT = 200;
const ROWS_PER_WRITER_JOB = 1000;

export interface RequestFilter {
  userId?: string;
  keyId?: string;
  beforeId?: string;
  from?: number;
  to?: number;
  model?: string;
  status?: number;
}

export class RequestsRepo {
  constructor(private readonly db: Db) {}

  /** Writes a batch of history rows in one transaction; ids make a retried batch harmless. */
  async insertMany(rows: readonly NewRequestRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.db.writer) {
      // On SQLite the writer thread inserts them with one prepared statement (write-jobs.ts); rows go as text,
      // a bounded number per transaction (a backlog after a failure can be large).
      for (let i = 0; i < rows.length; i += ROWS_PER_WRITER_JOB) {
        const values = rows.slice(i, i + ROWS_PER_WRITER_JOB).map((row) => requestValues(row));
        await this.db.writer.run({ kind: 'history', rows: JSON.stringify(values) });
      }
      return;
    }
    await this.db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('requests')
          .values(rows.slice(i, i + ROWS_PER_STATEMENT))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
    });
  }

  /** Newest first; `beforeId` pages backwards (ids sort by creation time). */
  async list(filter: RequestFilter, limit: number): Promise<RequestRow[]> {
    let query = this.db.kysely.selectFrom('requests').selectAll().orderBy('id', 'desc').limit(limit);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    if (filter.model !== undefined) query = query.where('model', '=', filter.model);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    return query.execute();
  }

  /** Requests admitted and never finished (status 0), oldest first: after a crash, the interrupted ones. */
  async inFlight(limit: number, ids?: readonly string[]): Promise<RequestRow[]> {
    if (ids && ids.length === 0) return [];
    let query = this.db.kysely
      .selectFrom('requests')
      .selectAll()
      .where('status', '=', IN_FLIGHT_STATUS)
      .where('error', '=', IN_FLIGHT)
      .orderBy('created_at')
      .limit(limit);
    if (ids) query = query.where('id', 'in', ids);
    return query.execute();
  }
}
