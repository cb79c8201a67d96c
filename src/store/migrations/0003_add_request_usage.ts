import type { Kysely } from 'kysely';

const COLUMNS: Array<[name: string, type: 'integer' | 'bigint' | 'text']> = [
  ['input_tokens', 'integer'],
  ['cached_tokens', 'integer'],
  ['cache_write_tokens', 'integer'],
  ['output_tokens', 'integer'],
  ['reasoning_tokens', 'integer'],
  ['usage_source', 'text'],
  ['cost_micro', 'bigint'],
  ['cost_usd', 'text'],
  ['usd_rub_rate', 'text'],
  ['price_version', 'text'],
];

/** What each metered request used and cost: tokens as the provider reported them, the price applied. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, type] of COLUMNS) {
    await db.schema.alterTable('requests').addColumn(name, type).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of COLUMNS.reverse()) {
    await db.schema.alterTable('requests').dropColumn(name).execute();
  }
}
