import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { PG_BILLING_FUNCTIONS, PG_SUPERSEDED_FUNCTIONS } from './pg-billing-functions.js';

/**
 * Nothing lost on a crash: a billed request is recorded when it is admitted (`status` 0 until it ends),
 * so one that a crash interrupts stays in history and is settled by the written rule; gateway nodes
 * hold leases, so any node can tell a dead node's holds from a live one's; usage a provider reported
 * beyond what the request allowed is kept aside (`reported_usage`) when it is capped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('requests').addColumn('reported_usage', 'text').execute();
  await db.schema.createIndex('requests_in_flight').on('requests').column('created_at').where(sql.ref('status'), '=', 0).execute();
  await db.schema
    .createTable('nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const signature of PG_SUPERSEDED_FUNCTIONS) await sql.raw(`drop function if exists ${signature}`).execute(db);
    for (const statement of PG_BILLING_FUNCTIONS) await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('nodes').execute();
  await db.schema.dropIndex('requests_in_flight').execute();
  await db.schema.alterTable('requests').dropColumn('reported_usage').execute();
}
