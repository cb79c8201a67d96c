import { sql, type Kysely } from 'kysely';

/**
 * Admin credits and debits sent with an `Idempotency-Key`: the key is kept on the ledger row the move
 * wrote, unique per user, so a retried top-up (from any node) finds the first one instead of crediting
 * twice. Partial: charges, the bulk of the ledger, carry no key and stay out of the index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ledger_entries').addColumn('idempotency_key', 'text').execute();
  await db.schema
    .createIndex('ledger_entries_user_idempotency_key')
    .unique()
    .on('ledger_entries')
    .columns(['user_id', 'idempotency_key'])
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('ledger_entries_user_idempotency_key').execute();
  await db.schema.alterTable('ledger_entries').dropColumn('idempotency_key').execute();
}
