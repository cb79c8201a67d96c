import { badRequest, notFound } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { KeyPatch, KeyRow, Store } from '../../store/index.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { AccountLedgerView, AccountPage, AccountRequestDetail, AccountRequestView } from '../history/account-views.js';
import type { AccountRequestsQuery, HistoryQuery } from '../history/history-query.js';
import type { UsageDays, UsageSeriesView } from '../history/usage-series.js';
import { rubleModels, type RubleModelList } from '../catalog/ruble-prices.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import type { AccountsService } from './accounts-service.js';
import { monthOf, usdTextFromMicroRub } from './balance-views.js';
import { accountKeyView, type AccountKeyView } from './cabinet-views.js';
import { LIMIT_FIELDS } from './fair-use-fields.js';

/** A key's settings as the cabinet sends them: limits in micro-rubles, the expiry as ISO 8601; absent fields stay as they are. */
export interface KeySettingsInput {
  name?: string | null;
  budget_limit_micro?: number | null;
  monthly_limit_micro?: number | null;
  models?: string[] | null;
  expires_at?: string | null;
  allow_balance?: boolean;
  rpm_limit?: number | null;
  tpm_limit?: number | null;
  concurrency_limit?: number | null;
}

export interface AccountBalanceView {
  balance_micro: number;
  held_micro: number;
  available_micro: number;
  usd: string | null;
  usd_rub_rate: string | null;
  month_spend_micro: number;
  topup: { available: boolean; contact: string | null };
}

export interface QuickstartView {
  base_url: string;
  surfaces: { unified: string; openai: string; anthropic: string; gemini: string; gemini_openai: string; xai: string; deepseek: string; openrouter: string } & Record<string, string>;
}

export interface CabinetOptions {
  /** PUBLIC_URL: the origin customers reach the gateway at; without it, the origin the dashboard was loaded from. */
  publicUrl: string | undefined;
  /** TOPUP_CONTACT: how to reach the operator for a top-up. */
  topupContact: string | null;
  /** Whether customers can pay online (PAYMENTS_PROVIDER is set). */
  topupAvailable: boolean;
}

export interface CabinetDeps {
  store: Store;
  accounts: AccountsService;
  settings: BillingSettingsService;
  catalog: CatalogService;
  history: HistoryQuery;
  providers: ProviderRegistry;
  clock: Clock;
  options: CabinetOptions;
}

/**
 * The signed-in customer's own money, keys, prices and base URLs. Every method takes the account's user
 * id and reads or changes only what that user owns: another user's key is answered as missing (404),
 * exactly as a key that does not exist, so ids cannot be probed.
 */
export class CabinetService {
  constructor(private readonly deps: CabinetDeps) {}

  async balance(userId: string): Promise<AccountBalanceView> {
    const { store, settings, clock, options } = this.deps;
    await store.billing.flush(); // charges settled a moment ago count
    const month = monthOf(clock.now());
    const [user, monthSpend] = await Promise.all([store.users.findById(userId), store.spend.userChargedSince(userId, month.start)]);
    if (!user) throw notFound(`User ${userId} not found.`);
    const held = user.held_micro + store.billing.localHolds(userId, '').userMicro;
    const available = Math.max(0, user.balance_micro - held);
    return {
      balance_micro: user.balance_micro,
      held_micro: held,
      available_micro: available,
      usd: usdTextFromMicroRub(available, settings.get()),
      usd_rub_rate: settings.view().usd_rub_rate,
      month_spend_micro: monthSpend,
      topup: { available: options.topupAvailable, contact: options.topupContact },
    };
  }

  async listKeys(userId: string): Promise<{ data: AccountKeyView[] }> {
    const { store, clock } = this.deps;
    await store.billing.flush(); // the keys' spend includes charges settled a moment ago
    const now = clock.now();
    return { data: (await store.keys.listByUser(userId)).map((row) => accountKeyView(row, now)) };
  }

