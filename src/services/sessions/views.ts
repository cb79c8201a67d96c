import type { SessionRow, UserRow } from '../../store/index.js';

export type Role = 'admin' | 'user';

/** Who a session belongs to (the HTTP layer's `SessionAccount` has this shape). */
export interface SignedInAccount {
  userId: string;
  email: string;
  role: Role;
  /** The session row's id, never the cookie's secret. */
  sessionId: string;
}

/** The signed-in account as the dashboard shows it (`GET /api/session`, login, sign-up). */
export interface AccountView {
  id: string;
  email: string;
  role: Role;
  created_at: string;
}

/** A user as the admin's access actions (block, unblock, role) answer. */
export interface AccessView extends AccountView {
  status: 'active' | 'blocked';
}

/** One of the account's live sessions (`GET /api/auth/sessions`); never its secret or hash. */
export interface SessionView {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** The session this request came with. */
  current: boolean;
}

export const roleOf = (role: string): Role => (role === 'admin' ? 'admin' : 'user');

export function accountView(row: Pick<UserRow, 'id' | 'email' | 'role' | 'created_at'>): AccountView {
  return { id: row.id, email: row.email, role: roleOf(row.role), created_at: new Date(row.created_at).toISOString() };
}

export function accessView(row: UserRow): AccessView {
  return { ...accountView(row), status: row.status === 'blocked' ? 'blocked' : 'active' };
}

export function sessionView(row: SessionRow, currentId: string | undefined): SessionView {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    last_seen_at: new Date(row.last_seen_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    ip: row.ip,
    user_agent: row.user_agent,
    current: row.id === currentId,
  };
}
