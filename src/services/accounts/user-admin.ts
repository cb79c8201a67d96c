import { notFound } from '../../core/errors.js';
import type { Store, UserActivity, UserRole, UserRow, UserStatus } from '../../store/index.js';
import type { AccountsService, CreditView } from './accounts-service.js';
import type { LimitPatch } from './fair-use-fields.js';

export interface AdminUserView {
  id: string;
  email: string;
  role: UserRole;
  status: UserStatus;
  balance_micro: number;
  created_at: string;
  /** Keys not revoked. */
  keys: number;
  last_request_at: string | null;
  /** The account's own fair-use limits (for all its keys together); null: none of its own. */
  rpm_limit: number | null;
  tpm_limit: number | null;
  concurrency_limit: number | null;
}

export interface AdminUserPageView {
  data: AdminUserView[];
  has_more: boolean;
  next_before: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The admin console's view of users: found by a part of their email, with their keys and last call; and
 * credits that tell a retried one apart. Blocks and roles are SessionService's (they end sessions).
 */
export class UserAdmin {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountsService,
  ) {}

  /**
   * AccountsService's credit (rubles in `amount`, validated there), telling a retry apart: `replayed` when
   * the Idempotency-Key had already moved the money, so the retry moved nothing (and is not audited twice).
   */
  async credit(userId: string, input: unknown, idempotencyKey: unknown): Promise<{ credit: CreditView; replayed: boolean }> {
    const prior = typeof idempotencyKey === 'string' && idempotencyKey !== '' ? await this.store.ledger.findByIdempotencyKey(userId, idempotencyKey) : undefined;
    const credit = await this.accounts.credit(userId, input, { idempotencyKey });
    return { credit, replayed: prior?.id === credit.entry_id };
  }

  async search(query: { q?: string | undefined; limit?: number | undefined; before?: string | undefined }): Promise<AdminUserPageView> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const rows = await this.store.users.search({ q: query.q, limit: limit + 1, before: query.before });
    const page = rows.slice(0, limit);
    const activity = await this.store.stats.activity(page.map((row) => row.id));
    const hasMore = rows.length > limit;
    return { data: page.map((row) => userView(row, activity.get(row.id))), has_more: hasMore, next_before: hasMore ? (page.at(-1)?.id ?? null) : null };
  }

  /** Sets the account's limits (AccountsService.setUserLimits validates them): the view before and after. */
  async setLimits(id: string, limits: LimitPatch): Promise<{ before: AdminUserView; after: AdminUserView }> {
    const before = await this.user(id);
    await this.accounts.setUserLimits(id, limits);
    return { before, after: await this.user(id) };
  }

  async user(id: string): Promise<AdminUserView> {
    const row = await this.requireUser(id);
    return userView(row, (await this.store.stats.activity([id])).get(id));
  }

  private async requireUser(id: string): Promise<UserRow> {
    const row = await this.store.users.findById(id);
    if (!row) throw notFound(`User ${id} not found.`);
    return row;
  }
}

function userView(row: UserRow, activity: UserActivity | undefined): AdminUserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role === 'admin' ? 'admin' : 'user',
    status: row.status === 'blocked' ? 'blocked' : 'active',
    balance_micro: row.balance_micro,
    created_at: new Date(row.created_at).toISOString(),
    keys: activity?.keys ?? 0,
    last_request_at: iso(activity?.lastRequestAt ?? null),
    rpm_limit: row.rpm_limit,
    tpm_limit: row.tpm_limit,
    concurrency_limit: row.concurrency_limit,
  };
}
