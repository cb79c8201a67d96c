import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditRow, Store } from '../../store/index.js';

/** Who did it: a dashboard admin (their user id and email), the admin token, or the CLI. */
export interface AuditActor {
  userId: string | null;
  /** As shown in the log: the admin's email, `admin-token` or `cli`. */
  label: string;
}

export const ADMIN_TOKEN_ACTOR: Readonly<AuditActor> = Object.freeze({ userId: null, label: 'admin-token' });
export const CLI_ACTOR: Readonly<AuditActor> = Object.freeze({ userId: null, label: 'cli' });

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb, e.g. `user.credit`, `user.block`, `user.role`, `catalog.put`, `settings.put`. */
  action: string;
  /** What was acted on: a user id, a key id, `openai/gpt-4o`, … */
  target?: string | null;
  /** The particulars (amounts, old and new values); fields named like secrets are dropped. */
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface AuditView {
  id: string;
  created_at: string;
  actor: string;
  actor_user_id: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}

export interface AuditQuery {
  limit?: number | undefined;
  before?: string | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  /** What was acted on, exactly (a user id, a key id, `openai/gpt-4o`); a user's email means that user's id. */
  target?: string | undefined;
}

export interface AuditPage {
  data: AuditView[];
  has_more: boolean;
  /** Pass as `before` for the next page; null on the last one. */
  next_before: string | null;
}

/** Field names never written to the log, whatever a caller passes: passwords, tokens, hashes, secrets. */
const SECRET_FIELD = /password|secret|token|hash|api_?key$/i;

/** The audit log of admin actions: who changed which price, credited whom, blocked whom. Append-only. */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry): Promise<AuditView> {
    const now = this.clock.now();
    const details = entry.details ? withoutSecrets(entry.details) : null;
    const row: AuditRow = {
      id: newId('aud', now),
      actor_user_id: entry.actor.userId,
      actor: entry.actor.label,
      action: entry.action,
      target: entry.target ?? null,
      details: details ? JSON.stringify(details) : null,
      ip: entry.ip ?? null,
      created_at: now,
    };
    await this.store.audit.insert(row);
    return auditView(row);
  }

  /** Newest first; `limit` 1–200 (50 by default). */
  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50) || 50, 1), 200);
    const target = query.target ? await this.targetOf(query.target) : undefined;
    const rows = await this.store.audit.list({ limit: limit + 1, before: query.before, action: query.action, actor: query.actor, target });
    const page = rows.slice(0, limit).map(auditView);
    const hasMore = rows.length > limit;
    return { data: page, has_more: hasMore, next_before: hasMore ? (page.at(-1)?.id ?? null) : null };
  }

  /** Rows name users by id; an email is taken as its user's id. Anything else (or an unknown email) as given. */
  private async targetOf(target: string): Promise<string> {
    if (!target.includes('@')) return target;
    const user = await this.store.users.findByEmail(target.trim().toLowerCase());
    return user?.id ?? target;
  }
}

function withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(details)) {
    if (SECRET_FIELD.test(name)) continue;
    kept[name] = value !== null && typeof value === 'object' && !Array.isArray(value) ? withoutSecrets(value as Record<string, unknown>) : value;
  }
  return kept;
}

function auditView(row: AuditRow): AuditView {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    actor: row.actor,
    actor_user_id: row.actor_user_id,
    action: row.action,
    target: row.target,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    ip: row.ip,
  };
}
