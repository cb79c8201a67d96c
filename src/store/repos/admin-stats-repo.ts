import { sql, type Kysely } from 'kysely';
import { idFloor } from '../../lib/ids.js';
import { IN_FLIGHT } from '../request-columns.js';
import type { Database } from '../schema.js';

const DAY_MS = 86_400_000;
const ID_MARGIN_MS = 60_000;

/** One UTC day's calls across every user; `day` counts days since 1970-01-01. */
export interface DayTotals {
  day: number;
  requests: number;
  errors: number;
  costMicro: number;
  usersActive: number;
}

export interface UserTotals {
  userId: string;
  email: string;
  requests: number;
  costMicro: number;
}

export interface ModelTotals {
  provider: string | null;
  model: string | null;
  requests: number;
  costMicro: number;
}

export interface UserActivity {
  /** Keys not revoked. */
  keys: number;
  lastRequestAt: number | null;
}

/**
 * Aggregates over the whole history for the admin console. Written once for both stores: epoch-ms
 * integers divide to whole days the same way on SQLite and PostgreSQL, and sums arrive as string,
 * number or bigint depending on the driver (far below 2^53, so Number() is exact). Calls still in flight
 * are left out (their cost is an estimate until they settle); interrupted ones count as errors.
 */
export class AdminStatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async days(from: number, to: number): Promise<DayTotals[]> {
    const day = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
    const rows = await this.settled(from, to)
      .select((eb) => [
        day.as('day'),
        eb.fn.countAll().as('calls'),
        eb.fn.sum(sql<number>`case when status >= 400 or status < 100 then 1 else 0 end`).as('errors'),
        eb.fn.coalesce(eb.fn.sum('cost_micro'), eb.lit(0)).as('cost'),
        eb.fn.count('user_id').distinct().as('users'),
      ])
      .groupBy(day)
      .orderBy(day)
      .execute();
    return rows.map((r) => ({ day: Number(r.day), requests: Number(r.calls), errors: Number(r.errors), costMicro: Number(r.cost), usersActive: Number(r.users) }));
  }

  /** The users who spent most in the period (then those with most calls). */
  async topUsers(from: number, to: number, limit: number): Promise<UserTotals[]> {
    const rows = await this.settled(from, to)
      .innerJoin('users', 'users.id', 'requests.user_id')
      .select((eb) => [
        'requests.user_id as user_id',
        eb.fn.max('users.email').as('email'),
        eb.fn.countAll().as('calls'),
        eb.fn.coalesce(eb.fn.sum('requests.cost_micro'), eb.lit(0)).as('cost'),
      ])
      .groupBy('requests.user_id')
      .orderBy('cost', 'desc')
      .orderBy('calls', 'desc')
      .orderBy('requests.user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ userId: r.user_id!, email: String(r.email), requests: Number(r.calls), costMicro: Number(r.cost) }));
  }

  async topModels(from: number, to: number, limit: number): Promise<ModelTotals[]> {
    const rows = await this.settled(from, to)
      .select((eb) => ['provider', 'model', eb.fn.countAll().as('calls'), eb.fn.coalesce(eb.fn.sum('cost_micro'), eb.lit(0)).as('cost')])
      .groupBy(['provider', 'model'])
      .orderBy('cost', 'desc')
      .orderBy('calls', 'desc')
      .orderBy('provider')
      .orderBy('model')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ provider: r.provider, model: r.model, requests: Number(r.calls), costMicro: Number(r.cost) }));
  }

  /** Per user of a page: how many keys it holds and when it last called (over the (user_id, created_at) index). */
  async activity(userIds: readonly string[]): Promise<Map<string, UserActivity>> {
    const result = new Map<string, UserActivity>(userIds.map((id) => [id, { keys: 0, lastRequestAt: null }]));
    if (userIds.length === 0) return result;
    const [keys, last] = await Promise.all([
      this.db
        .selectFrom('api_keys')
        .select((eb) => ['user_id', eb.fn.countAll().as('keys')])
        .where('user_id', 'in', userIds)
        .where('status', '<>', 'revoked')
        .groupBy('user_id')
        .execute(),
      this.db
        .selectFrom('requests')
        .select((eb) => ['user_id', eb.fn.max('created_at').as('last')])
        .where('user_id', 'in', userIds)
        .groupBy('user_id')
        .execute(),
    ]);
    for (const row of keys) result.get(row.user_id)!.keys = Number(row.keys);
    for (const row of last) if (row.user_id !== null) result.get(row.user_id)!.lastRequestAt = row.last === null ? null : Number(row.last);
    return result;
  }

  /**
   * Rows of the period, read over the primary key: a request's id is minted from the moment it was
   * admitted, which is its `created_at` (a minute's margin either way; `created_at` then decides).
   */
  private settled(from: number, to: number) {
    return this.db
      .selectFrom('requests')
      .where('requests.id', '>=', idFloor('req', from - ID_MARGIN_MS))
      .where('requests.id', '<', idFloor('req', to + ID_MARGIN_MS))
      .where('requests.created_at', '>=', from)
      .where('requests.created_at', '<', to)
      .where(sql<boolean>`coalesce(requests.error, '') <> ${IN_FLIGHT}`);
  }
}
