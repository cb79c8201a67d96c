import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database } from '../schema.js';

export type AuditRow = Selectable<AuditLogTable>;

/** A page of the audit log, newest first; `before` is the last id seen. */
export interface AuditFilter {
  limit: number;
  before?: string | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  /** Exact match on what was acted on: a user id, a key id, `openai/gpt-4o`. */
  target?: string | undefined;
}

/** The audit log of admin actions (migration 0009): append-only. */
export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: AuditRow): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  async list(filter: AuditFilter): Promise<AuditRow[]> {
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.before) query = query.where('id', '<', filter.before);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.actor) query = query.where('actor', '=', filter.actor);
    if (filter.target) query = query.where('target', '=', filter.target);
    return query.execute();
  }
}
