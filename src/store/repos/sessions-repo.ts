import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from '../schema.js';

export type SessionRow = Selectable<SessionsTable>;

/** A live session with what the dashboard needs of its user. */
export interface SessionWithUser extends SessionRow {
  email: string;
  role: string;
  user_status: string;
}

/**
 * Dashboard sessions (migration 0009). A session is live while `revoked_at` is null and `expires_at` is
 * ahead; every read checks both, so a revocation written by any node ends it everywhere.
 */
export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The live session whose secret hashes to `tokenHash`, with its user's email, role and status. */
  async findLive(tokenHash: string, now: number): Promise<SessionWithUser | undefined> {
    return this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select(['users.email as email', 'users.role as role', 'users.status as user_status'])
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', now)
      .executeTakeFirst();
  }

  /** Records a use and slides the expiry; a session revoked meanwhile stays revoked. */
  async touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** A user's live sessions, most recently used first. */
  async listLive(userId: string, now: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('last_seen_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** Revokes one of `userId`'s sessions; whether a live one was revoked (another user's id revokes nothing). */
  async revoke(userId: string, id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Revokes every live session of the user but `exceptId` (when given); how many. */
  async revokeAll(userId: string, now: number, exceptId?: string): Promise<number> {
    let query = this.db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Deletes sessions that ended (expired or revoked) before `before`. */
  async prune(before: number): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
      .execute();
  }
}
