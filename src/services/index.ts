import type { ProviderRegistry } from '../providers/registry.js';
import type { AccountsService } from './accounts/accounts-service.js';
import type { BalanceService } from './accounts/balance-service.js';
import type { CabinetService } from './accounts/cabinet-service.js';
import type { AuditLog } from './audit/audit-log.js';
import type { PasswordResetService } from './sessions/password-resets.js';
import type { SessionService } from './sessions/session-service.js';
import type { Authenticator } from './auth/authenticator.js';
import type { CatalogService } from './catalog/catalog-service.js';
import type { ListedModelsStatus } from './catalog/openrouter-models.js';
import type { HistoryQuery } from './history/history-query.js';
import type { OverviewService } from './history/overview.js';
import type { UserAdmin } from './accounts/user-admin.js';
import type { UpstreamsView } from './upstreams/upstreams-view.js';
import type { BillingSettingsService } from './settings/billing-settings.js';
import type { Relay } from './relay/relay.js';
import type { AdminTokenVerifier } from './settings/admin-token.js';
import type { FailureBudget } from './auth/failure-budget.js';
import type { ModelsView } from './unified/models-view.js';
import type { PromoService } from './promo/promo-service.js';
import type { UnifiedApi } from './unified/unified-api.js';
import type { Payments } from './payments/index.js';
import type { LimitsStatus } from './ratelimit/index.js';
import type { MetricsEndpoint } from './metrics/metrics-endpoint.js';

export type { Principal } from './auth/authenticator.js';
export type { RelayRequest } from './relay/relay-request.js';
export type { ClientSink } from './relay/client-sink.js';
export { asGatewayError, errorBody, streamErrorEvent, type Surface } from './surface-errors.js';

/** What the HTTP layer may use: services only, never the store, dialects or upstream directly. */
export interface Services {
  accounts: AccountsService;
  balance: BalanceService;
  auth: Authenticator;
  catalog: CatalogService;
  billingSettings: BillingSettingsService;
  history: HistoryQuery;
  /** The signed-in customer's balance, keys, model prices and base URLs (the cabinet under /api). */
  cabinet: CabinetService;
  relay: Relay;
  models: ModelsView;
  unified: UnifiedApi;
  adminToken: AdminTokenVerifier;
  /** Wrong admin tokens per client address: a guessing address is locked out for a while. */
  adminFailures: FailureBudget;
  providers: ProviderRegistry;
  /** The audit log of admin actions (dashboard, `/admin/*` and the CLI). */
  audit: AuditLog;
  /** The admin console's users (search with keys and last call; credits that tell a retry apart). */
  userAdmin: UserAdmin;
  /** Calls, spend, errors and active users per UTC day across all users; top users and models. */
  overview: OverviewService;
  /** Promo codes: the admin's (create, list, redemptions, disable; audited) and the customer's redeem (throttled). */
  promo: PromoService;
  /** Each provider's base URL, dialect, mounts and keys' health (keys as `…last4`). */
  upstreams: UpstreamsView;
  /** Dashboard accounts and sessions: sign-up, sign-in (throttled), sessions, password and email changes, block, role. */
  sessions: SessionService;
  /** One-time password reset links: issued by the admin, mailed by the forgot-password form when SMTP is set. */
  passwordResets: PasswordResetService;
  /** Where the rate limits are counted (Redis, or this node alone), and since when Redis has been away. */
  rateLimits(): LimitsStatus;
  /** Customers' top-ups: orders, the provider's notifications, refunds and reconciliation. */
  payments: Payments;
  /** SESSION_COOKIE_SECURE: the session cookie's Secure flag (`auto`: when the request came over HTTPS). */
  sessionCookieSecure: 'auto' | 'on' | 'off';
  /** Why the gateway cannot serve paid calls now (the database unreachable or refusing writes); undefined when ready. */
  readiness(): Promise<string | undefined>;
  /** Models lists fetched from providers (OpenRouter's): how many models, when, and the last failure; for /ready. */
  catalogLists(): ListedModelsStatus[];
  maxBodyBytes: number;
  /** `GET /metrics` (Prometheus); undefined when it is off (no METRICS_TOKEN nor METRICS_PORT). */
  metrics?: MetricsEndpoint | undefined;
}
