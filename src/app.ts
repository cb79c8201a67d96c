import type { FastifyInstance } from 'fastify';
import { SHIPPED_USD_RUB_RATE, type Config } from './config/index.js';
import { buildHttpServer } from './http/server.js';
import { systemClock, type Clock } from './lib/clock.js';
import { loadTokenizer } from './lib/token-count.js';
import { createLogger, type Logger } from './observability/log.js';
import { GatewayMetrics } from './observability/metrics.js';
import { MetricsEndpoint } from './services/metrics/metrics-endpoint.js';
import { buildMetricsServer } from './http/metrics-server.js';
import { PROVIDERS, customOpenAICompatible } from './providers/index.js';
import { ProviderRegistry } from './providers/registry.js';
import { randomBytes } from 'node:crypto';
import { AccountsService } from './services/accounts/accounts-service.js';
import { BillingService } from './services/billing/billing-service.js';
import { BalanceService } from './services/accounts/balance-service.js';
import { CabinetService } from './services/accounts/cabinet-service.js';
import { AuditLog } from './services/audit/audit-log.js';
import { LoginThrottle } from './services/sessions/login-throttle.js';
import { PasswordResetService } from './services/sessions/password-resets.js';
import { SmtpResetMailer } from './services/sessions/reset-mailer.js';
import { SessionService } from './services/sessions/session-service.js';
import { PromoService } from './services/promo/promo-service.js';
import { RedeemThrottle } from './services/promo/redeem-throttle.js';
import { Authenticator } from './services/auth/authenticator.js';
import { FailureBudget } from './services/auth/failure-budget.js';
import { CatalogService } from './services/catalog/catalog-service.js';
import { OpenRouterModels } from './services/catalog/openrouter-models.js';
import { customProviderModels, loadSeed } from './services/catalog/seed.js';
import { HistoryQuery } from './services/history/history-query.js';
import { OverviewService } from './services/history/overview.js';
import { UserAdmin } from './services/accounts/user-admin.js';
import { UpstreamsView } from './services/upstreams/upstreams-view.js';
import { HistoryRecorder } from './services/history/recorder.js';
import type { Services } from './services/index.js';
import { Relay } from './services/relay/relay.js';
import { ModelRouter } from './services/unified/model-router.js';
import { ModelsView } from './services/unified/models-view.js';
import { HttpRemoteImageFetcher } from './services/unified/remote-images.js';
import { UnifiedApi } from './services/unified/unified-api.js';
import { ResponsesStore } from './services/unified/responses-store.js';
import { CodecCalls } from './services/unified/codec-calls.js';
import { BackupCandidates } from './services/unified/backup-candidates.js';
import { resolveAdminToken } from './services/settings/admin-token.js';
import { BillingSettingsService } from './services/settings/billing-settings.js';
import { createStore, isStoreUnavailable, migrateToLatest, openDb, ping, type Db, type Store } from './store/index.js';
import { UpstreamClient } from './upstream/client.js';
import { KeyPool } from './upstream/key-pool.js';
import { startPayments } from './services/payments/index.js';
import { createRateLimits, type RateLimits } from './services/ratelimit/index.js';
import { ClusterChanges } from './services/changes/cluster-changes.js';

const SETTINGS_REFRESH_MS = 5000;
const SESSIONS_PRUNE_MS = 3_600_000;

export interface App {
  config: Readonly<Config>;
  logger: Logger;
  store: Store;
  services: Services;
  http: FastifyInstance;
  /** The listener of its own that serves /metrics (METRICS_PORT), or undefined; main.ts listens on it. */
  metricsHttp: FastifyInstance | undefined;
  history: HistoryRecorder;
  billing: BillingService;
  /** Set only on the start that generated the admin token; print it once. */
  generatedAdminToken: string | undefined;
  /** Writes every charge and history row computed so far (billed calls' rows go with their charges). */
  flush(): Promise<void>;
  /** Flushes what is pending and releases every resource; call after the HTTP server stopped. */
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  clock?: Clock;
}

/** Opens the store and migrates it: what both the server and the CLI start from. */
export async function openStore(config: Readonly<Config>): Promise<Store> {
  let db: Db;
  try {
    db = await openDb(config.databaseUrl, config.sqliteFile);
  } catch (err) {
    throw unwritable(config, err);
  }
  try {
    await migrateToLatest(db);
    return createStore(db);
  } catch (err) {
    await db.close();
    throw isStoreUnavailable(err) ? unwritable(config, err) : err;
  }
}

