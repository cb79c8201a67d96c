import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseBaseUrl, readEnum, readInt, readString } from './env-parsers.js';
import { readDashboard, readTrustProxy, type DashboardConfig } from './dashboard.js';
import { readPayments, type PaymentsConfig } from './payments.js';
import { readFairUse } from './fair-use.js';
import { readMetrics, type MetricsConfig } from './metrics.js';
import { findConfigFile, readConfigFile } from './file.js';

export { ConfigError } from './env-parsers.js';
export type { DashboardConfig } from './dashboard.js';
export type { PaymentsConfig, YooKassaConfig } from './payments.js';
export type { MetricsConfig } from './metrics.js';

/** What config needs to know about an upstream to read its settings (the full spec lives in providers/). */
export interface ProviderEnvSpec {
  id: string;
  /** Other names the provider answers to (`google`): a custom upstream may not take them. */
  aliases?: readonly string[];
  envPrefix: string;
  defaultBaseUrl: string;
}

export interface ProviderConfig {
  baseUrl: string;
  /** `''` stands for "no key" (a custom upstream that takes none). */
  apiKeys: readonly string[];
}

/** An OpenAI-compatible upstream declared in the config file; its models join the catalog. */
export interface CustomProviderConfig {
  id: string;
  models: readonly unknown[];
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  /** The SQLite file (resolved against the working directory) when DATABASE_URL is sqlite:. */
  sqliteFile: string | undefined;
  /** DATA_DIR (default ./data of the working directory): holds the SQLite file when DATABASE_URL is unset. */
  dataDir: string;
  /** The seed price catalog: one JSON file per provider. */
  catalogDir: string;
  adminToken: string | undefined;
  logLevel: LogLevel;
  maxBodyBytes: number;
  /**
   * Slow or stuck clients: a request head must arrive within `headersTimeoutMs`, a body may pause for at
   * most `bodyIdleTimeoutMs` (408), and past `maxConnections` open sockets a new one is refused with a 503.
   */
  connections: { headersTimeoutMs: number; bodyIdleTimeoutMs: number; maxConnections: number };
  drainTimeoutMs: number;
  historyFlushMs: number;
  keyCacheMs: number;
  /** Names this process's holds; a restart under the same id releases what a crash left held. */
  nodeId: string | undefined;
  /** Holds of requests that never settled (a node died) are released after this long. */
  holdTtlMs: number;
  /** PostgreSQL: a node's lease; a node silent this long is dead, and the others settle its calls. */
  nodeLeaseMs: number;
  /** Images named by URL that the gateway downloads for providers taking only inline images (Gemini). */
  imageFetch: { maxBytes: number; timeoutMs: number; allowPrivateNetworks: boolean };
  upstream: { connectTimeoutMs: number; headersTimeoutMs: number; idleTimeoutMs: number; connectionsPerOrigin: number };
  /** A streamed unified call whose model has a backup goes to it when the provider sent nothing in this long. */
  failoverTimeoutMs: number;
  /**
   * The response store of `/v1/responses` on bridged providers: kept `retentionDays` (`RESPONSES_RETENTION_DAYS`,
   * 30; 0 keeps none), at most `maxResponseBytes` a response (`RESPONSES_MAX_BYTES`, 4 MiB), and per key at
   * most `perKey.maxCount` responses (`RESPONSES_MAX_PER_KEY`, 10,000) and `perKey.maxBytes`
   * (`RESPONSES_MAX_BYTES_PER_KEY`, 512 MiB), the oldest dropped first; expired ones pruned every `pruneEveryMs`.
   */
  responses: { retentionDays: number; maxResponseBytes: number; perKey: { maxCount: number; maxBytes: number }; pruneEveryMs: number };
  providers: Readonly<Record<string, ProviderConfig>>;
  customProviders: readonly CustomProviderConfig[];
  configFile: string | undefined;
  /**
   * The USD→RUB rate to bill at until the admin sets one (`PUT /admin/settings`): `USD_RUB_RATE`, else the
   * shipped default; undefined when `USD_RUB_RATE=none` (metered calls are refused until a rate is set).
   */
  usdRubRate: { rate: string; source: 'env' | 'shipped' } | undefined;
  /**
   * How often OpenRouter's models list (with its prices) is fetched again, when OpenRouter has a key
   * (`OPENROUTER_MODELS_REFRESH`: `6h` by default, `30m`, `90s`…; `off` never fetches it).
   */
  openrouterModelsRefreshMs: number | undefined;
  /** Sign-up, sessions, reset mail and the top-up page of the dashboard (config/dashboard.ts). */
  dashboard: Readonly<DashboardConfig>;
  /** Customers' own top-ups (config/payments.ts): the provider, amounts, reconciliation. */
  payments: Readonly<PaymentsConfig>;
  /** Default fair-use limits of keys and accounts without their own (config/fair-use.ts). */
  fairUse: ReturnType<typeof readFairUse>;
  /** `GET /metrics` (config/metrics.ts): off, behind METRICS_TOKEN, or on METRICS_PORT. */
  metrics: Readonly<MetricsConfig>;
  /** `TRUST_PROXY`: the reverse proxies whose X-Forwarded-* headers are believed; empty believes none. */
  trustProxy: readonly string[];
}

