import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { modelAllowed } from '../../core/model-patterns.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Store } from '../../store/index.js';
import type { Principal } from '../auth/authenticator.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import { estimateCost, type CostBasis } from './estimate-cost.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';

export const INSUFFICIENT_BALANCE = 'Insufficient balance to run this request.';

export interface AdmissionRequest {
  requestId: string;
  principal: Principal;
  provider: string;
  /** The model the request names (body or path), when it names one. */
  model: string | null;
  /** Set for calls that cost money; undefined for free ones (model lists, token counting, files…). */
  basis: CostBasis | undefined;
  /**
   * What the endpoint is (native calls): `later-billed` (batches, fine-tuning…) and `unknown` ones cannot
   * be metered and are served, free, only when the operator allows unpriced calls.
   */
  endpoint?: NativeEndpoint['kind'];
  /** `POST /v1/files`: the call, for the refusal's message. */
  call?: string;
}

/** A call let through. `holdMicro` is what was reserved for it; `billed` false means it is served free. */
export interface Admission {
  requestId: string;
  userId: string;
  keyId: string;
  holdMicro: number;
  billed: boolean;
  /** The input tokens the estimate counted, to bill a cut stream that reported none. */
  estimatedInputTokens: number;
}

export interface Charge {
  costMicro: number;
  costUsd: string | null;
  usdNano: number | null;
  usdRubRate: string | null;
}

export interface BillingOptions {
  /** Identifies this process's holds, so a restart can release what a crash left behind. */
  nodeId: string;
  /** Last resort for holds whose request never settled (a crashed node): released after this long. */
  holdTtlMs: number;
  /** When the store is one node's own (SQLite), every hold found at start-up is an orphan. */
  ownsAllHolds: boolean;
}

const SWEEP_EVERY_MS = 30_000;
const SWEEP_BATCH = 500;
const SETTLE_RETRIES = 5;

/**
 * Admission (permissions, price, estimate, hold) before a call is forwarded, and settlement (charge or
 * release) after it, for every surface. The money rules live in the store's reserve/settle steps so they
 * hold across nodes; this service decides what to hold and what to charge.
 */
