import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { PG_BILLING_FUNCTIONS, PG_BILLING_FUNCTION_NAMES } from './pg-billing-functions.js';

/**
 * Admission and settlement: money held for requests in flight (per account and per key), the holds
 * themselves (one per request, so each can be released exactly once), and what a charge cost in USD.
 * On PostgreSQL the reserve/settle steps are SQL functions, so each is one round trip and one
 * transaction whatever the number of gateway nodes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('held_micro', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('api_keys').addColumn('held_micro', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('ledger_entries').addColumn('cost_usd', 'text').execute();
  await db.schema.alterTable('ledger_entries').addColumn('usd_rub_rate', 'text').execute();
  // USD in billionths, for exact spend totals without parsing decimals.
  await db.schema.alterTable('ledger_entries').addColumn('usd_nano', 'bigint').execute();
  await db.schema.createIndex('ledger_entries_key_created').on('ledger_entries').columns(['key_id', 'created_at']).execute();

  await db.schema
    .createTable('holds')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('amount_micro', 'bigint', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('holds_expires_at').on('holds').column('expires_at').execute();
  await db.schema.createIndex('holds_node_id').on('holds').column('node_id').execute();

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const statement of PG_BILLING_FUNCTIONS) await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const name of PG_BILLING_FUNCTION_NAMES) await sql.raw(`drop function if exists ${name}`).execute(db);
  }
  await db.schema.dropTable('holds').execute();
  await db.schema.dropIndex('ledger_entries_key_created').execute();
  for (const column of ['usd_nano', 'usd_rub_rate', 'cost_usd']) {
    await db.schema.alterTable('ledger_entries').dropColumn(column).execute();
  }
  await db.schema.alterTable('api_keys').dropColumn('held_micro').execute();
  await db.schema.alterTable('users').dropColumn('held_micro').execute();
}
