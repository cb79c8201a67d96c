import { GatewayError } from '../core/errors.js';
import type { AccountsService } from '../services/accounts/accounts-service.js';
import { LIMIT_FIELDS, type LimitPatch } from '../services/accounts/fair-use-fields.js';
import type { Store } from '../store/index.js';
import { CLI_ORIGIN, cliAudit } from './audited.js';
import { required } from './args.js';

/** The commands of this module, as `command sub`. */
export const LIMITS_COMMANDS = new Set(['keys limits', 'users limits']);

export const LIMITS_USAGE = `  tollgate keys limits --key KEY_ID [--rpm-limit N|none] [--tpm-limit N|none] [--concurrency-limit N|none]
                                                   (a key's own requests/tokens per minute and calls in flight)
  tollgate users limits --user ID|EMAIL [--rpm-limit N|none] [--tpm-limit N|none] [--concurrency-limit N|none]
                                                   (the account's, for all its keys together; none: no limit)`;

/** The limit flags as parseArgs names them. */
export const LIMIT_OPTIONS = {
  'rpm-limit': { type: 'string' },
  'tpm-limit': { type: 'string' },
  'concurrency-limit': { type: 'string' },
} as const;

type LimitValues = Partial<Record<keyof typeof LIMIT_OPTIONS, string | undefined>>;

interface LimitsCommandValues extends LimitValues {
  key?: string | undefined;
  user?: string | undefined;
}

/**
 * The limits the flags name: `N` a whole number ≥ 1, `none` for no limit of its own (null); absent flags stay
 * absent. AccountsService validates the numbers again, as for the admin API.
 */
export function limitFlags(values: LimitValues): LimitPatch {
  const patch: LimitPatch = {};
  for (const field of LIMIT_FIELDS) {
    const flag = `--${field.replace(/_/g, '-')}`;
    const raw = values[field.replace(/_/g, '-') as keyof LimitValues];
    if (raw === undefined) continue;
    const text = raw.trim().toLowerCase();
    if (text === 'none' || text === 'null') patch[field] = null;
    else if (/^\d+$/.test(text)) patch[field] = Number(text);
    else throw new GatewayError('TG_ERR_BAD_REQUEST', `${flag} takes a whole number ≥ 1, or none for no limit.`, field);
  }
  return patch;
}

/**
 * `keys limits`, `users limits`: set a key's or an account's fair-use limits, audited with `cli` as the actor
 * (`key.update` / `user.limits`, with the changes). A running server applies them within KEY_CACHE_MS.
 */
export async function limitsCommand(action: string, values: LimitsCommandValues, accounts: AccountsService, store: Store, out: (value: unknown) => void): Promise<number> {
  const changes = limitFlags(values);
  if (Object.keys(changes).length === 0) throw new GatewayError('TG_ERR_BAD_REQUEST', 'name at least one of --rpm-limit, --tpm-limit, --concurrency-limit.');
  if (action === 'keys limits') {
    const key = await accounts.updateKey(required(values.key, '--key'), changes);
    await cliAudit(store).record({ ...CLI_ORIGIN, action: 'key.update', target: key.id, details: { user_id: key.user_id, changes } });
    out(key);
    return 0;
  }
  const userId = await accounts.userId(required(values.user, '--user'));
  const user = await accounts.setUserLimits(userId, changes);
  await cliAudit(store).record({ ...CLI_ORIGIN, action: 'user.limits', target: user.id, details: { email: user.email, changes } });
  out(user);
  return 0;
}

