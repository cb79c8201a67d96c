import type { Db } from './db.js';
import { AdminStatsRepo } from './repos/admin-stats-repo.js';
import { AuditRepo } from './repos/audit-repo.js';
import { PostgresBillingRepo } from './repos/billing-postgres.js';
import type { BillingRepo } from './repos/billing-repo.js';
import { SqliteBillingRepo } from './repos/billing-sqlite.js';
import { KeysRepo } from './repos/keys-repo.js';
import { LedgerRepo } from './repos/ledger-repo.js';
import { LoginFailuresRepo } from './repos/login-failures-repo.js';
import { ModelOverridesRepo } from './repos/model-overrides-repo.js';
import { PasswordResetsRepo } from './repos/password-resets-repo.js';
import { PaymentsRepo } from './repos/payments-repo.js';
import { RefundsRepo } from './repos/refunds-repo.js';
import { PromoRepo } from './repos/promo-repo.js';
import { RequestsRepo } from './repos/requests-repo.js';
import { ResponsesRepo } from './repos/responses-repo.js';
import { SessionsRepo } from './repos/sessions-repo.js';
import { SettingsRepo } from './repos/settings-repo.js';
import { SpendRepo } from './repos/spend-repo.js';
import { UsersRepo } from './repos/users-repo.js';

export { openDb, migrateToLatest, ping, type Db, type StoreKind } from './db.js';
export { isStoreUnavailable, isUniqueViolation } from './errors.js';
export { IN_FLIGHT, IN_FLIGHT_STATUS, INTERRUPTED } from './request-columns.js';
export type { UserRow, UserRole, UserStatus, UserSearch } from './repos/users-repo.js';
export type { SessionRow, SessionWithUser } from './repos/sessions-repo.js';
export type { PasswordResetRow } from './repos/password-resets-repo.js';
export type { LoginFailureRow } from './repos/login-failures-repo.js';
export type { PromoCodeRow, PromoRedemptionRow, PromoRedemptionWithEmail, PromoRefusal, RedeemOutcome } from './repos/promo-repo.js';
export type { AuditRow, AuditFilter } from './repos/audit-repo.js';
export type { PaymentOrderRow, PaymentEventRow, OrderFilter, CreditOutcome } from './repos/payments-repo.js';
export type { RefundRow, RefundStart } from './repos/refunds-repo.js';
export type { PaymentOrderStatus, PaymentRefundStatus } from './schema-payments.js';
export type { DayTotals, ModelTotals, UserActivity, UserTotals } from './repos/admin-stats-repo.js';
export type { KeyRow, KeyPatch, KeyWithOwner } from './repos/keys-repo.js';
export type { LedgerRow, MoveResult } from './repos/ledger-repo.js';
export type { RequestRow, NewRequestRow, RequestFilter, DayModelUsage } from './repos/requests-repo.js';
export type { ModelOverrideRow } from './repos/model-overrides-repo.js';
export type { KeySpend } from './repos/spend-repo.js';
export type { ResponseCaps, StoredResponseRow } from './repos/responses-repo.js';
export { ResponsesRepo } from './repos/responses-repo.js';
export type { BillingRepo, OrphanHold, ReserveArgs, ReserveOutcome, SettleArgs, SettleOutcome } from './repos/billing-repo.js';

export interface Store {
  db: Db;
  users: UsersRepo;
  keys: KeysRepo;
  ledger: LedgerRepo;
  requests: RequestsRepo;
  settings: SettingsRepo;
  modelOverrides: ModelOverridesRepo;
  spend: SpendRepo;
  billing: BillingRepo;
  responses: ResponsesRepo;
  sessions: SessionsRepo;
  passwordResets: PasswordResetsRepo;
  loginFailures: LoginFailuresRepo;
  audit: AuditRepo;
  /** Top-up orders and the providers' notifications. */
  payments: PaymentsRepo;
  refunds: RefundsRepo;
  /** Promo codes and their redemptions (a redemption credits in the same transaction). */
  promo: PromoRepo;
  /** Aggregates across all users for the admin console. */
  stats: AdminStatsRepo;
}

export function createStore(db: Db): Store {
  return {
    db,
    users: new UsersRepo(db.kysely),
    keys: new KeysRepo(db.kysely, db.writer),
    ledger: new LedgerRepo(db.kysely),
    requests: new RequestsRepo(db),
    settings: new SettingsRepo(db.kysely),
    modelOverrides: new ModelOverridesRepo(db.kysely),
    spend: new SpendRepo(db.kysely),
    billing: sqliteBilling(db) ?? new PostgresBillingRepo(db.kysely),
    responses: new ResponsesRepo(db),
    sessions: new SessionsRepo(db.kysely),
    passwordResets: new PasswordResetsRepo(db.kysely),
    loginFailures: new LoginFailuresRepo(db.kysely),
    audit: new AuditRepo(db.kysely),
    payments: new PaymentsRepo(db.kysely),
    refunds: new RefundsRepo(db.kysely),
    promo: new PromoRepo(db.kysely),
    stats: new AdminStatsRepo(db.kysely),
  };
}

function sqliteBilling(db: Db): SqliteBillingRepo | undefined {
  if (!db.sqlite || !db.writer) return undefined;
  return new SqliteBillingRepo(db.sqlite, db.writer, db.file ? `${db.file}.charges` : undefined);
}
