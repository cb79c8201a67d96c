import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { PG_BILLING_FUNCTIONS } from './pg-billing-functions.js';

/**
 * A refused admission names the key's limit that refused (its budget or its monthly limit), so the 402
 * can say which. Only PostgreSQL's `tollgate_reserve` body changes (same signature, `create or replace`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const statement of PG_BILLING_FUNCTIONS) await sql.raw(statement).execute(db);
  }
}

/** The earlier body answered `key_limit` for both limits; the new one is a superset the old code never sees. */
export async function down(): Promise<void> {}