/**
 * The rate tollgate ships with, so the first call after the quickstart can be billed: a round figure near
 * the Bank of Russia's rate of its date, not a quote. The gateway warns at start while it is in force.
 */
export const SHIPPED_USD_RUB_RATE = Object.freeze({ rate: '95', asOf: '2026-12-01' });

/**
 * Upstream keys are masked out of every answer relayed to clients (upstream/scrub.ts); a key shorter
 * than this would mask ordinary text.
 */
const MIN_UPSTREAM_KEY_LENGTH = 4;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HOUR_MS = 3_600_000;

/** The process's environment with command-line overrides on top (`tollgate … --data-dir D` is DATA_DIR=D). */
export function environmentWith(overrides: Readonly<Record<string, string>>): Readonly<Record<string, string | undefined>> {
  return { ...process.env, ...overrides };
}

export function loadConfig(
  providerSpecs: readonly ProviderEnvSpec[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Readonly<Config> {
  const dataDirSetting = readString(env, 'DATA_DIR', './data');
  const dataDir = resolve(cwd, dataDirSetting);
  // Without DATABASE_URL the SQLite file lives in the data folder (DATA_DIR, `tollgate serve --data-dir`).
  const databaseUrl = readString(env, 'DATABASE_URL', `sqlite:${dataDirSetting.replace(/\/+$/, '')}/tollgate.db`);
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got "${databaseUrl}"`);
  }
  if (databaseUrl === 'sqlite:') throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/tollgate.db');
  const adminToken = readString(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long');
  }
  const configFile = findConfigFile(cwd, readString(env, 'TOLLGATE_CONFIG'));
  const file = configFile ? readConfigFile(configFile) : { providers: {} };

  const { providers, customProviders } = readProviders(providerSpecs, env, configFile, file);

  return Object.freeze({
    host: readString(env, 'HOST', '127.0.0.1'),
    port: readInt(env, 'PORT', 8080, 0, 65535),
    databaseUrl,
    sqliteFile: databaseUrl.startsWith('sqlite:') ? sqlitePath(databaseUrl, cwd) : undefined,
    dataDir,
    catalogDir: resolve(cwd, readString(env, 'CATALOG_DIR') ?? join(packageRoot(), 'data', 'catalog')),
    adminToken,
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    maxBodyBytes: readInt(env, 'MAX_BODY_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    connections: Object.freeze({
      headersTimeoutMs: readInt(env, 'HEADERS_TIMEOUT_MS', 15_000, 100, 300_000),
      bodyIdleTimeoutMs: readInt(env, 'BODY_IDLE_TIMEOUT_MS', 15_000, 100, HOUR_MS),
      maxConnections: readInt(env, 'MAX_CONNECTIONS', 8192, 1, 1_000_000),
    }),
    drainTimeoutMs: readInt(env, 'DRAIN_TIMEOUT_MS', 30_000, 0, HOUR_MS),
    historyFlushMs: readInt(env, 'HISTORY_FLUSH_MS', 50, 1, 60_000),
    nodeId: readString(env, 'NODE_ID'),
    holdTtlMs: readInt(env, 'HOLD_TTL_MS', HOUR_MS, 60_000, 24 * HOUR_MS),
    nodeLeaseMs: readInt(env, 'NODE_LEASE_MS', 15_000, 1_000, 600_000),
    imageFetch: {
      maxBytes: readInt(env, 'IMAGE_FETCH_MAX_BYTES', 20 * 1024 * 1024, 1024, 100 * 1024 * 1024),
      timeoutMs: readInt(env, 'IMAGE_FETCH_TIMEOUT_MS', 10_000, 100, 120_000),
      allowPrivateNetworks: readFlag(env, 'IMAGE_FETCH_ALLOW_PRIVATE'),
    },
    keyCacheMs: readInt(env, 'KEY_CACHE_MS', 1000, 0, 1000),
    upstream: Object.freeze({
      connectTimeoutMs: readInt(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 10_000, 1, HOUR_MS),
      headersTimeoutMs: readInt(env, 'UPSTREAM_HEADERS_TIMEOUT_MS', 600_000, 1, HOUR_MS),
      idleTimeoutMs: readInt(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 300_000, 1, HOUR_MS),
      connectionsPerOrigin: readInt(env, 'UPSTREAM_CONNECTIONS', 256, 1, 1_000_000),
    }),
    failoverTimeoutMs: readInt(env, 'FAILOVER_TIMEOUT_MS', 30_000, 100, HOUR_MS),
    responses: Object.freeze({
      retentionDays: readInt(env, 'RESPONSES_RETENTION_DAYS', 30, 0, 3650),
      maxResponseBytes: readInt(env, 'RESPONSES_MAX_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      perKey: Object.freeze({
        maxCount: readInt(env, 'RESPONSES_MAX_PER_KEY', 10_000, 1, 10_000_000),
        maxBytes: readInt(env, 'RESPONSES_MAX_BYTES_PER_KEY', 512 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 1024),
      }),
      pruneEveryMs: HOUR_MS,
    }),
    providers: Object.freeze(providers),
    customProviders: Object.freeze(customProviders),
    configFile,
    usdRubRate: readUsdRubRate(env),
    openrouterModelsRefreshMs: readRefreshPeriod(env, 'OPENROUTER_MODELS_REFRESH', 6 * HOUR_MS),
    dashboard: readDashboard(env),
    payments: readPayments(env),
    fairUse: readFairUse(env),
    metrics: readMetrics(env),
    trustProxy: readTrustProxy(env),
  });
}

/** Every upstream: the built-in ones (env first, then the file) and the custom ones the file declares. */
function readProviders(
  providerSpecs: readonly ProviderEnvSpec[],
  env: Readonly<Record<string, string | undefined>>,
  configFile: string | undefined,
  file: ReturnType<typeof readConfigFile>,
): { providers: Record<string, ProviderConfig>; customProviders: CustomProviderConfig[] } {
  const known = new Set(providerSpecs.map((p) => p.id));
  const taken = new Set(providerSpecs.flatMap((p) => p.aliases ?? []));
  const customProviders: CustomProviderConfig[] = [];
  const providers: Record<string, ProviderConfig> = {};
  for (const [id, entry] of Object.entries(file.providers)) {
    const where = `${configFile}: providers.${id}`;
    if (known.has(id)) {
      if (entry.custom) throw new ConfigError(`${where}: "${id}" is a built-in provider; a custom one needs another name`);
      continue;
    }
    if (!entry.custom) throw new ConfigError(`${configFile}: unknown provider "${id}" (known: ${[...known].join(', ')}; declare your own with type: openai-compatible)`);
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(id)) throw new ConfigError(`${where}: a custom provider's name must be lowercase letters, digits and dashes`);
    if (taken.has(id)) throw new ConfigError(`${where}: "${id}" is another name of a built-in provider; choose another`);
    if (!entry.baseUrl) throw new ConfigError(`${where}.base_url is required`);
    providers[id] = Object.freeze({ baseUrl: parseBaseUrl(`${where}.base_url`, entry.baseUrl), apiKeys: Object.freeze(entry.apiKeys.length > 0 ? entry.apiKeys : ['']) });
    customProviders.push(Object.freeze({ id, models: Object.freeze([...entry.custom.models]) }));
  }

  for (const spec of providerSpecs) {
    const fromFile = file.providers[spec.id];
    const envBase = readString(env, `${spec.envPrefix}_BASE_URL`);
    const baseName = envBase ? `${spec.envPrefix}_BASE_URL` : `${configFile}: providers.${spec.id}.base_url`;
    const baseUrl = parseBaseUrl(baseName, envBase ?? fromFile?.baseUrl ?? spec.defaultBaseUrl);
    const envKey = readString(env, `${spec.envPrefix}_API_KEY`);
    const apiKeys = [...new Set([...(envKey ? [envKey] : []), ...(fromFile?.apiKeys ?? [])])];
    providers[spec.id] = Object.freeze({ baseUrl, apiKeys: Object.freeze(apiKeys) });
  }
  for (const [id, provider] of Object.entries(providers)) {
    if (provider.apiKeys.some((key) => key !== '' && key.length < MIN_UPSTREAM_KEY_LENGTH)) {
      throw new ConfigError(`an upstream key of ${id} is shorter than ${MIN_UPSTREAM_KEY_LENGTH} characters: tollgate masks upstream keys in every answer, and one that short would mask ordinary text`);
    }
  }
  return { providers, customProviders };
}

function sqlitePath(databaseUrl: string, cwd: string): string {
  const rest = databaseUrl.slice('sqlite:'.length);
  return rest === ':memory:' ? rest : resolve(cwd, rest);
}

/** The folder holding package.json, found from this file whether it runs from src/ or dist/src/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new ConfigError('cannot find the tollgate package root (package.json)');
    dir = parent;
  }
  return dir;
}

function readUsdRubRate(env: Readonly<Record<string, string | undefined>>): Config['usdRubRate'] {
  const raw = env['USD_RUB_RATE'];
  if (raw === undefined) return { rate: SHIPPED_USD_RUB_RATE.rate, source: 'shipped' };
  const value = raw.trim();
  if (value === '' || value.toLowerCase() === 'none') return undefined;
  if (!/^\d{1,9}(?:\.\d{1,6})?$/.test(value) || !/[1-9]/.test(value)) {
    throw new ConfigError(`USD_RUB_RATE must be RUB per USD, a positive number with at most 6 decimals (e.g. "92.5"), or "none"; got "${value}"`);
  }
  return { rate: value, source: 'env' };
}

const PERIOD_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: HOUR_MS };

/** A period such as `6h`, `30m`, `90s` (at least a minute, at most a week), or `off` (undefined). */
function readRefreshPeriod(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'off') return undefined;
  const match = /^(\d{1,9})(ms|s|m|h)$/.exec(raw);
  const ms = match ? Number(match[1]) * PERIOD_UNITS[match[2]!]! : NaN;
  if (!(ms >= 60_000 && ms <= 168 * HOUR_MS)) throw new ConfigError(`${name} must be a period between 1m and 168h such as "6h" or "30m", or "off"; got "${raw}"`);
  return ms;
}

function readFlag(env: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const value = readString(env, name, 'false');
  if (value !== 'true' && value !== 'false') throw new ConfigError(`${name} must be true or false, got "${value}"`);
  return value === 'true';
}
