import { badRequest } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/index.js';

const DAY_MS = 86_400_000;
const TOP = 10;
export const OVERVIEW_DAYS = [7, 30, 90] as const;

export interface OverviewDay {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  requests: number;
  errors: number;
  cost_micro: number;
  users_active: number;
}

export interface Overview {
  /** The first day's start and the end of today (exclusive), ISO 8601. */
  from: string;
  to: string;
  days: OverviewDay[];
  top_users: Array<{ id: string; email: string; cost_micro: number; requests: number }>;
  /** `model` is `provider/model` (the name as unified calls give it); null for calls refused before a model was known. */
  top_models: Array<{ model: string | null; cost_micro: number; requests: number }>;
}

/**
 * Requests, spend, errors and active users per UTC day across all users, and who and what spent most: the
 * admin console's overview. Every day of the period is present (zeros included); today is the last.
 */
export class OverviewService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async overview(days: number): Promise<Overview> {
    if (!(OVERVIEW_DAYS as readonly number[]).includes(days)) throw badRequest(`'days' must be one of ${OVERVIEW_DAYS.join(', ')}.`, 'days');
    await this.store.billing.flush(); // charges settled a moment ago count
    const today = Math.floor(this.clock.now() / DAY_MS);
    const first = today - days + 1;
    const from = first * DAY_MS;
    const to = (today + 1) * DAY_MS;
    const [totals, users, models] = await Promise.all([
      this.store.stats.days(from, to),
      this.store.stats.topUsers(from, to, TOP),
      this.store.stats.topModels(from, to, TOP),
    ]);
    const byDay = new Map(totals.map((t) => [t.day, t]));
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      days: Array.from({ length: days }, (_, i) => {
        const t = byDay.get(first + i);
        return {
          date: new Date((first + i) * DAY_MS).toISOString().slice(0, 10),
          requests: t?.requests ?? 0,
          errors: t?.errors ?? 0,
          cost_micro: t?.costMicro ?? 0,
          users_active: t?.usersActive ?? 0,
        };
      }),
      top_users: users.map((u) => ({ id: u.userId, email: u.email, cost_micro: u.costMicro, requests: u.requests })),
      top_models: models.map((m) => ({ model: m.model === null ? null : m.provider ? `${m.provider}/${m.model}` : m.model, cost_micro: m.costMicro, requests: m.requests })),
    };
  }
}
