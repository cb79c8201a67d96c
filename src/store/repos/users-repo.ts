import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.js';

export type UserRow = Selectable<UsersTable>;
export type UserRole = 'admin' | 'user';
export type UserStatus = 'active' | 'blocked';

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string | null;
  now: number;
  role?: UserRole;
}

/** A page of users, newest first: `q` a case-insensitive substring of the email, `before` the last id seen. */
export interface UserSearch {
  q?: string | undefined;
  limit: number;
  before?: string | undefined;
}

/** `%`, `_` and the escape itself, matched literally in a LIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: NewUser): Promise<UserRow> {
    const row: UserRow = {
      id: user.id,
      email: user.email,
      password_hash: user.passwordHash,
      status: 'active',
      role: user.role ?? 'user',
      balance_micro: 0,
      held_micro: 0,
      created_at: user.now,
      updated_at: user.now,
      rpm_limit: null,
      tpm_limit: null,
      concurrency_limit: null,
    };
    await this.db.insertInto('users').values(row).execute();
    return row;
  }

  async findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async list(limit: number, afterId?: string): Promise<UserRow[]> {
    let query = this.db.selectFrom('users').selectAll().orderBy('id').limit(limit);
    if (afterId) query = query.where('id', '>', afterId);
    return query.execute();
  }

  /** Users newest first, optionally those whose (lower-case) email contains `q`. */
  async search(search: UserSearch): Promise<UserRow[]> {
    let query = this.db.selectFrom('users').selectAll().orderBy('id', 'desc').limit(search.limit);
    if (search.before) query = query.where('id', '<', search.before);
    const q = search.q?.trim().toLowerCase();
    if (q) query = query.where(sql<boolean>`email like ${`%${likeLiteral(q)}%`} escape '\\'`);
    return query.execute();
  }

  /** The updated row, or undefined when there is no such user. */
  async setRole(id: string, role: UserRole, now: number): Promise<UserRow | undefined> {
    return this.update(id, { role }, now);
  }

  async setStatus(id: string, status: UserStatus, now: number): Promise<UserRow | undefined> {
    return this.update(id, { status }, now);
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<UserRow | undefined> {
    return this.update(id, { password_hash: passwordHash }, now);
  }

  /** Throws a unique violation (errors.ts `isUniqueViolation`) when another user has the email. */
  async setEmail(id: string, email: string, now: number): Promise<UserRow | undefined> {
    return this.update(id, { email }, now);
  }

  /** The account's own fair-use limits (null: none of its own). */
  async setLimits(id: string, limits: Partial<Pick<UserRow, 'rpm_limit' | 'tpm_limit' | 'concurrency_limit'>>, now: number): Promise<UserRow | undefined> {
    return this.update(id, limits, now);
  }

  private async update(id: string, patch: Partial<Pick<UserRow, 'role' | 'status' | 'password_hash' | 'email' | 'rpm_limit' | 'tpm_limit' | 'concurrency_limit'>>, now: number): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set({ ...patch, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }
}