export class BillingService {
  private sweeper: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly catalog: CatalogService,
    private readonly settings: BillingSettingsService,
    private readonly providers: ProviderRegistry,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: BillingOptions,
  ) {}

  /**
   * Refuses with a GatewayError (403 model not allowed, 404 unknown model, 402 insufficient money) or
   * returns the admission; nothing is held for free calls.
   */
  async admit(req: AdmissionRequest): Promise<Admission> {
    const { principal } = req;
    const admission: Admission = {
      requestId: req.requestId,
      userId: principal.userId,
      keyId: principal.keyId,
      holdMicro: 0,
      billed: false,
      estimatedInputTokens: 0,
    };
    if (req.model !== null && !modelAllowed(principal.models, this.providers.namesOf(req.provider), req.model)) {
      throw new GatewayError('TG_ERR_FORBIDDEN', `This API key is not allowed to use the model ${req.model}.`);
    }
    const settings = this.settings.get();
    if (req.endpoint === 'later-billed' && !settings.allowUnpricedModels) {
      throw new GatewayError(
        'TG_ERR_FORBIDDEN',
        'This endpoint starts work the provider bills later (batches, fine-tuning, runs, video, caches), which this gateway cannot meter; it is disabled.',
      );
    }
    if (req.endpoint === 'unknown' && !settings.allowUnpricedModels) {
      throw new GatewayError(
        'TG_ERR_NOT_FOUND',
        `${req.call ?? 'This endpoint'} is not served by this gateway: it forwards only the endpoints it meters or knows to be free.`,
      );
    }
    if (!req.basis) return admission;

    const model = req.model === null ? undefined : this.catalog.find(req.provider, req.model);
    if (model && !model.entry.enabled) throw new GatewayError('TG_ERR_MODEL_NOT_FOUND', `The model ${req.model} is disabled on this gateway.`);
    if (!model) {
      if (settings.allowUnpricedModels) return admission;
      throw new GatewayError(
        'TG_ERR_MODEL_NOT_FOUND',
        req.model === null
          ? 'The request names no model, so its price is unknown.'
          : `The model ${req.model} is not available on this gateway (not in the price catalog).`,
      );
    }
    const estimate = estimateCost(model.entry, req.basis, settings);
    if (!estimate.ok) {
      if (settings.allowUnpricedModels) return admission;
      throw new GatewayError('TG_ERR_MODEL_NOT_PRICED', `The model ${req.model} has no ${estimate.missing} on this gateway, so the request cannot be billed.`);
    }

    const now = this.clock.now();
    const outcome = await this.store.billing.reserve({
      requestId: req.requestId,
      userId: principal.userId,
      keyId: principal.keyId,
      amountMicro: estimate.micro,
      period: monthOf(now),
      nodeId: this.options.nodeId,
      now,
      expiresAt: now + this.options.holdTtlMs,
    });
    if (outcome !== 'ok') throw new GatewayError('TG_ERR_INSUFFICIENT_BALANCE', INSUFFICIENT_BALANCE);
    admission.holdMicro = estimate.micro;
    admission.billed = true;
    admission.estimatedInputTokens = estimate.inputTokens;
    return admission;
  }

  /**
   * Charges a finished call (`charge` undefined or 0: releases its hold). Runs in the background and
   * retries; never throws to the request path.
   */
  settle(admission: Admission, charge: Charge | undefined): void {
    if (!admission.billed) return;
    const work = this.settleWithRetry(admission, charge).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Releases orphans now and then every half minute. */
  async start(): Promise<void> {
    await this.releaseStale(this.options.ownsAllHolds ? { all: true } : { nodeId: this.options.nodeId, expiredAt: this.clock.now() });
    this.sweeper = setInterval(() => {
      this.releaseStale({ expiredAt: this.clock.now() }).catch((err: unknown) => this.log.warn({ err }, 'releasing expired holds failed'));
    }, SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  /** Resolves when every settlement under way has been written. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.store.billing.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    try {
      await this.idle();
    } catch (err) {
      this.log.error({ err }, 'writing the last charges failed');
    }
  }

  private async settleWithRetry(admission: Admission, charge: Charge | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const now = this.clock.now();
        const outcome = await this.store.billing.settle({
          requestId: admission.requestId,
          userId: admission.userId,
          keyId: admission.keyId,
          costMicro: charge?.costMicro ?? 0,
          costUsd: charge?.costUsd ?? null,
          usdNano: charge?.usdNano ?? null,
          usdRubRate: charge?.usdRubRate ?? null,
          period: monthOf(now),
          ledgerId: newId('led', now),
          now,
        });
        if (typeof outcome === 'number' && charge && outcome < charge.costMicro) {
          this.log.warn({ requestId: admission.requestId, cost: charge.costMicro, charged: outcome }, 'charge capped by the money left');
        }
        return;
      } catch (err) {
        if (attempt >= SETTLE_RETRIES) {
          // The hold stays and expires; the request row keeps its cost for reconciliation.
          this.log.error({ err, requestId: admission.requestId }, 'settling a request failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private async releaseStale(filter: { expiredAt?: number; nodeId?: string; all?: boolean }): Promise<void> {
    for (;;) {
      const ids = await this.store.billing.staleHolds(filter, SWEEP_BATCH);
      for (const id of ids) await this.store.billing.release(id);
      if (ids.length > 0) this.log.info({ released: ids.length }, 'released holds of requests that never settled');
      if (ids.length < SWEEP_BATCH) return;
    }
  }
}

let cachedMonth = { from: 0, to: -1, name: '' };

/** `YYYY-MM` in UTC: the period a key's monthly limit counts. Called per request, so the month is cached. */
export function monthOf(epochMs: number): string {
  if (epochMs >= cachedMonth.from && epochMs < cachedMonth.to) return cachedMonth.name;
  const date = new Date(epochMs);
  const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const to = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  cachedMonth = { from, to, name: date.toISOString().slice(0, 7) };
  return cachedMonth.name;
}
