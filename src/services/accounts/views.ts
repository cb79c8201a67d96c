import { microToRubles } from '../../core/money.js';
import type { KeyRow, UserRow } from '../../store/index.js';

export interface UserView {
  id: string;
  email: string;
  status: string;
  balance: number;
  created_at: string;
  /** The account's own fair-use limits for all its keys together; null: none of its own. */
  rpm_limit: number | null;
  tpm_limit: number | null;
  concurrency_limit: number | null;
}

export interface KeyView {
  id: string;
  user_id: string;
  name: string | null;
  prefix: string;
  status: string;
  allow_balance: boolean;
  budget_limit: number | null;
  budget_used: number;
  models: string[] | null;
  monthly_limit: number | null;
  monthly_used: number;
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
  /** The key's own fair-use limits; null: none of its own (the operator's default applies, if any). */
  rpm_limit: number | null;
  tpm_limit: number | null;
  concurrency_limit: number | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const rubOrNull = (micro: number | null): number | null => (micro === null ? null : microToRubles(micro));

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    status: row.status,
    balance: microToRubles(row.balance_micro),
    created_at: new Date(row.created_at).toISOString(),
    rpm_limit: row.rpm_limit,
    tpm_limit: row.tpm_limit,
    concurrency_limit: row.concurrency_limit,
  };
}

export function keyView(row: KeyRow): KeyView {
  return {
    id: row.id,
    user_id: row.user_id,
    name: row.name,
    prefix: row.prefix,
    status: row.status,
    allow_balance: row.allow_balance === 1,
    budget_limit: rubOrNull(row.budget_limit_micro),
    budget_used: microToRubles(row.budget_used_micro),
    models: row.models === null ? null : (JSON.parse(row.models) as string[]),
    monthly_limit: rubOrNull(row.monthly_limit_micro),
    monthly_used: microToRubles(row.monthly_used_micro),
    expires_at: iso(row.expires_at),
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: iso(row.last_used_at),
    rpm_limit: row.rpm_limit,
    tpm_limit: row.tpm_limit,
    concurrency_limit: row.concurrency_limit,
  };
}
