import { badRequest } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/log.js';
import type { Store } from '../../store/index.js';
import { hashPassword } from '../accounts/passwords.js';
import * as v from '../accounts/validate.js';
import type { LoginThrottle } from './login-throttle.js';
import type { ResetMailer } from './reset-mailer.js';
import { looksLikeSecret, newSecret, sha256 } from './secrets.js';

export const RESET_TTL_MS = 3_600_000;
/** Reset mails per email address within an hour: the form cannot be used to flood someone's inbox. */
const MAILS_PER_HOUR = 3;

export interface ResetLink {
  url: string;
  expires_at: string;
}

/**
 * One-time password reset links: issued by the admin (console or CLI) or mailed by the forgot-password
 * form when SMTP is configured. The token is 32 random bytes; the row keeps its sha256. A link works
 * once, for an hour; using it ends every session of the user and voids the user's other links.
 */
export class PasswordResetService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly throttle: LoginThrottle,
    /** The gateway as customers reach it (PUBLIC_URL); else each caller's own origin. */
    private readonly publicUrl: string | undefined,
    private readonly mailer: ResetMailer | undefined,
  ) {}

  /** The origin (`https://host[:port]`) of PUBLIC_URL, when set: the dashboard's own pages may post from it. */
  get publicOrigin(): string | undefined {
    return this.publicUrl === undefined ? undefined : new URL(this.publicUrl).origin;
  }

  /** Whether the forgot-password form can mail a link (SMTP_URL is set). */
  get mails(): boolean {
    return this.mailer !== undefined;
  }

  /**
   * A new link for the user; `origin` (e.g. `http://127.0.0.1:8080`) is used when PUBLIC_URL is unset.
   * `createdBy` says who asked: `self`, `cli`, `admin:<user id>`, `admin-token`.
   */
  async issue(userId: string, createdBy: string, origin: string): Promise<ResetLink> {
    const token = newSecret();
    const now = this.clock.now();
    const expiresAt = now + RESET_TTL_MS;
    await this.store.passwordResets.insert({ token_hash: sha256(token), user_id: userId, created_at: now, expires_at: expiresAt, used_at: null, created_by: createdBy });
    return { url: `${this.publicUrl ?? origin.replace(/\/+$/, '')}/reset?token=${token}`, expires_at: new Date(expiresAt).toISOString() };
  }

  /**
   * The forgot-password form: mails a link on PUBLIC_URL when SMTP is set and the email is an active account's. The
   * caller answers 202 whatever happened, and the mail is sent in the background, so neither the answer
   * nor its timing tells whether the email has an account.
   */
  async request(emailInput: unknown): Promise<void> {
    // Config requires PUBLIC_URL with SMTP_URL: a mailed link never takes its host from the request.
    if (!this.mailer || this.publicUrl === undefined || typeof emailInput !== 'string') return;
    const email = emailInput.trim().toLowerCase();
    const user = await this.store.users.findByEmail(email);
    if (!user || user.status !== 'active') return;
    const now = this.clock.now();
    const sent = await this.store.loginFailures.fail(`reset:${email}`, now, now - RESET_TTL_MS);
    if (sent.failures > MAILS_PER_HOUR) return;
    const link = await this.issue(user.id, 'self', this.publicUrl);
    const mailer = this.mailer;
    void mailer.sendResetLink(user.email, link.url, new Date(link.expires_at)).catch((err: unknown) => {
      this.log.warn({ err: { message: (err as Error).message }, user: user.id }, 'mailing a password reset link failed');
    });
  }

  /** Sets the new password if the token is unused and unexpired; ends every session of the user. */
  async confirm(input: { token: unknown; password: unknown }): Promise<void> {
    const password = v.optionalPassword(input.password);
    if (password === undefined) throw badRequest("'password' is required: 8 to 200 characters.", 'password');
    const token = typeof input.token === 'string' ? input.token : '';
    const invalid = () => badRequest('This reset link is invalid, used or expired: ask for a new one.', 'token');
    if (!looksLikeSecret(token)) throw invalid();
    const passwordHash = await hashPassword(password);
    const now = this.clock.now();
    const userId = await this.store.passwordResets.consume(sha256(token), now);
    if (userId === undefined) throw invalid();
    await this.store.users.setPassword(userId, passwordHash, now);
    await this.store.passwordResets.voidAll(userId, now);
    await this.store.sessions.revokeAll(userId, now);
    const user = await this.store.users.findById(userId);
    if (user) await this.throttle.succeed(user.email); // the owner proved themselves: their account's lock ends
  }
}
