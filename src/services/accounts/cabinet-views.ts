import type { KeyRow } from '../../store/index.js';
import { monthOf } from '../billing/month.js';

export type AccountKeyStatus = 'active' | 'paused' | 'revoked' | 'expired';

/** A key as its owner sees it in the cabinet: money in micro-rubles, times ISO 8601, never its hash. */
export interface AccountKeyView {
  id: string;
  name: string | null;
  prefix: string;
  status: AccountKeyStatus;
  allow_balance: boolean;
  budget_limit_micro: number | null;
  budget_used_micro: number;
  monthly_limit_micro: number | null;
  monthly_used_micro: number;
  models: string[] | null;
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
  spend_micro: number;
  rpm_limit: number | null;
  tpm_limit: number | null;
  concurrency_limit: number | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * `expired` is derived: an active key whose expiry has passed (the authenticator refuses it). Its spend is
 * `budget_used_micro`, which every charge through the key raises in the transaction that writes the
 * charge's ledger row (billing-sqlite-writes.ts, pg-billing-functions.ts), budget or not: the ledger's
 * sum for the key without scanning it.
 */
export function accountKeyView(row: KeyRow, now: number): AccountKeyView {
  const expired = row.status === 'active' && row.expires_at !== null && row.expires_at <= now;
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    status: expired ? 'expired' : statusOf(row.status),
    allow_balance: row.allow_balance === 1,
    budget_limit_micro: row.budget_limit_micro,
    budget_used_micro: row.budget_used_micro,
    monthly_limit_micro: row.monthly_limit_micro,
    monthly_used_micro: row.monthly_period === monthOf(now) ? row.monthly_used_micro : 0,
    models: row.models === null ? null : (JSON.parse(row.models) as string[]),
    expires_at: iso(row.expires_at),
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: iso(row.last_used_at),
    spend_micro: row.budget_used_micro,
    rpm_limit: row.rpm_limit,
    tpm_limit: row.tpm_limit,
    concurrency_limit: row.concurrency_limit,
  };
}

function statusOf(status: string): AccountKeyStatus {
  // Anything else is refused by the authenticator as revoked, so it is shown as such.
  return status === 'active' || status === 'paused' ? status : 'revoked';
}
