import type { Logger } from 'pino';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import { INTERRUPTED, type NewRequestRow, type Store } from '../../store/index.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import { priceUsage } from '../metering/price-usage.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import { monthOf } from './month.js';

const BATCH = 200;
const INTERRUPTED_NOTE = 'interrupted: charged the estimated input';

/**
 * Calls a crash interrupted: admitted (recorded in flight, money held) but never finished, because the
 * process or its node died. The provider has most likely run the prompt, so each is charged by the
 * written rule — the admission estimate's input tokens (an upper bound of the prompt) at the model's
 * input price, never more than the account and key can pay — its hold released, and its history row
 * kept as `interrupted` with what was charged, in one transaction per call (idempotent: a call settled
 * before, or by another node at the same time, is not charged again).
 */
export class InterruptedCalls {
  constructor(
    private readonly store: Store,
    private readonly catalog: CatalogService,
    private readonly settings: BillingSettingsService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The calls an earlier life of this process left in flight (SQLite: one process owns the file). */
  async recover(rows: readonly NewRequestRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) await Promise.all(rows.slice(i, i + BATCH).map((row) => this.settle(row)));
    if (rows.length > 0) this.log.warn({ interrupted: rows.length }, 'charged the calls a crash interrupted');
  }

  /** The calls behind holds whose node is dead (PostgreSQL); holds without an admission row are released. */
  async recoverHolds(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length === 0) return;
    const rows = await this.store.requests.inFlight(requestIds.length, requestIds);
    const known = new Set(rows.map((row) => row.id));
    await Promise.all(rows.map((row) => this.settle(row)));
    for (const id of requestIds) if (!known.has(id)) await this.store.billing.release(id);
    this.log.warn({ interrupted: rows.length, released: requestIds.length - rows.length }, 'settled the calls of a gateway node that died');
  }

  private async settle(row: NewRequestRow): Promise<void> {
    if (!row.user_id || !row.key_id) return;
    const now = this.clock.now();
    const priced =
      row.provider && row.model
        ? priceUsage(this.catalog, this.settings, row.provider, [row.model], { inputTokens: row.input_tokens ?? 0, outputTokens: 0 })
        : undefined;
    const costMicro = priced?.costMicro ?? 0;
    await this.store.billing.settle({
      requestId: row.id,
      userId: row.user_id,
      keyId: row.key_id,
      costMicro,
      costUsd: priced?.costUsd ?? null,
      usdNano: priced?.usdNano ?? null,
      usdRubRate: priced?.usdRubRate ?? null,
      period: monthOf(now),
      ledgerId: newId('led', now),
      now,
      note: INTERRUPTED_NOTE,
      request: {
        ...row,
        error: INTERRUPTED,
        latency_ms: Math.max(0, now - row.created_at),
        output_tokens: 0,
        cost_micro: priced?.costMicro ?? null,
        cost_usd: priced?.costUsd ?? null,
        usd_rub_rate: priced?.usdRubRate ?? null,
        price_version: priced?.priceVersion ?? null,
      },
    });
  }
}
