import type { Migration } from 'kysely';
import * as m0001 from './0001_create_core_tables.js';
import * as m0002 from './0002_create_model_overrides.js';
import * as m0003 from './0003_add_request_usage.js';
import * as m0004 from './0004_add_holds.js';
import * as m0005 from './0005_record_admissions.js';
import * as m0006 from './0006_add_credit_idempotency_keys.js';
import * as m0007 from './0007_name_refusing_limit.js';
import * as m0008 from './0008_create_responses.js';
import * as m0009 from './0009_dashboard.js';
import * as m0010 from './0010_payments.js';
import * as m0011 from './0011_rate_limits.js';

/** Every migration, in order; names are stable forever once released. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_create_core_tables': m0001,
  '0002_create_model_overrides': m0002,
  '0003_add_request_usage': m0003,
  '0004_add_holds': m0004,
  '0005_record_admissions': m0005,
  '0006_add_credit_idempotency_keys': m0006,
  '0007_name_refusing_limit': m0007,
  '0008_create_responses': m0008,
  '0009_dashboard': m0009,
  '0010_payments': m0010,
  '0011_rate_limits': m0011,
};
