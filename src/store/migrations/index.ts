import type { Migration } from 'kysely';
import * as m0001 from './0001_create_core_tables.js';

/** Every migration, in order; names are stable forever once released. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_create_core_tables': m0001,
};
