import { GatewayError, badRequest, notFound, unauthorized } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { isUniqueViolation, type Store, type UserRow } from '../../store/index.js';
import { hashPassword, verifyPassword } from '../accounts/passwords.js';
import * as v from '../accounts/validate.js';
import type { LoginThrottle } from './login-throttle.js';
import { looksLikeSecret, newSecret, sha256 } from './secrets.js';
import { accessView, accountView, roleOf, sessionView, type AccessView, type AccountView, type Role, type SessionView, type SignedInAccount } from './views.js';

export interface SessionOptions {
  signup: 'open' | 'closed';
  /** Credited to each self-signed-up user, as one ledger row; 0 credits nothing. */
  welcomeCreditMicro: number;
  /** Sliding: a session unused this long ends. */
  sessionTtlMs: number;
}

/** Where a request came from: `ip` as seen (kept on the session row), `address` as failures are counted (an IPv6 /64). */
export interface ClientInfo {
  ip: string;
  address: string;
  userAgent: string | undefined;
}

/** A new session: the account and the cookie's secret (shown to this response only; the row keeps its sha256). */
export interface OpenedSession {
  account: AccountView;
  token: string;
  /** What this session's CSRF tokens derive from; never sent to the client. */
  csrfSecret: string;
  expiresAt: number;
}

/** A live session behind a cookie. */
export interface ValidSession {
  account: SignedInAccount;
  /** What this session's CSRF tokens derive from; never sent to the client. */
  csrfSecret: string;
  expiresAt: number;
  /** This use slid the expiry: the cookie's lifetime should be renewed too. */
  renewed: boolean;
}

/** A use moves `last_seen_at` (and the sliding expiry) at most this often: one write a minute, not one a request. */
const TOUCH_EVERY_MS = 60_000;
const WRONG_CREDENTIALS = 'Wrong email or password.';
const USER_AGENT_MAX = 300;

/**
 * The dashboard's accounts and sessions: sign-up, sign-in (throttled, constant work for unknown emails),
 * server-side sessions (a row per session, so a logout, a password change or a block ends it on every
 * node), password and email changes, and the admin's access actions (block, role).
 */
