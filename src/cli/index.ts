#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore, providersAndCatalog } from '../app.js';
import { ConfigError, environmentWith, loadConfig, type Config } from '../config/index.js';
import { GatewayError } from '../core/errors.js';
import { systemClock } from '../lib/clock.js';
import { serve } from '../main.js';
import { createLogger } from '../observability/log.js';
import { PROVIDERS } from '../providers/index.js';
import { AccountsService } from '../services/accounts/accounts-service.js';
import { ACCESS_COMMANDS, ACCESS_USAGE, accessCommand } from './access.js';
import { PAYMENTS_COMMANDS, PAYMENTS_USAGE, paymentsCommand } from './payments.js';
import { LIMIT_OPTIONS, LIMITS_COMMANDS, LIMITS_USAGE, limitFlags, limitsCommand } from './limits.js';
import { CLI_ORIGIN, cliAudit, creditAudited, keyStatusAudited } from './audited.js';
import { putModelAudited, updateSettingsAudited } from '../services/catalog/audited-changes.js';
import type { CatalogService } from '../services/catalog/catalog-service.js';
import { OpenRouterModels } from '../services/catalog/openrouter-models.js';
import { HistoryQuery } from '../services/history/history-query.js';
import { BillingSettingsService } from '../services/settings/billing-settings.js';
import type { Store } from '../store/index.js';
import { required } from './args.js';

const USAGE = `tollgate — LLM API gateway

  tollgate serve [--data-dir DIR]                  run the gateway (same as npm start); its SQLite file is
                                                   DIR/tollgate.db (default: DATA_DIR, else ./data here)
  tollgate migrate                                 apply database migrations
  tollgate users create --email E [--password P]
  tollgate users list [--email E]
${ACCESS_USAGE}
${PAYMENTS_USAGE}
  tollgate credit --user ID|EMAIL --amount RUB [--note TEXT] [--idempotency-key K]
                                                   (debit: --amount -5; a rerun with the same key credits once)
  tollgate keys create --user ID|EMAIL [--name N] [--budget-limit RUB] [--monthly-limit RUB]
                       [--allow-balance] [--models 'gpt-4o*,anthropic/*'] [--expires-at ISO]
                       [--rpm-limit N] [--tpm-limit N] [--concurrency-limit N]
  tollgate keys list --user ID|EMAIL
  tollgate keys revoke --key KEY_ID
  tollgate keys pause|resume --key KEY_ID          (a paused key is refused until resumed; revoked stays revoked)
${LIMITS_USAGE}
  tollgate settings [--usd-rub-rate RUB] [--markup X] [--allow-unpriced-models true|false]
                                                   (shows the billing settings; the flags change them)
  tollgate models list [--provider P]
  tollgate models set PROVIDER/MODEL [--input-per-mtok USD] [--cached-input-per-mtok USD] [--output-per-mtok USD]
                                                   (prices in USD per 1M tokens; the seed files are never edited)
  tollgate models enable|disable PROVIDER/MODEL
  tollgate ledger --user ID|EMAIL [--limit N] [--before ENTRY_ID]
  tollgate requests --user ID|EMAIL [--limit N] [--before REQ_ID] [--model M]

  tollgate --version | tollgate COMMAND --help

Configuration comes from the environment (DATABASE_URL, DATA_DIR, …), as for the server; --data-dir DIR
works with every command.`;

const OPTIONS = {
  email: { type: 'string' },
  password: { type: 'string' },
  user: { type: 'string' },
  amount: { type: 'string' },
  note: { type: 'string' },
  'idempotency-key': { type: 'string' },
  name: { type: 'string' },
  'budget-limit': { type: 'string' },
  'monthly-limit': { type: 'string' },
  'allow-balance': { type: 'boolean' },
  models: { type: 'string' },
  'expires-at': { type: 'string' },
  key: { type: 'string' },
  'usd-rub-rate': { type: 'string' },
  markup: { type: 'string' },
  'allow-unpriced-models': { type: 'string' },
  limit: { type: 'string' },
  before: { type: 'string' },
  model: { type: 'string' },
  provider: { type: 'string' },
  'input-per-mtok': { type: 'string' },
  'cached-input-per-mtok': { type: 'string' },
  'output-per-mtok': { type: 'string' },
  order: { type: 'string' },
  status: { type: 'string' },
  'older-than-minutes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  'data-dir': { type: 'string' },
  ...LIMIT_OPTIONS,
} as const;

