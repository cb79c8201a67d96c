import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, RequestsTable } from '../schema.js';

export type RequestRow = Selectable<RequestsTable>;
export type NewRequestRow = Insertable<RequestsTable>;

const ROWS_PER_STATEMENT = 200;

export class RequestsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes a batch of history rows in one transaction; ids make a retried batch harmless. */
  async insertMany(rows: readonly NewRequestRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('requests')
          .values(rows.slice(i, i + ROWS_PER_STATEMENT))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
    });
  }

  async listByUser(userId: string, limit: number): Promise<RequestRow[]> {
    return this.db.selectFrom('requests').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
