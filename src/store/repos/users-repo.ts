import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string | null;
  now: number;
}

export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: NewUser): Promise<UserRow> {
    const row: UserRow = {
      id: user.id,
      email: user.email,
      password_hash: user.passwordHash,
      status: 'active',
      balance_micro: 0,
      held_micro: 0,
      created_at: user.now,
      updated_at: user.now,
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
}
