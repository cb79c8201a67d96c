import type { Kysely, Selectable } from 'kysely';
import type { Database, LoginFailuresTable } from '../schema.js';

export type LoginFailureRow = Selectable<LoginFailuresTable>;

/**
 * Failed logins per scope (`acct:<email>`, `ip:<address>`; migration 0009), in the database so every node
 * sees the same counts. Counting is one atomic upsert: concurrent failures on several nodes all count.
 */
export class LoginFailuresRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async find(scopeKeys: readonly string[]): Promise<LoginFailureRow[]> {
    if (scopeKeys.length === 0) return [];
    return this.db.selectFrom('login_failures').selectAll().where('scope_key', 'in', scopeKeys).execute();
  }

  /**
   * Counts one failure; a scope whose last failure is older than `forgetBefore` starts again from one.
   * Answers the scope's row after the count.
   */
  async fail(scopeKey: string, now: number, forgetBefore: number): Promise<LoginFailureRow> {
    return this.db
      .insertInto('login_failures')
      .values({ scope_key: scopeKey, failures: 1, locked_until: 0, updated_at: now })
      .onConflict((oc) =>
        oc.column('scope_key').doUpdateSet((eb) => ({
          failures: eb
            .case()
            .when('login_failures.updated_at', '<', forgetBefore)
            .then(1)
            .else(eb('login_failures.failures', '+', 1))
            .end(),
          updated_at: now,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Locks the scope until `until` (never shortening a longer lock). */
  async lock(scopeKey: string, until: number): Promise<void> {
    await this.db.updateTable('login_failures').set({ locked_until: until }).where('scope_key', '=', scopeKey).where('locked_until', '<', until).execute();
  }

  async clear(scopeKey: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('scope_key', '=', scopeKey).execute();
  }

  /** Forgets scopes quiet since `before` and not locked at `now`. */
  async prune(before: number, now: number): Promise<void> {
    await this.db.deleteFrom('login_failures').where('updated_at', '<', before).where('locked_until', '<=', now).execute();
  }
}
