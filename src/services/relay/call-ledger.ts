import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import { IN_FLIGHT, IN_FLIGHT_STATUS, type NewRequestRow } from '../../store/index.js';
import type { Admission, BillingService } from '../billing/billing-service.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { CallObserver } from '../metrics/metrics-endpoint.js';
import type { Metered, UsageColumns } from '../metering/usage-columns.js';
import { asGatewayError } from '../surface-errors.js';
import type { CallOutcome } from './answer-relay.js';
import { historyRow } from './history-row.js';
import type { RelayRequest } from './relay-request.js';

export interface LedgerDeps {
  history: HistoryRecorder;
  billing: BillingService;
  clock: Clock;
  log: Logger;
  /** Metrics: told of every call once, as it is recorded (absent when /metrics is off). */
  calls?: CallObserver | undefined;
}

const RECORDED = Promise.resolve();

/**
 * The money and history of one call: its admission (the hold), and its record at the end — a billed
 * call settles (charge and history row in one write), any other call only writes its history row.
 */
export class CallLedger {
  admission: Admission | undefined;
  /** When the upstream answer's head arrived (epoch ms), for the TTFB metric. */
  firstByteAt: number | undefined;

  constructor(
    private readonly req: RelayRequest,
    readonly requestId: string,
    readonly model: string | null,
    private readonly deps: LedgerDeps,
  ) {}

  /** The row written with the admission, so a crash mid-call still leaves the call in the history. */
  inFlightRow(): NewRequestRow {
    return this.row({ status: IN_FLIGHT_STATUS, error: IN_FLIGHT, upstreamId: null, stream: this.req.fields['stream'] === true });
  }

  /** Records the call (and settles its admission); resolves once that is durable. */
  record(outcome: CallOutcome, metered?: Metered): Promise<void> {
    const request = this.row(outcome, metered?.columns);
    logCall(this.deps.log, this.req.principal.keyPrefix, request);
    this.deps.calls?.observeCall(request, this.firstByteAt === undefined ? undefined : this.firstByteAt - this.req.startedAt);
    if (metered?.capped) {
      this.deps.log.warn({ requestId: this.requestId, reported: metered.capped, billed: metered.columns }, 'usage above what the request allowed: billed at the bound');
    }
    const admission = this.admission;
    if (!admission?.billed) {
      this.deps.history.record(request);
      return RECORDED;
    }
    const charge = metered ? (metered.charge ?? this.unpricedCharge(admission, metered.columns)) : undefined;
    return this.deps.billing.settle(admission, charge, request);
  }

  /** A call refused before it was sent, or the store failing: recorded as the caller will answer it. */
  refused(err: unknown): void {
    const failure = asGatewayError(err);
    void this.record({ status: failure.status, error: failure.historyError ?? failure.code, upstreamId: null, stream: this.req.fields['stream'] === true });
  }

  private row(outcome: CallOutcome, usage?: UsageColumns): NewRequestRow {
    const latencyMs = this.deps.clock.now() - this.req.startedAt;
    return historyRow(this.req, this.requestId, this.model, outcome, latencyMs, usage);
  }

  /**
   * A billed call whose usage could not be priced at the end (a price the admission did not need, such
   * as a 1-hour cache write, is missing): the hold is charged rather than nothing, and the admin is told.
   */
  private unpricedCharge(admission: Admission, columns: UsageColumns) {
    if (!admission.billed || columns.usage_source === 'none' || columns.usage_source === undefined) return undefined;
    this.deps.log.error({ requestId: admission.requestId }, 'a billed call could not be priced from its usage; charged its hold');
    return { costMicro: admission.holdMicro, costUsd: null, usdNano: null, usdRubRate: null };
  }
}

/**
 * The access log: one `info` line per relayed call, refused ones included, so an operator sees what a
 * client called without the database. Flat fields of the history row (pino serialises them in ~1 µs);
 * `cost_micro_rub` is the priced cost, before any cap the settlement applies (that is logged apart).
 */
function logCall(log: Logger, keyPrefix: string, row: NewRequestRow): void {
  if (!log.isLevelEnabled('info')) return;
  log.info(
    {
      request_id: row.id,
      method: row.method,
      surface: row.surface,
      provider: row.provider,
      path: row.path,
      status: row.status,
      model: row.model,
      stream: row.stream === 1,
      input_tokens: row.input_tokens,
      cached_tokens: row.cached_tokens,
      output_tokens: row.output_tokens,
      reasoning_tokens: row.reasoning_tokens,
      cost_micro_rub: row.cost_micro,
      latency_ms: row.latency_ms,
      key_prefix: keyPrefix,
      error: row.error,
    },
    'call',
  );
}
