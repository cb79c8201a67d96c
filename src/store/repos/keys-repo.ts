import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ApiKeysTable, Database } from '../schema.js';
import type { SqliteWriter } from '../sqlite-writer.js';

export type KeyRow = Selectable<ApiKeysTable>;
export type KeyPatch = Pick<
  Updateable<ApiKeysTable>,
  | 'name'
  | 'allow_balance'
  | 'budget_limit_micro'
  | 'models'
  | 'monthly_limit_micro'
  | 'expires_at'
  | 'status'
  | 'revoked_at'
  | 'rpm_limit'
  | 'tpm_limit'
  | 'concurrency_limit'
>;

/** A key with the owning account's status, as authentication needs it. */
export interface KeyWithOwner extends KeyRow {
  user_status: string;
  /** The account's own fair-use limits, for all its keys together. */
  user_rpm_limit: number | null;
  user_tpm_limit: number | null;
  user_concurrency_limit: number | null;
}

export class KeysRepo {
  /** `writer`: SQLite's batch writer, which records key use off the event loop. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly writer?: SqliteWriter,
  ) {}

  async insert(row: KeyRow): Promise<void> {
    await this.db.insertInto('api_keys').values(row).execute();
  }

  async findById(id: string): Promise<KeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByHash(hash: string): Promise<KeyWithOwner | undefined> {
    return this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .selectAll('api_keys')
      .select(['users.status as user_status', 'users.rpm_limit as user_rpm_limit', 'users.tpm_limit as user_tpm_limit', 'users.concurrency_limit as user_concurrency_limit'])
      .where('api_keys.key_hash', '=', hash)
      .executeTakeFirst();
  }

  async listByUser(userId: string): Promise<KeyRow[]> {
    return this.db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  }

  /** Changes a key; a patch that pauses or resumes it changes nothing once it is revoked (even by a concurrent revoke). */
  async update(id: string, patch: KeyPatch): Promise<KeyRow | undefined> {
    if (Object.keys(patch).length > 0) {
      let query = this.db.updateTable('api_keys').set(patch).where('id', '=', id);
      if (patch.status !== undefined && patch.status !== 'revoked') query = query.where('status', '<>', 'revoked');
      await query.execute();
    }
    return this.findById(id);
  }

  /** Records the latest use of many keys in one statement per key, in one transaction. */
  async touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    if (lastUsed.size === 0) return;
    if (this.writer) {
      await this.writer.run({ kind: 'touch', keys: [...lastUsed] });
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      for (const [id, at] of lastUsed) {
        await trx.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
      }
    });
  }
}