/** Options whose value may be negative: `--amount -5` would otherwise read as an unknown option `-5`. */
const SIGNED = new Set(['--amount']);

/** `--amount -5` as `--amount=-5`, so a debit is written as anyone would write it. */
function withSignedValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (SIGNED.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** The usage lines of one command (`credit`, `keys`), or all of them for an unknown one. */
function usageOf(command: string): string {
  const lines = USAGE.split('\n');
  const picked: string[] = [];
  let inCommand = false;
  for (const line of lines) {
    if (/^  tollgate /.test(line)) inCommand = line.startsWith(`  tollgate ${command} `) || line === `  tollgate ${command}`;
    else if (!/^ {10,}/.test(line)) inCommand = false;
    if (inCommand) picked.push(line);
  }
  return picked.length > 0 ? picked.join('\n') : USAGE;
}

/** This package's version, from its package.json (found above this file, in src/ or dist/src/). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version);
  }
  return 'unknown';
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: withSignedValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub] = positionals;
  // Every command reads the data folder as the server does: the flag is DATA_DIR for this process.
  const env = environmentWith(values['data-dir'] === undefined ? {} : { DATA_DIR: resolve(values['data-dir']) });
  if (values.version) {
    process.stdout.write(`tollgate ${version()}\n`);
    return 0;
  }
  if (values.help || !command) {
    process.stdout.write((command ? usageOf(command) : USAGE) + '\n');
    return command || values.help ? 0 : 1;
  }
  if (command === 'serve') {
    await serve(env);
    return -1;
  }
  const config = loadConfig(PROVIDERS, env);
  warnOfNewDatabase(config);
  const store = await openStore(config);
  try {
    if (command === 'migrate') {
      print({ migrated: true, database: config.databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres' });
      return 0;
    }
    const action = `${command} ${sub ?? ''}`.trim();
    if (ACCESS_COMMANDS.has(action)) return await accessCommand(action, values, store, config, print);
    const accounts = new AccountsService(store, systemClock, () => undefined);
    if (PAYMENTS_COMMANDS.has(action)) return await paymentsCommand(action, values, store, accounts, config, print);
    if (LIMITS_COMMANDS.has(action)) return await limitsCommand(action, values, accounts, store, print);
    if (command === 'settings' || command === 'ledger' || command === 'requests') return await billingCommand(command, values, accounts, store, config.usdRubRate);
    if (command === 'models') {
      const { catalog } = providersAndCatalog(config, store, systemClock);
      // OpenRouter's models as the server last fetched them (saved in settings): listed, and overridable.
      await new OpenRouterModels({ catalog, store, clock: systemClock, log: createLogger('silent'), baseUrl: '', key: '' }).loadSaved();
      return await modelsCommand(sub, positionals[2], values, catalog, store);
    }
    return await dispatch(command, sub, values, accounts, store);
  } finally {
    await store.db.close();
  }
}

async function dispatch(command: string, sub: string | undefined, values: Values, accounts: AccountsService, store: Store): Promise<number> {
  const userId = async () => accounts.userId(required(values.user, '--user'));
  const action = `${command} ${sub ?? ''}`.trim();
  switch (action) {
    case 'users create':
      print(await accounts.createUser({ email: required(values.email, '--email'), password: values.password }));
      return 0;
    case 'users list':
      print(await accounts.findUsers({ email: values.email }));
      return 0;
    case 'credit':
      print(await creditAudited(store, accounts, await userId(), { amount: required(values.amount, '--amount'), note: values.note }, values['idempotency-key']));
      return 0;
    case 'keys create':
      print(
        await accounts.createKey(await userId(), {
          name: values.name,
          budget_limit: values['budget-limit'],
          monthly_limit: values['monthly-limit'],
          allow_balance: values['allow-balance'],
          models: values.models?.split(',').map((m) => m.trim()).filter(Boolean),
          expires_at: values['expires-at'],
          ...limitFlags(values),
        }),
      );
      return 0;
    case 'keys list':
      print(await accounts.listKeys(await userId()));
      return 0;
    case 'keys revoke':
      print(await keyStatusAudited(store, await accounts.revokeKey(required(values.key, '--key')), 'key.revoke'));
      return 0;
    case 'keys pause':
    case 'keys resume':
      print(await keyStatusAudited(store, await accounts.updateKey(required(values.key, '--key'), { status: sub === 'pause' ? 'paused' : 'active' }), 'key.update'));
      return 0;
    default:
      process.stderr.write(`tollgate: unknown command "${action}"\n\n${USAGE}\n`);
      return 1;
  }
}

/** `settings`, `ledger`, `requests`: the billing settings, and an account's money and calls, as the admin API shows them. */
async function billingCommand(command: string, values: Values, accounts: AccountsService, store: Store, fallbackRate: Config['usdRubRate']): Promise<number> {
  if (command === 'settings') {
    const settings = new BillingSettingsService(store, systemClock, fallbackRate);
    await settings.refresh();
    const changes = {
      ...(values['usd-rub-rate'] !== undefined ? { usd_rub_rate: values['usd-rub-rate'] } : {}),
      ...(values.markup !== undefined ? { markup: values.markup } : {}),
      ...(values['allow-unpriced-models'] !== undefined ? { allow_unpriced_models: flagValue(values['allow-unpriced-models'], '--allow-unpriced-models') } : {}),
    };
    print(Object.keys(changes).length > 0 ? await updateSettingsAudited(settings, cliAudit(store), changes, CLI_ORIGIN) : settings.view());
    return 0;
  }
  const history = new HistoryQuery(store);
  const userId = await accounts.userId(required(values.user, '--user'));
  const page = { limit: values.limit, before: values.before };
  print(command === 'ledger' ? await history.ledger(userId, page) : await history.requests({ userId }, { ...page, model: values.model }));
  return 0;
}

const PRICE_FLAGS = ['input-per-mtok', 'cached-input-per-mtok', 'output-per-mtok'] as const;

/** `models list | set | enable | disable`: the price catalog, changed as the admin API changes it (an override in the database). */
async function modelsCommand(sub: string | undefined, ref: string | undefined, values: Values, catalog: CatalogService, store: Store): Promise<number> {
  await catalog.refresh();
  if (sub === 'list') {
    print(catalog.list().filter((m) => values.provider === undefined || m.provider === values.provider));
    return 0;
  }
  const model = required(ref, 'PROVIDER/MODEL');
  if (sub === 'enable' || sub === 'disable') {
    print(await putModelAudited(catalog, cliAudit(store), model, { enabled: sub === 'enable' }, CLI_ORIGIN));
    return 0;
  }
  if (sub !== 'set') throw new GatewayError('TG_ERR_BAD_REQUEST', `unknown command "models ${sub ?? ''}": list, set, enable or disable.`);
  const prices: Record<string, unknown> = { ...(catalog.get(model).prices as Record<string, unknown> | undefined) };
  for (const flag of PRICE_FLAGS) if (values[flag] !== undefined) prices[flag.replace(/-/g, '_')] = values[flag];
  print(await putModelAudited(catalog, cliAudit(store), model, { prices }, CLI_ORIGIN));
  return 0;
}

/**
 * The default database is `./data/tollgate.db` under the directory a command runs in: a CLI run elsewhere than
 * the server would quietly create (and credit) a database of its own.
 */
function warnOfNewDatabase(config: Config): void {
  if (config.sqliteFile === undefined || config.sqliteFile === ':memory:' || existsSync(config.sqliteFile)) return;
  process.stderr.write(
    `tollgate: warning: there is no database at ${config.sqliteFile} yet, so this command creates a new one. ` +
      "The server's is ./data/tollgate.db in the directory it runs from (or its DATA_DIR, --data-dir or DATABASE_URL): run the CLI there, or give it the same.\n",
  );
}

function flagValue(value: string, flag: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new GatewayError('TG_ERR_BAD_REQUEST', `${flag} takes true or false.`);
}


function isArgError(err: unknown): boolean {
  return err instanceof TypeError && ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false);
}

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof GatewayError || err instanceof ConfigError) process.stderr.write(`tollgate: ${err.message}\n`);
    else if (isArgError(err)) process.stderr.write(`tollgate: ${(err as Error).message}\n\n${USAGE}\n`);
    else process.stderr.write(`tollgate: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof GatewayError || err instanceof ConfigError || isArgError(err) ? 2 : 1);
  },
);
