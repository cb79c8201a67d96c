import type { Kysely, Selectable } from 'kysely';
import type { Database, PasswordResetsTable } from '../schema.js';

export type PasswordResetRow = Selectable<PasswordResetsTable>;

/** One-time password reset tokens (migration 0009); only their sha256 is stored. */
export class PasswordResetsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: PasswordResetRow): Promise<void> {
    await this.db.insertInto('password_resets').values(row).execute();
  }

  /**
   * Marks the token used, if it is unused and unexpired, in one statement (two nodes confirming the same
   * token: one wins); the user it resets, or undefined.
   */
  async consume(tokenHash: string, now: number): Promise<string | undefined> {
    const row = await this.db
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  /** Voids every unused token of the user (after a reset or a password change). */
  async voidAll(userId: string, now: number): Promise<void> {
    await this.db.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
  }

  /** Deletes tokens that expired before `before`. */
  async prune(before: number): Promise<void> {
    await this.db.deleteFrom('password_resets').where('expires_at', '<', before).execute();
  }
}
