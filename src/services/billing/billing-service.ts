import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { modelAllowed } from '../../core/model-patterns.js';
import { newId } from '../../lib/ids.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { NewRequestRow, ReserveOutcome, SettleOutcome, Store } from '../../store/index.js';
import type { Principal } from '../auth/authenticator.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import type { BillingSettingsService } from '../settings/billing-settings.js';
import { estimateCost, type CostBasis, type UsageBounds } from './estimate-cost.js';
import { InterruptedCalls } from './interrupted-calls.js';
import { monthOf } from './month.js';

export { monthOf } from './month.js';
import type { NativeEndpoint } from '../../core/native-endpoint.js';

export const INSUFFICIENT_BALANCE = 'Insufficient balance to run this request.';
/** The key's own limits, not the account's money, refused: the customer tops up nothing, the key's owner raises a limit. */
export const KEY_LIMIT_REACHED = "This API key's spending limit (its budget or its monthly limit) does not leave enough for this request.";
export const KEY_BUDGET_SPENT = "This API key's budget is spent: what is left of it does not cover this request. Raise the key's budget or use another key.";
export const KEY_MONTH_SPENT =
  "This API key's monthly limit is reached: what is left of it this month does not cover this request. It renews on the 1st (UTC); raise the limit or use another key.";
/** The 402's message per refusing limit; the balance's is ProxyAPI's own text. */
const REFUSAL_MESSAGES: Record<Exclude<ReserveOutcome, 'ok'>, string> = {
  key_budget: KEY_BUDGET_SPENT,
  key_monthly: KEY_MONTH_SPENT,
  key_limit: KEY_LIMIT_REACHED,
  balance: INSUFFICIENT_BALANCE,
};

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
  /**
   * The request as it is admitted, recorded (in flight) with its hold before anything is forwarded; the
   * estimate's input tokens are written into it (it is the caller's to give away). A crash leaves it in history as interrupted.
   */
  inFlight?: NewRequestRow;
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
  /** Token-billed calls: the most usage the provider can truthfully report (estimate-cost.ts). */
  bounds?: UsageBounds;
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
  /** Shared stores: how long a node's lease lasts; a node silent for longer is dead and its calls are settled. */
  leaseMs: number;
  /** Told of each settled charge, what was actually charged (the charged-money metric). */
  onCharged?: ((micro: number) => void) | undefined;
}

const SWEEP_EVERY_MS = 30_000;
const SWEEP_BATCH = 500;
const SETTLE_RETRIES = 5;
const STORE_UNAVAILABLE = 'The gateway cannot record charges right now (its database refuses writes); retry shortly.';

/**
 * Admission (permissions, price, estimate, hold) before a call is forwarded, and settlement (charge or
 * release) after it, for every surface. The money rules live in the store's reserve/settle steps so they
 * hold across nodes; this service decides what to hold and what to charge.
 */
export class BillingService {
  private sweeper: NodeJS.Timeout | undefined;
  private lease: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Holds this process placed whose call has not settled yet (the holds gauge); a second settle of one is not counted. */
  private openHolds = 0;
  private readonly holding = new WeakSet<Admission>();
  private readonly interrupted: InterruptedCalls;

  constructor(
    private readonly store: Store,
    private readonly catalog: CatalogService,
    private readonly settings: BillingSettingsService,
    private readonly providers: ProviderRegistry,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: BillingOptions,
  ) {
    this.interrupted = new InterruptedCalls(store, catalog, settings, clock, log);
  }

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
    if (!settings.usdRubRate && !settings.allowUnpricedModels) {
      throw new GatewayError(
        'TG_ERR_UNAVAILABLE',
        'The gateway has no USD→RUB rate, so it cannot bill any call: its operator sets one with PUT /admin/settings {"usd_rub_rate": "…"} or the USD_RUB_RATE variable.',
      );
    }
    const estimate = estimateCost(model.entry, req.basis, settings);
    if (!estimate.ok) {
      if (settings.allowUnpricedModels) return admission;
      throw new GatewayError('TG_ERR_MODEL_NOT_PRICED', `The model ${req.model} has no ${estimate.missing} on this gateway, so the request cannot be billed.`);
    }

