import type { Kysely } from 'kysely';

/**
 * Fair use (issue #14): requests per minute, tokens per minute and calls in flight, per key and per account
 * (for all its keys together). Null is "no limit of its own": the operator's default applies, if any.
 */
const COLUMNS = ['rpm_limit', 'tpm_limit', 'concurrency_limit'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_keys', 'users']) {
    for (const column of COLUMNS) await db.schema.alterTable(table).addColumn(column, 'integer').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_keys', 'users']) {
    for (const column of COLUMNS) await db.schema.alterTable(table).dropColumn(column).execute();
  }
}