/** A start-up failure that names the database and the reason, never its password. */
function unwritable(config: Readonly<Config>, err: unknown): Error {
  const where = config.sqliteFile ?? config.databaseUrl.replace(/\/\/[^@/]*@/, '//');
  return new Error(`the database cannot be written (${where}: ${(err as Error).message}): check its permissions, free disk space and that it is not read-only`);
}

/** Why the gateway cannot take paid calls now, or undefined when it can. */
async function readiness(store: Store, billing: BillingService): Promise<string | undefined> {
  try {
    await ping(store.db);
  } catch {
    return 'database unreachable';
  }
  return billing.failing() ? 'the database refuses writes: paid calls are refused until it takes them again' : undefined;
}

/** The providers (built-in and the config file's) and the price catalog (seed files + admin overrides); the CLI needs them too. */
export function providersAndCatalog(config: Readonly<Config>, store: Store, clock: Clock): { registry: ProviderRegistry; catalog: CatalogService } {
  const custom = config.customProviders.map((c) => customOpenAICompatible(c.id, config.providers[c.id]!.baseUrl));
  const registry = new ProviderRegistry([...PROVIDERS, ...custom]);
  const seed = loadSeed(config.catalogDir, new Set(PROVIDERS.map((p) => p.id)));
  for (const { id, models } of config.customProviders) seed.models.push(...customProviderModels(id, models));
  return { registry, catalog: new CatalogService(seed, store, registry, clock) };
}

/** The composition root: config → store → services → http. The only place that sees every layer. */
export async function buildApp(config: Readonly<Config>, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const store = await openStore(config);
  startTokenizer(logger);
  const { registry, catalog } = providersAndCatalog(config, store, clock);
  const billingSettings = new BillingSettingsService(store, clock, config.usdRubRate);
  await Promise.all([catalog.refresh(), billingSettings.refresh()]);
  warnOfShippedRate(billingSettings, logger);
  const refresher = refreshPeriodically(catalog, billingSettings, logger);
  const openrouterModels = await startOpenRouterModels(config, store, catalog, clock, logger);

  const history = new HistoryRecorder(store, logger, config.historyFlushMs);
  const auth = new Authenticator(store, clock, config.keyCacheMs);
  const changes = await propagateChanges(store, auth, catalog, billingSettings, logger);
  const accounts = new AccountsService(store, clock, changes.keyChanged, changes.userChanged);
  const dashboard = sessionServices(config, store, clock, logger, changes.userChanged);
  const { upstream, keyPools, baseUrls, metrics } = await upstreamsAndMetrics(config, logger, catalog, () => billing, () => limits);
  const billing = new BillingService(store, catalog, billingSettings, registry, clock, logger, {
    onCharged: metrics.calls ? (micro) => metrics.calls?.charge(micro) : undefined,
    nodeId: config.nodeId ?? `node-${randomBytes(6).toString('hex')}`,
    holdTtlMs: config.holdTtlMs,
    leaseMs: config.nodeLeaseMs,
    // One gateway process owns a SQLite file: any hold found at start-up was left by a crash.
    ownsAllHolds: store.db.kind === 'sqlite',
  });
  await billing.start();
  const limits = createRateLimits({ ...config.fairUse, defaults: config.fairUse, connectionsPerProvider: config.upstream.connectionsPerOrigin }, clock, logger);
  const relay = new Relay({ upstream, keyPools, baseUrls, history, clock, catalog, settings: billingSettings, billing, log: logger, calls: metrics.calls, limits: limits.limiter });
  const admin = await resolveAdminToken(store, clock, config.adminToken);
  const images = new HttpRemoteImageFetcher(config.imageFetch);
  const router = new ModelRouter(registry, catalog);
  const responsesStore = new ResponsesStore(store.responses, clock, logger, config.responses);
  const services: Services = {
    accounts,
    balance: new BalanceService(store, billingSettings, clock),
    auth,
    catalog,
    billingSettings,
    ...historyServices(config, store, clock, { accounts, billingSettings, catalog, registry }),
    relay,
    models: new ModelsView(catalog, registry),
    unified: new UnifiedApi(router, new CodecCalls(relay, images), new BackupCandidates(router, registry, config.failoverTimeoutMs), responsesStore),
    adminToken: admin.verifier,
    adminFailures: new FailureBudget(clock),
    providers: registry,
    userAdmin: new UserAdmin(store, accounts),
    overview: new OverviewService(store, clock),
    upstreams: new UpstreamsView(registry, keyPools, baseUrls, clock),
    ...dashboard.services,
    readiness: () => readiness(store, billing),
    catalogLists: () => (openrouterModels ? [openrouterModels.list.status()] : []),
    rateLimits: () => limits.status(),
    maxBodyBytes: config.maxBodyBytes,
    metrics: metrics.endpoint,
  };
  const http = await buildHttpServer(services, { logger, connections: config.connections, trustProxy: config.trustProxy });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      clearInterval(refresher);
      clearInterval(dashboard.pruner);
      if (openrouterModels) clearInterval(openrouterModels.timer);
      await metrics.http?.close();
      await relay.idle(); // calls the drain cut are recorded (and settled) before billing stops
      await dashboard.stopPayments();
      await billing.close();
      await limits.close();
      store.billing.close();
      await responsesStore.close();
      await history.close();
      await upstream.close();
      await images.close();
      await store.db.close();
    })());

  const flush = () => billing.idle().then(() => history.flush());
  return { config, logger, store, services, http, metricsHttp: metrics.http, history, billing, generatedAdminToken: admin.generated, flush, close };
}

