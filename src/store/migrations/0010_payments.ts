import { sql, type Kysely } from 'kysely';

/**
 * Top-ups (issue #13): payment orders, every provider notification as received, refunds, and promo codes
 * with their redemptions. The money itself moves only through ledger rows; what makes each move happen
 * once is a unique key here: one order per (provider, payment id), one refund per (provider, refund id),
 * one redemption per (code, user), and the ledger's (user_id, idempotency_key) index under them all.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createPaymentTables(db);
  await createPromoTables(db);
}

async function createPaymentTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('payment_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('amount_micro', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text')
    .addColumn('confirmation_url', 'text')
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('refunded_micro', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('receipt_email', 'text')
    .addColumn('ledger_entry_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('settled_at', 'bigint')
    .execute();
  await db.schema.createIndex('payment_orders_payment').unique().on('payment_orders').columns(['provider', 'payment_id']).where(sql.ref('payment_id'), 'is not', null).execute();
  await db.schema.createIndex('payment_orders_user').on('payment_orders').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('payment_orders_status').on('payment_orders').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('payment_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('source_ip', 'text')
    .addColumn('event', 'text')
    .addColumn('object_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('processed_at', 'bigint')
    .execute();
  await db.schema.createIndex('payment_events_object').on('payment_events').columns(['object_id', 'received_at']).execute();

  await db.schema
    .createTable('payment_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('payment_orders.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text')
    .addColumn('amount_micro', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_refunds_refund').unique().on('payment_refunds').columns(['provider', 'refund_id']).where(sql.ref('refund_id'), 'is not', null).execute();
  await db.schema.createIndex('payment_refunds_order').on('payment_refunds').columns(['order_id']).execute();
}

async function createPromoTables(db: Kysely<unknown>): Promise<void> {

  await db.schema
    .createTable('promo_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('amount_micro', 'bigint', (c) => c.notNull())
    .addColumn('max_uses', 'integer', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('new_users_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint')
    .addColumn('disabled_at', 'bigint')
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('promo_redemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code_id', 'text', (c) => c.notNull().references('promo_codes.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('amount_micro', 'bigint', (c) => c.notNull())
    .addColumn('ledger_entry_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('promo_redemptions_once').unique().on('promo_redemptions').columns(['code_id', 'user_id']).execute();
  await db.schema.createIndex('promo_redemptions_user').on('promo_redemptions').columns(['user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['promo_redemptions', 'promo_codes', 'payment_refunds', 'payment_events', 'payment_orders']) {
    await db.schema.dropTable(table).execute();
  }
}