    const now = this.clock.now();
    const inFlight = req.inFlight;
    if (inFlight) {
      inFlight.input_tokens = estimate.inputTokens;
      inFlight.usage_source = 'estimated';
    }
    // A store that refuses writes cannot record the charge: nothing is forwarded until it takes them again.
    if (this.store.billing.failing()) throw new GatewayError('TG_ERR_UNAVAILABLE', STORE_UNAVAILABLE);
    const outcome = await this.store.billing.reserve({
      requestId: req.requestId,
      userId: principal.userId,
      keyId: principal.keyId,
      amountMicro: estimate.micro,
      period: monthOf(now),
      nodeId: this.options.nodeId,
      now,
      expiresAt: now + this.options.holdTtlMs,
      ...(inFlight ? { request: inFlight } : {}),
    });
    if (outcome !== 'ok') throw new GatewayError('TG_ERR_INSUFFICIENT_BALANCE', REFUSAL_MESSAGES[outcome]);
    admission.holdMicro = estimate.micro;
    admission.billed = true;
    this.holding.add(admission);
    this.openHolds++;
    admission.estimatedInputTokens = estimate.inputTokens;
    if (estimate.bounds) admission.bounds = estimate.bounds;
    return admission;
  }

  /**
   * Charges a finished call (`charge` undefined or 0: releases its hold) and writes its history row
   * (`request`) with it. Resolves once the store has written it (or refused to: it is then retried in the
   * background), so the caller can finish the client's answer only after its charge is durable. Never
   * rejects.
   */
  settle(admission: Admission, charge: Charge | undefined, request?: NewRequestRow): Promise<void> {
    if (!admission.billed) return Promise.resolve();
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => (firstAttempt = resolve));
    const work = this.settleWithRetry(admission, charge, request, firstAttempt).finally(() => {
      if (this.holding.delete(admission)) this.openHolds--;
      firstAttempt();
      this.inFlight.delete(work);
    });
    this.inFlight.add(work);
    return attempted;
  }

  /**
   * Before serving: proves the store takes writes (else the start fails with the reason), takes this
   * node's lease, and settles what a crash interrupted — on SQLite every call left in flight, on
   * PostgreSQL this node's earlier holds and those of nodes whose lease ran out (checked again every
   * third of a lease). Expired holds are released every half minute, a last resort.
   */
  async start(): Promise<void> {
    const startedAt = this.clock.now();
    try {
      await this.store.billing.checkWritable(startedAt);
    } catch (err) {
      throw new Error(`the database cannot be written (${(err as Error).message}): check its permissions, free disk space and that it is not read-only`);
    }
    if (this.options.ownsAllHolds) {
      await this.interrupted.recover(await this.store.billing.interruptedOnStart());
      await this.store.billing.flush();
      await this.releaseStale({ all: true });
    } else {
      await this.store.billing.heartbeat(this.options.nodeId, startedAt, this.options.leaseMs);
      await this.recoverDeadNodes(startedAt);
      this.lease = setInterval(() => {
        this.store.billing
          .heartbeat(this.options.nodeId, startedAt, this.options.leaseMs)
          .then(() => this.recoverDeadNodes(startedAt))
          .catch((err: unknown) => this.log.warn({ err }, 'renewing the node lease or settling dead nodes failed'));
      }, Math.max(250, Math.floor(this.options.leaseMs / 3)));
      this.lease.unref();
    }
    this.sweeper = setInterval(() => {
      this.releaseStale({ expiredAt: this.clock.now() }).catch((err: unknown) => this.log.warn({ err }, 'releasing expired holds failed'));
    }, SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  /** True while the store refuses to write admissions or charges (paid calls are refused meanwhile). */
  failing(): boolean {
    return this.store.billing.failing();
  }

  /** Holds placed by this process and not settled yet. */
  holdsActive(): number {
    return this.openHolds;
  }

  /**
   * Charges computed and not written yet: settlements under way, or what the store's batch still holds
   * (SQLite: queued or being written, and kept while the file refuses writes, when no settlement waits).
   */
  pendingCharges(): number {
    return Math.max(this.inFlight.size, this.store.billing.unwritten().length);
  }

  /** Resolves when every settlement under way has been written. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.store.billing.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.lease);
    try {
      await this.idle();
    } catch (err) {
      // Nothing is dropped silently: what could not be written is logged whole, for the operator to replay.
      this.log.error({ err, unwritten: this.store.billing.unwritten() }, 'writing the last charges failed');
    }
  }

  private async recoverDeadNodes(startedAt: number): Promise<void> {
    for (;;) {
      const holds = await this.store.billing.orphanHolds({ nodeId: this.options.nodeId, startedBefore: startedAt }, SWEEP_BATCH);
      await this.interrupted.recoverHolds(holds.map((hold) => hold.requestId));
      if (holds.length < SWEEP_BATCH) return;
    }
  }

  private async settleWithRetry(admission: Admission, charge: Charge | undefined, request: NewRequestRow | undefined, attempted: () => void): Promise<void> {
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
          ...(request ? { request } : {}),
        });
        this.reportCap(admission, charge, outcome);
        if (typeof outcome === 'number') this.options.onCharged?.(outcome);
        return;
      } catch (err) {
        attempted(); // the client's answer is not held back while the store is retried
        if (attempt >= SETTLE_RETRIES) {
          // The hold stays and expires; the request row keeps its cost for reconciliation.
          this.log.error({ err, requestId: admission.requestId, costMicro: charge?.costMicro ?? 0 }, 'settling a request failed');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt).unref());
      }
    }
  }

  private reportCap(admission: Admission, charge: Charge | undefined, outcome: SettleOutcome): void {
    if (typeof outcome === 'number' && charge && outcome < charge.costMicro) {
      this.log.warn({ requestId: admission.requestId, cost: charge.costMicro, charged: outcome }, 'charge capped by the money left');
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
