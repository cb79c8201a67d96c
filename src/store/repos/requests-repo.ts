import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { RequestsTable } from '../schema.js';
import { IN_FLIGHT, IN_FLIGHT_STATUS, requestValues } from '../request-columns.js';

const DAY_MS = 86_400_000;

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
  /** ok: answered 2xx/3xx; error: answered ≥ 400, or never answered (interrupted); calls in flight are neither. */
  outcome?: 'ok' | 'error';
}

/** One UTC day's calls of one model; `day` counts days since 1970-01-01. */
export interface DayModelUsage {
  day: number;
  model: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costMicro: number;
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

  /**
   * Newest first; `beforeId` pages backwards. Ordered by (created_at, id), so the (user_id, created_at) and
   * (key_id, created_at) indexes serve both the scope and the order; an id's leading characters are its
   * created_at, so the cursor's time bounds the index range and its id breaks ties.
   */
  async list(filter: RequestFilter, limit: number): Promise<RequestRow[]> {
    let query = this.db.kysely.selectFrom('requests').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
    if (filter.beforeId !== undefined) {
      const cursor = await this.db.kysely.selectFrom('requests').select('created_at').where('id', '=', filter.beforeId).executeTakeFirst();
      if (cursor) query = query.where('created_at', '<=', cursor.created_at);
      query = query.where('id', '<', filter.beforeId);
    }
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    if (filter.model !== undefined) query = query.where('model', '=', filter.model);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.outcome === 'ok') query = query.where('status', '>=', 200).where('status', '<', 400);
    if (filter.outcome === 'error') {
      query = query
        .where((eb) => eb.or([eb('status', '>=', 400), eb('status', '<', 100)]))
        .where(sql<boolean>`coalesce(error, '') <> ${IN_FLIGHT}`);
    }
    return query.execute();
  }

  async findById(id: string): Promise<RequestRow | undefined> {
    return this.db.kysely.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * A user's calls in [from, to) per UTC day and model, in one query over the (user_id, created_at) index,
   * the same SQL on SQLite and PostgreSQL (epoch-ms integers divide to whole days alike). Calls in flight
   * are left out (their cost is an estimate until they settle); interrupted ones count as errors.
   */
  async dailyUsage(userId: string, from: number, to: number): Promise<DayModelUsage[]> {
    const day = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
    const rows = await this.db.kysely
      .selectFrom('requests')
      .select((eb) => [
        day.as('day'),
        'model',
        eb.fn.countAll().as('calls'),
        eb.fn.sum(sql<number>`case when status >= 400 or status < 100 then 1 else 0 end`).as('errors'),
        eb.fn.coalesce(eb.fn.sum('input_tokens'), eb.lit(0)).as('input_tokens'),
        eb.fn.coalesce(eb.fn.sum('output_tokens'), eb.lit(0)).as('output_tokens'),
        eb.fn.coalesce(eb.fn.sum('cost_micro'), eb.lit(0)).as('cost'),
      ])
      .where('user_id', '=', userId)
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .where(sql<boolean>`coalesce(error, '') <> ${IN_FLIGHT}`)
      .groupBy([day, 'model'])
      .orderBy(day)
      .orderBy('model')
      .execute();
    // Sums arrive as string, number or bigint depending on the driver; far below 2^53, so Number() is exact.
    return rows.map((r) => ({
      day: Number(r.day),
      model: r.model,
      requests: Number(r.calls),
      errors: Number(r.errors),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      costMicro: Number(r.cost),
    }));
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