export class SessionService {
  /** A hash to verify against when the email is unknown, so both failures cost the same scrypt. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
    private readonly options: Readonly<SessionOptions>,
    /** Called when a user is blocked, so their keys' cached principals are dropped at once. */
    private readonly onUserBlocked: (userId: string) => void,
  ) {
    this.dummyHash = hashPassword(newSecret());
  }

  /** A session's life from its last use (SESSION_TTL_HOURS). */
  get ttlMs(): number {
    return this.options.sessionTtlMs;
  }

  get signupOpen(): boolean {
    return this.options.signup === 'open';
  }

  async signup(input: { email: unknown; password: unknown }, client: ClientInfo): Promise<OpenedSession> {
    if (!this.signupOpen) throw new GatewayError('TG_ERR_FORBIDDEN', 'Sign-up is closed on this gateway: ask its operator for an account.');
    const email = v.email(input.email);
    const passwordHash = await hashPassword(requiredPassword(input.password, 'password'));
    const now = this.clock.now();
    let user: UserRow;
    try {
      user = await this.store.users.insert({ id: newId('usr', now), email, passwordHash, now });
    } catch (err) {
      if (isUniqueViolation(err)) throw new GatewayError('TG_ERR_CONFLICT', 'An account with this email already exists: sign in instead.', 'email');
      throw err;
    }
    if (this.options.welcomeCreditMicro > 0) {
      const move = { userId: user.id, amountMicro: this.options.welcomeCreditMicro, kind: 'credit' as const, note: 'Welcome credit', now };
      await this.store.ledger.move({ ...move, idempotencyKey: 'welcome-credit' });
    }
    return this.open(user, client);
  }

  /** 401 with one message for an unknown email and a wrong password; 429 while throttled; 403 for a blocked account. */
  async login(input: { email: unknown; password: unknown }, client: ClientInfo): Promise<OpenedSession> {
    const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
    const password = typeof input.password === 'string' ? input.password : '';
    await this.throttle.check(email, client.address);
    const user = email === '' ? undefined : await this.store.users.findByEmail(email);
    const matches = await verifyPassword(password, user?.password_hash ?? (await this.dummyHash));
    if (!user || user.password_hash === null || !matches) {
      await this.throttle.fail(email, client.address);
      throw unauthorized(WRONG_CREDENTIALS);
    }
    await this.throttle.succeed(email);
    if (user.status !== 'active') throw new GatewayError('TG_ERR_FORBIDDEN', 'This account is blocked: contact the operator.');
    return this.open(user, client);
  }

  /** The live session behind a cookie's secret, or undefined (unknown, expired, revoked, or its user blocked). */
  async validate(token: string | undefined): Promise<ValidSession | undefined> {
    if (token === undefined || !looksLikeSecret(token)) return undefined;
    const now = this.clock.now();
    const row = await this.store.sessions.findLive(sha256(token), now);
    if (!row || row.user_status !== 'active') return undefined;
    const renewed = now - row.last_seen_at >= TOUCH_EVERY_MS;
    const expiresAt = renewed ? now + this.options.sessionTtlMs : row.expires_at;
    if (renewed) await this.store.sessions.touch(row.id, now, expiresAt);
    return {
      account: { userId: row.user_id, email: row.email, role: roleOf(row.role), sessionId: row.id },
      csrfSecret: row.csrf_secret,
      expiresAt,
      renewed,
    };
  }

  /** The signed-in account's view (`GET /api/session`). */
  async account(account: SignedInAccount): Promise<AccountView> {
    const row = await this.store.users.findById(account.userId);
    if (!row) throw notFound('This account no longer exists.');
    return accountView(row);
  }

  async logout(account: SignedInAccount): Promise<void> {
    await this.store.sessions.revoke(account.userId, account.sessionId, this.clock.now());
  }

  async listSessions(account: SignedInAccount): Promise<SessionView[]> {
    const rows = await this.store.sessions.listLive(account.userId, this.clock.now());
    return rows.map((row) => sessionView(row, account.sessionId));
  }

  /** Ends one of the account's own sessions; any other id is a 404. */
  async revokeSession(account: SignedInAccount, sessionId: string): Promise<void> {
    if (!(await this.store.sessions.revoke(account.userId, sessionId, this.clock.now()))) throw notFound(`Session ${sessionId} not found.`);
  }

  async revokeOtherSessions(account: SignedInAccount): Promise<number> {
    return this.store.sessions.revokeAll(account.userId, this.clock.now(), account.sessionId);
  }

  /** Ends every session of the user, on every node (their next request has none). */
  async revokeAllSessions(userId: string): Promise<number> {
    return this.store.sessions.revokeAll(userId, this.clock.now());
  }

  /** Needs the current password; ends every other session and voids outstanding reset links. */
  async changePassword(account: SignedInAccount, input: { current_password: unknown; new_password: unknown }, client: ClientInfo): Promise<void> {
    const next = requiredPassword(input.new_password, 'new_password');
    await this.verifyOwnPassword(account, input.current_password, 'current_password', client);
    const now = this.clock.now();
    await this.store.users.setPassword(account.userId, await hashPassword(next), now);
    await this.store.sessions.revokeAll(account.userId, now, account.sessionId);
    await this.store.passwordResets.voidAll(account.userId, now);
  }

  /** Needs the password; 409 when another account has the email. */
  async changeEmail(account: SignedInAccount, input: { password: unknown; email: unknown }, client: ClientInfo): Promise<AccountView> {
    const email = v.email(input.email);
    await this.verifyOwnPassword(account, input.password, 'password', client);
    try {
      const row = await this.store.users.setEmail(account.userId, email, this.clock.now());
      if (!row) throw notFound('This account no longer exists.');
      return accountView(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new GatewayError('TG_ERR_CONFLICT', 'Another account has this email.', 'email');
      throw err;
    }
  }

  /** Blocks the user: their sessions end and their keys are refused at once (on other nodes within the key cache's second). */
  async block(userId: string): Promise<AccessView> {
    const row = await this.store.users.setStatus(userId, 'blocked', this.clock.now());
    if (!row) throw notFound(`User ${userId} not found.`);
    await this.revokeAllSessions(userId);
    this.onUserBlocked(userId);
    return accessView(row);
  }

  async unblock(userId: string): Promise<AccessView> {
    const row = await this.store.users.setStatus(userId, 'active', this.clock.now());
    if (!row) throw notFound(`User ${userId} not found.`);
    this.onUserBlocked(userId); // a cached refusal must not outlive the unblock either
    return accessView(row);
  }

  async setRole(userId: string, role: unknown): Promise<AccessView> {
    if (role !== 'admin' && role !== 'user') throw badRequest("'role' must be \"admin\" or \"user\".", 'role');
    const row = await this.store.users.setRole(userId, role, this.clock.now());
    if (!row) throw notFound(`User ${userId} not found.`);
    return accessView(row);
  }

  /**
   * `tollgate admin create`: makes the user with this email an admin, creating it when there is none
   * (with `password`, or a generated one returned once). An existing user keeps their password unless one is given.
   */
  async ensureAdmin(emailInput: string, passwordInput?: string): Promise<{ user: AccessView; created: boolean; generatedPassword?: string }> {
    const email = v.email(emailInput);
    const given = passwordInput === undefined ? undefined : requiredPassword(passwordInput, 'password');
    const now = this.clock.now();
    const existing = await this.store.users.findByEmail(email);
    if (existing) {
      if (given !== undefined) await this.store.users.setPassword(existing.id, await hashPassword(given), now);
      const row = await this.store.users.setRole(existing.id, 'admin', now);
      return { user: accessView(row ?? existing), created: false };
    }
    const password = given ?? newSecret().slice(0, 20);
    const row = await this.store.users.insert({ id: newId('usr', now), email, passwordHash: await hashPassword(password), now, role: 'admin' });
    return { user: accessView(row), created: true, ...(given === undefined ? { generatedPassword: password } : {}) };
  }

  /** Deletes sessions and reset links that ended more than a day ago, and quiet throttle counts. */
  async prune(): Promise<void> {
    const dayAgo = this.clock.now() - 24 * 3_600_000;
    await this.store.sessions.prune(dayAgo);
    await this.store.passwordResets.prune(dayAgo);
    await this.throttle.prune();
  }

  private async open(user: UserRow, client: ClientInfo): Promise<OpenedSession> {
    const now = this.clock.now();
    const token = newSecret();
    const csrfSecret = newSecret();
    const expiresAt = now + this.options.sessionTtlMs;
    await this.store.sessions.insert({
      id: newId('ses', now),
      token_hash: sha256(token),
      user_id: user.id,
      csrf_secret: csrfSecret,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      revoked_at: null,
    });
    return { account: accountView(user), token, csrfSecret, expiresAt };
  }

  /** A password check by a signed-in account (changing password or email): throttled like a login. */
  private async verifyOwnPassword(account: SignedInAccount, password: unknown, field: string, client: ClientInfo): Promise<void> {
    await this.throttle.check(account.email, client.address);
    const user = await this.store.users.findById(account.userId);
    const ok = typeof password === 'string' && user?.password_hash != null && (await verifyPassword(password, user.password_hash));
    if (!ok) {
      await this.throttle.fail(account.email, client.address);
      throw new GatewayError('TG_ERR_FORBIDDEN', 'The password is wrong.', field);
    }
  }
}

function requiredPassword(value: unknown, field: string): string {
  const password = v.optionalPassword(value, field);
  if (password === undefined) throw badRequest(`'${field}' is required: 8 to 200 characters.`, field);
  return password;
}

export type { Role };
