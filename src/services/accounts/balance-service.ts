import { GatewayError, unauthorized } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { KeyRow, Store, UserRow } from '../../store/index.js';
import type { Principal } from '../auth/authenticator.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import {
  balanceView,
  meView,
  monthOf,
  proxyApiBalanceView,
  usageView,
  type BalanceView,
  type MeView,
  type ProxyApiBalanceView,
  type UsageView,
} from './balance-views.js';

/**
 * The money endpoints a client calls with its own key. Rows are read fresh from the store (not from the
 * authentication cache), so a credit, a limit change or a settled charge shows at once. Months are UTC.
 *
 * Only ProxyAPI's `/proxyapi/balance` is gated by the key's `allow_balance` (ProxyAPI's own rule: balance
 * access is off until enabled per key). Botech's `/v1/me`, `/v1/balance` and `/v1/usage` have no such flag
 * there and answer any valid key.
 */
export class BalanceService {
  constructor(
    private readonly store: Store,
    private readonly settings: BillingSettingsService,
    private readonly clock: Clock,
  ) {}

  async proxyApiBalance(principal: Principal): Promise<ProxyApiBalanceView> {
    const { user, key } = await this.rows(principal);
    if (key.allow_balance !== 1) {
      throw new GatewayError('TG_ERR_FORBIDDEN', 'This API key is not allowed to read the balance. Enable balance access (allow_balance) for the key.');
    }
    return proxyApiBalanceView(user, key, monthOf(this.clock.now()));
  }

  async me(principal: Principal): Promise<MeView> {
    const month = monthOf(this.clock.now());
    const [{ user, key }, spend] = await Promise.all([this.rows(principal), this.store.spend.keySpend(principal.keyId, month.start)]);
    return meView(user, key, spend);
  }

  async balance(principal: Principal): Promise<BalanceView> {
    const month = monthOf(this.clock.now());
    const [{ user, key }, spend] = await Promise.all([this.rows(principal), this.store.spend.keySpend(principal.keyId, month.start)]);
    return balanceView(user, key, spend, month, this.settings.get());
  }

  async usage(principal: Principal): Promise<UsageView> {
    const month = monthOf(this.clock.now());
    return usageView(principal.keyId, await this.store.spend.keySpend(principal.keyId, month.start), month);
  }

  private async rows(principal: Principal): Promise<{ user: UserRow; key: KeyRow }> {
    await this.store.billing.flush(); // charges settled a moment ago count
    const [user, key] = await Promise.all([this.store.users.findById(principal.userId), this.store.keys.findById(principal.keyId)]);
    // Gone between authentication and now: answer as authentication would have.
    if (!user || !key || key.user_id !== user.id) throw unauthorized('Invalid API key.');
    const local = this.store.billing.localHolds(user.id, key.id);
    return { user: { ...user, held_micro: user.held_micro + local.userMicro }, key: { ...key, held_micro: key.held_micro + local.keyMicro } };
  }
}
