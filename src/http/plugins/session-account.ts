import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';

/** Who is signed in to the dashboard: set on every `/api/*` request by plugins/sessions.ts (null when nobody is). */
export interface SessionAccount {
  userId: string;
  email: string;
  role: 'admin' | 'user';
  /** The server-side session row's id (not the cookie's secret). */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    account: SessionAccount | null;
  }
}

/** The signed-in account, or a 401 for a request without a live session. */
export function requireAccount(request: FastifyRequest): SessionAccount {
  const account = request.account;
  if (!account) throw new GatewayError('TG_ERR_UNAUTHORIZED', 'Sign in first: this needs a dashboard session.');
  return account;
}

/** The signed-in admin, or 401 (no session) / 403 (a user without the admin role). */
export function requireAdmin(request: FastifyRequest): SessionAccount {
  const account = requireAccount(request);
  if (account.role !== 'admin') throw new GatewayError('TG_ERR_FORBIDDEN', 'This needs the admin role.');
  return account;
}
