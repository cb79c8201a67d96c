import { systemClock } from '../lib/clock.js';
import type { AccountsService, CreditView } from '../services/accounts/accounts-service.js';
import { UserAdmin } from '../services/accounts/user-admin.js';
import type { KeyView } from '../services/accounts/views.js';
import { AuditLog, CLI_ACTOR } from '../services/audit/audit-log.js';
import type { ChangeOrigin } from '../services/catalog/audited-changes.js';
import type { Store } from '../store/index.js';

/** The CLI's changes of money, prices and access go to the audit log with `cli` as their actor. */
export const CLI_ORIGIN: Readonly<ChangeOrigin> = Object.freeze({ actor: CLI_ACTOR });

export function cliAudit(store: Store): AuditLog {
  return new AuditLog(store, systemClock);
}

/** `tollgate credit`: credits or debits, and audits it (a rerun with the same Idempotency-Key moves nothing and is not audited again). */
export async function creditAudited(store: Store, accounts: AccountsService, userId: string, input: { amount: string; note: string | undefined }, idempotencyKey: string | undefined): Promise<CreditView> {
  const { credit, replayed } = await new UserAdmin(store, accounts).credit(userId, input, idempotencyKey);
  if (!replayed) {
    await cliAudit(store).record({
      ...CLI_ORIGIN,
      action: input.amount.trim().startsWith('-') ? 'user.debit' : 'user.credit',
      target: userId,
      details: { amount: input.amount, note: input.note ?? null, entry_id: credit.entry_id, balance_after_micro: credit.balance_micro, idempotency_key: idempotencyKey ?? null },
    });
  }
  return credit;
}

/** `tollgate keys revoke | pause | resume`: audited as `key.revoke` or `key.update` with the new status. */
export async function keyStatusAudited(store: Store, key: KeyView, action: 'key.revoke' | 'key.update'): Promise<KeyView> {
  await cliAudit(store).record({ ...CLI_ORIGIN, action, target: key.id, details: { user_id: key.user_id, status: key.status } });
  return key;
}