/**
 * The upstream client and each provider's keys, and the metrics when /metrics is on (METRICS_TOKEN or
 * METRICS_PORT): off, nothing is built and no call pays for them. `billing` is read only when scraped.
 */
async function upstreamsAndMetrics(config: Readonly<Config>, logger: Logger, catalog: CatalogService, billing: () => BillingService, limits: () => RateLimits) {
  const upstream = new UpstreamClient(config.upstream);
  const baseUrls = new Map(Object.entries(config.providers).map(([id, p]) => [id, p.baseUrl]));
  const calls = config.metrics.enabled
    ? new GatewayMetrics({
        isCatalogModel: (provider, model) => catalog.find(provider, model) !== undefined,
        holdsActive: () => billing().holdsActive(),
        pendingCharges: () => billing().pendingCharges(),
        upstreamPools: () => poolsByProvider(upstream, baseUrls),
        rateLimitsDegraded: () => limits().status().degraded !== undefined,
      })
    : undefined;
  const keyPools = new Map(Object.entries(config.providers).map(([id, p]) => [id, new KeyPool(p.apiKeys, calls?.upstreamFailures(id))]));
  const endpoint = calls ? new MetricsEndpoint(calls, config.metrics.token, config.metrics.listen !== undefined) : undefined;
  const http = endpoint?.ownListener ? await buildMetricsServer(endpoint, logger) : undefined;
  return { upstream, keyPools, baseUrls, metrics: { calls, endpoint, http } };
}

/** The upstream pools' figures named by provider (an origin several providers share is named once). */
function poolsByProvider(upstream: UpstreamClient, baseUrls: ReadonlyMap<string, string>) {
  const stats = upstream.poolStats();
  const pools = [];
  for (const [provider, baseUrl] of baseUrls) {
    const origin = new URL(baseUrl).origin;
    const pool = stats.get(origin);
    if (pool) pools.push({ provider, ...pool });
    stats.delete(origin);
  }
  return pools;
}

/** What reads the accounts' history: the request and ledger pages of every surface, and the customer cabinet. */
function historyServices(
  config: Readonly<Config>,
  store: Store,
  clock: Clock,
  deps: { accounts: AccountsService; billingSettings: BillingSettingsService; catalog: CatalogService; registry: ProviderRegistry },
): Pick<Services, 'history' | 'cabinet'> {
  const history = new HistoryQuery(store, clock);
  const { publicUrl, topupContact } = config.dashboard;
  const options = { publicUrl, topupContact: topupContact ?? null, topupAvailable: config.payments.provider !== undefined };
  const cabinet = new CabinetService({ store, accounts: deps.accounts, settings: deps.billingSettings, catalog: deps.catalog, history, providers: deps.registry, clock, options });
  return { history, cabinet };
}

/**
 * The dashboard's audit log, sessions, reset links and top-ups; ended sessions and quiet throttle counts
 * are pruned every hour, pending payments reconciled every minute.
 */
