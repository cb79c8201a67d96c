import type { TestGateway } from './gateway.js';

export interface Answer {
  status: number;
  body: any;
  /** The answer as sent, for asserting what never appears in it. */
  text: string;
}

/** A signed-in dashboard session on the real server: its cookie and CSRF token go with every call. */
export interface DashboardSession {
  userId: string;
  email: string;
  cookie: string;
  csrf: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export const PASSWORD = 'correct-horse-battery-9';
let accounts = 0;

/** Calls `/api/*` as a browser on the gateway's own page would: same Origin, the session cookie, the CSRF token. */
export async function apiCall(gw: TestGateway, session: { cookie: string; csrf: string } | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(gw.url + path, {
    method,
    headers: {
      origin: gw.url,
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

/** Signs in with email and password through `/api/auth/login`, then reads the session's CSRF token. */
export async function signIn(gw: TestGateway, email: string, password = PASSWORD): Promise<DashboardSession> {
  const res = await fetch(`${gw.url}/api/auth/login`, {
    method: 'POST',
    headers: { origin: gw.url, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';', 1)[0]!).find((c) => c.startsWith('tg_session='));
  if (!cookie) throw new Error('login set no session cookie');
  const body = (await res.json()) as { account: { id: string } };
  const session = await apiCall(gw, { cookie, csrf: '' }, 'GET', '/api/session');
  const csrf = session.body.csrf_token as string;
  const signedIn = { cookie, csrf };
  return { userId: body.account.id, email, ...signedIn, call: (method, path, payload, headers) => apiCall(gw, signedIn, method, path, payload, headers) };
}

/** A new user with a password (through the admin token's `/admin/users`), credited `credit` rubles, signed in. */
export async function newSignedInUser(gw: TestGateway, credit = '1000'): Promise<DashboardSession> {
  const email = `dash${++accounts}-${process.pid}-${Date.now()}@example.com`;
  const user = await gw.admin('POST', '/admin/users', { email, password: PASSWORD });
  if (user.status !== 201) throw new Error(`create user failed: ${JSON.stringify(user.body)}`);
  if (credit !== '0') await gw.admin('POST', `/admin/users/${user.body.id}/credit`, { amount: credit });
  return signIn(gw, email);
}

/** A new admin (as `tollgate admin create` makes one), signed in. */
export async function newSignedInAdmin(gw: TestGateway): Promise<DashboardSession> {
  const email = `admin${++accounts}-${process.pid}-${Date.now()}@example.com`;
  await gw.app.services.sessions.ensureAdmin(email, PASSWORD);
  return signIn(gw, email);
}