  /** A new key; the secret is in this answer only (the store keeps its hash). */
  async createKey(userId: string, input: KeySettingsInput): Promise<{ key: AccountKeyView; secret: string }> {
    const { row, secret } = await this.deps.accounts.insertKey(userId, keyPatchOf(input));
    return { key: accountKeyView(row, this.deps.clock.now()), secret };
  }

  /** Changes the key's settings; `status` pauses or resumes it (a revoked key stays revoked: 409). */
  async updateKey(userId: string, keyId: string, input: KeySettingsInput & { status?: 'active' | 'paused' }): Promise<{ key: AccountKeyView }> {
    const patch = keyPatchOf(input);
    if (input.status !== undefined) patch.status = input.status;
    return this.keyAnswer(await this.deps.accounts.patchKey(keyId, patch, userId));
  }

  async revokeKey(userId: string, keyId: string): Promise<{ key: AccountKeyView }> {
    return this.keyAnswer(await this.deps.accounts.patchKey(keyId, { status: 'revoked' }, userId));
  }

  /** The account's calls, newest first (HistoryQuery.accountRequests). */
  requests(userId: string, query: AccountRequestsQuery): Promise<AccountPage<AccountRequestView>> {
    return this.deps.history.accountRequests(userId, query);
  }

  /** One call of the account's; another user's id is answered 404. */
  request(userId: string, requestId: string): Promise<AccountRequestDetail> {
    return this.deps.history.accountRequest(userId, requestId);
  }

  ledger(userId: string, query: { limit?: number; before?: string }): Promise<AccountPage<AccountLedgerView>> {
    return this.deps.history.accountLedger(userId, query);
  }

  usage(userId: string, days: UsageDays): Promise<UsageSeriesView> {
    return this.deps.history.usage(userId, days);
  }

  /** Every enabled model with its prices in rubles per unit (per 1M tokens for tokens). */
  models(): RubleModelList {
    return rubleModels(this.deps.catalog.list(), this.deps.settings.get());
  }

  /** The base URL of each surface, for the quick start's snippets; `requestOrigin` serves when PUBLIC_URL is not set. */
  quickstart(requestOrigin: string): QuickstartView {
    const base = (this.deps.options.publicUrl ?? requestOrigin).replace(/\/+$/, '');
    const surfaces: Record<string, string> = { unified: `${base}/v1` };
    for (const [mount, spec] of this.deps.providers.mounts()) {
      // OpenAI-dialect SDKs take the URL with its version; Anthropic's and Google's add the version themselves.
      surfaces[spec.id] = spec.dialect === 'openai' ? `${base}${mount}/v1` : `${base}${mount}`;
      if (spec.dialect === 'gemini') surfaces[`${spec.id}_openai`] = `${base}${mount}/v1beta/openai`;
    }
    return { base_url: base, surfaces: surfaces as QuickstartView['surfaces'] };
  }

  private keyAnswer(row: KeyRow): { key: AccountKeyView } {
    return { key: accountKeyView(row, this.deps.clock.now()) };
  }
}

function keyPatchOf(input: KeySettingsInput): KeyPatch {
  const patch: KeyPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.budget_limit_micro !== undefined) patch.budget_limit_micro = input.budget_limit_micro;
  if (input.monthly_limit_micro !== undefined) patch.monthly_limit_micro = input.monthly_limit_micro;
  if (input.models !== undefined) patch.models = input.models === null ? null : JSON.stringify([...new Set(input.models)]);
  if (input.expires_at !== undefined) {
    const expiresAt = input.expires_at === null ? null : Date.parse(input.expires_at);
    if (expiresAt !== null && !Number.isFinite(expiresAt)) throw badRequest("'expires_at' must be an ISO 8601 date-time.", 'expires_at');
    patch.expires_at = expiresAt;
  }
  if (input.allow_balance !== undefined) patch.allow_balance = input.allow_balance ? 1 : 0;
  for (const field of LIMIT_FIELDS) if (input[field] !== undefined) patch[field] = input[field];
  return patch;
}
