import { apiCall, newSignedInUser, type Answer } from './dashboard.js';
import type { TestGateway } from './gateway.js';

export type { Answer } from './dashboard.js';

export interface CabinetUser {
  userId: string;
  email: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export interface Cabinet {
  /** A new user with a dashboard session on the real server, credited with `credit` rubles (default 1000). */
  newUser(credit?: string): Promise<CabinetUser>;
  /** A request with no session. */
  anonymous(method: string, path: string, body?: unknown): Promise<Answer>;
}

/** The cabinet as the web app calls it: signed in through `/api/auth/login`, cookie and CSRF token on every call. */
export function cabinetOf(gw: TestGateway): Cabinet {
  return {
    async newUser(credit = '1000') {
      const session = await newSignedInUser(gw, credit);
      return { userId: session.userId, email: session.email, call: (method, path, body, headers) => session.call(method, path, body, headers) };
    },
    anonymous: (method, path, body) => apiCall(gw, undefined, method, path, body),
  };
}
