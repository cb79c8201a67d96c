import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { RequestsTable } from '../schema.js';

export type RequestRow = Selectable<RequestsTable>;
export type NewRequestRow = Insertable<RequestsTable>;

const ROWS_PER_STATEMENT = 200;
const COLUMNS = [
  'id', 'user_id', 'key_id', 'surface', 'provider', 'model', 'method', 'path',
  'status', 'latency_ms', 'error', 'upstream_request_id', 'stream', 'created_at',
  'input_tokens', 'cached_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens',
  'usage_source', 'cost_micro', 'cost_usd', 'usd_rub_rate', 'price_version',
] as const;

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
  private sqliteInsert: ((rows: readonly NewRequestRow[]) => void) | undefined;

  constructor(private readonly db: Db) {
    if (db.sqlite) {
      // History is the busiest write; on SQLite one prepared statement in one transaction costs
      // microseconds per row, where building a fresh multi-row statement each batch costs far more.
      const statement = db.sqlite.prepare(
        `insert or ignore into requests (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
      );
      this.sqliteInsert = db.sqlite.transaction((rows: readonly NewRequestRow[]) => {
        for (const row of rows) statement.run(positional(row));
      });
    }
  }

  /** Writes a batch of history rows in one transaction; ids make a retried batch harmless. */
  async insertMany(rows: readonly NewRequestRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.sqliteInsert) {
      this.sqliteInsert(rows);
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
}

/** The row's values in COLUMNS order. */
function positional(row: NewRequestRow): unknown[] {
  return [
    row.id,
    row.user_id ?? null,
    row.key_id ?? null,
    row.surface,
    row.provider ?? null,
    row.model ?? null,
    row.method,
    row.path,
    row.status,
    row.latency_ms,
    row.error ?? null,
    row.upstream_request_id ?? null,
    row.stream ?? 0,
    row.created_at,
    row.input_tokens ?? null,
    row.cached_tokens ?? null,
    row.cache_write_tokens ?? null,
    row.output_tokens ?? null,
    row.reasoning_tokens ?? null,
    row.usage_source ?? null,
    row.cost_micro ?? null,
    row.cost_usd ?? null,
    row.usd_rub_rate ?? null,
    row.price_version ?? null,
  ];
}
