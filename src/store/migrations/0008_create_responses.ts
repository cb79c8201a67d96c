import type { Kysely } from 'kysely';

/**
 * The response store of `/v1/responses` on bridged providers (services/unified/responses-store.ts): one row
 * per stored response, owned by the key that made it; `data` is the response with its input items (JSON).
 * Rows past `expires_at` are never read and are pruned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('responses_key_created').on('responses').columns(['key_id', 'created_at']).execute();
  await db.schema.createIndex('responses_expires_at').on('responses').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('responses').execute();
}
