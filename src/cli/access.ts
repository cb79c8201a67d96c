import type { Config } from '../config/index.js';
import { GatewayError } from '../core/errors.js';
import { systemClock } from '../lib/clock.js';
import { createLogger } from '../observability/log.js';
import { AuditLog, CLI_ACTOR } from '../services/audit/audit-log.js';
import { LoginThrottle } from '../services/sessions/login-throttle.js';
import { PasswordResetService } from '../services/sessions/password-resets.js';
import { SessionService } from '../services/sessions/session-service.js';
import type { Store } from '../store/index.js';
import { required } from './args.js';

/** The commands of this module, as `command sub`. */
export const ACCESS_COMMANDS = new Set(['admin create', 'users reset-link', 'users block', 'users unblock']);

export const ACCESS_USAGE = `  tollgate admin create --email E [--password P]    make E an admin (created when missing; without --password
                                                   a new user's password is generated and printed once)
  tollgate users reset-link --user ID|EMAIL        print a one-time password reset link (valid 1 h)
  tollgate users block|unblock --user ID|EMAIL     a blocked user's sessions end and keys are refused at once`;

interface AccessValues {
  email?: string | undefined;
  password?: string | undefined;
  user?: string | undefined;
}

/**
 * `admin create`, `users reset-link`, `users block|unblock`: the dashboard's access, from the shell. Each is
 * written to the audit log with `cli` as its actor. A running server's key cache forgets a blocked user's
 * keys within KEY_CACHE_MS (≤ 1 s); their sessions end with the next request.
 */
export async function accessCommand(action: string, values: AccessValues, store: Store, config: Readonly<Config>, out: (value: unknown) => void): Promise<number> {
  const sessions = new SessionService(store, systemClock, new LoginThrottle(store, systemClock), config.dashboard, () => undefined);
  const audit = new AuditLog(store, systemClock);
  if (action === 'admin create') {
    const result = await sessions.ensureAdmin(required(values.email, '--email'), values.password);
    await audit.record({ actor: CLI_ACTOR, action: result.created ? 'admin.create' : 'user.role', target: result.user.id, details: { email: result.user.email, role: 'admin' } });
    out({ ...result.user, created: result.created, ...(result.generatedPassword ? { password: result.generatedPassword } : {}) });
    if (result.generatedPassword) process.stderr.write('tollgate: the password above is shown this once; sign in and change it under Profile.\n');
    return 0;
  }
  const userId = await userIdOf(store, required(values.user, '--user'));
  if (action === 'users reset-link') {
    const resets = new PasswordResetService(store, systemClock, createLogger('silent'), new LoginThrottle(store, systemClock), config.dashboard.publicUrl, undefined);
    const link = await resets.issue(userId, 'cli', `http://127.0.0.1:${config.port}`);
    await audit.record({ actor: CLI_ACTOR, action: 'user.reset_link', target: userId, details: { expires_at: link.expires_at } });
    process.stdout.write(`${link.url}\n`);
    process.stderr.write(`tollgate: the link works once, until ${link.expires_at}.\n`);
    return 0;
  }
  const blocked = action === 'users block';
  const user = blocked ? await sessions.block(userId) : await sessions.unblock(userId);
  await audit.record({ actor: CLI_ACTOR, action: blocked ? 'user.block' : 'user.unblock', target: userId, details: { email: user.email } });
  out(user);
  return 0;
}

async function userIdOf(store: Store, idOrEmail: string): Promise<string> {
  const row = idOrEmail.includes('@') ? await store.users.findByEmail(idOrEmail.trim().toLowerCase()) : await store.users.findById(idOrEmail);
  if (!row) throw new GatewayError('TG_ERR_NOT_FOUND', `No user ${idOrEmail}.`);
  return row.id;
}