function sessionServices(config: Readonly<Config>, store: Store, clock: Clock, logger: Logger, userChanged: (userId: string) => void) {
  const { dashboard } = config;
  const throttle = new LoginThrottle(store, clock);
  const sessions = new SessionService(store, clock, throttle, dashboard, userChanged);
  const mailer = dashboard.smtp ? new SmtpResetMailer(dashboard.smtp) : undefined;
  const passwordResets = new PasswordResetService(store, clock, logger, throttle, dashboard.publicUrl, mailer);
  const pruner = setInterval(() => {
    sessions.prune().catch((err: unknown) => logger.warn({ err }, 'pruning ended sessions failed'));
  }, SESSIONS_PRUNE_MS);
  pruner.unref();
  const audit = new AuditLog(store, clock);
  const promo = new PromoService(store, clock, audit, new RedeemThrottle(store, clock));
  const payments = startPayments(config.payments, { store, audit, clock, log: logger, publicUrl: dashboard.publicUrl, contact: dashboard.topupContact ?? null });
  const services = { audit, promo, sessions, passwordResets, sessionCookieSecure: dashboard.cookieSecure, payments: payments.payments };
  return { services, pruner, stopPayments: payments.stop };
}

/** Until the tokenizer is loaded (a fraction of a second), estimates use the byte-based bound. */
function startTokenizer(logger: Logger): void {
  loadTokenizer().catch((err: unknown) => logger.warn({ err }, 'loading the tokenizer failed; estimates use the byte bound'));
}

/**
 * Keys, users, prices and settings changed here apply on the other nodes at once (PostgreSQL's
 * LISTEN/NOTIFY, services/changes/cluster-changes.ts); here they apply as they are made.
 */
async function propagateChanges(store: Store, auth: Authenticator, catalog: CatalogService, settings: BillingSettingsService, log: Logger) {
  const changes = new ClusterChanges(
    store.db.changes,
    { key: (id) => auth.invalidate(id), user: (id) => auth.invalidateUser(id), prices: () => Promise.all([catalog.refresh(), settings.refresh()]).then(() => undefined) },
    log,
  );
  await changes.start();
  catalog.changed = () => changes.publish({ kind: 'prices' });
  settings.changed = () => changes.publish({ kind: 'prices' });
  const keyChanged = (id: string) => {
    auth.invalidate(id);
    changes.publish({ kind: 'key', id });
  };
  const userChanged = (id: string) => {
    auth.invalidateUser(id);
    changes.publish({ kind: 'user', id });
  };
  return { keyChanged, userChanged };
}

/** Prices and settings changed on another node (or by the CLI) apply here within SETTINGS_REFRESH_MS. */
function refreshPeriodically(catalog: CatalogService, billingSettings: BillingSettingsService, logger: Logger): NodeJS.Timeout {
  const refresher = setInterval(() => {
    Promise.all([catalog.refresh(), billingSettings.refresh()]).catch((err: unknown) => logger.warn({ err }, 'refreshing prices and settings failed'));
  }, SETTINGS_REFRESH_MS);
  refresher.unref();
  return refresher;
}

/**
 * OpenRouter's models list, when OpenRouter has a key: the saved copy is served at once, and a fetch is
 * made at boot (awaited only when there is no saved copy, bounded by its timeout) and every period.
 * A failure never stops the boot: it is logged and shown on /ready.
 */
async function startOpenRouterModels(config: Readonly<Config>, store: Store, catalog: CatalogService, clock: Clock, log: Logger) {
  const provider = config.providers['openrouter'];
  const key = provider?.apiKeys.find((k) => k !== '');
  const period = config.openrouterModelsRefreshMs;
  if (!provider || key === undefined || period === undefined) return undefined;
  const list = new OpenRouterModels({ catalog, store, clock, log, baseUrl: provider.baseUrl, key, timeoutMs: 10_000 });
  const saved = await list.loadSaved();
  const first = list.refresh();
  if (!saved) await first;
  const timer = setInterval(() => void list.refresh(), period);
  timer.unref();
  return { list, timer };
}

/** The shipped USD→RUB rate is a convenience for a first run, never a reseller's price: say so at start. */
function warnOfShippedRate(settings: BillingSettingsService, logger: Logger): void {
  const { usd_rub_rate: rate, usd_rub_rate_source: source } = settings.view();
  if (source === 'shipped') {
    logger.warn(
      `billing at the shipped USD→RUB rate ${rate} (as of ${SHIPPED_USD_RUB_RATE.asOf}): set yours with PUT /admin/settings {"usd_rub_rate": "…"} or USD_RUB_RATE`,
    );
  }
  if (source === null) logger.warn('no USD→RUB rate is set (USD_RUB_RATE=none): metered calls are refused until PUT /admin/settings sets one');
}
