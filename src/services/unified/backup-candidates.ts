import { GatewayError, isGatewayError } from '../../core/errors.js';
import type { Op } from '../../core/ops.js';
import type { UnifiedCall } from './dialect-calls.js';
import type { ModelRouter, RoutedModel } from './model-router.js';

/** Failures of a candidate before anything reached the client, after which its backup is tried. */
const CANDIDATE_FAILURES = new Set(['TG_ERR_UNAVAILABLE', 'TG_ERR_UPSTREAM_UNREACHABLE', 'TG_ERR_UPSTREAM_TIMEOUT', 'TG_ERR_PROVIDER_NOT_CONFIGURED']);

export type CandidateRun = (call: UnifiedCall, routed: RoutedModel) => Promise<void>;

/**
 * Botech's rule: when a model's provider fails before the answer starts (connection, timeout, 429, 5xx),
 * its first usable backup from the catalog (`fallbacks`) is tried once; if that fails too, 503. A call
 * whose answer has started is never tried again.
 */
export class BackupCandidates {
  constructor(
    private readonly router: ModelRouter,
    private readonly firstByteTimeoutMs: number,
  ) {}

  async run(call: UnifiedCall, routed: RoutedModel, op: Op, run: CandidateRun): Promise<void> {
    const backup = this.backupOf(routed, op);
    if (!backup) return run(call, routed);
    const failover = { firstByteTimeoutMs: this.firstByteTimeoutMs };
    let first: GatewayError;
    try {
      return await run({ ...call, failover }, routed);
    } catch (err) {
      if (!isGatewayError(err) || !CANDIDATE_FAILURES.has(err.code)) throw err;
      first = err;
    }
    try {
      return await run({ ...call, failover }, backup);
    } catch (err) {
      // Whatever stops the backup (its provider failing, or it refusing this request) leaves the model unavailable.
      if (!isGatewayError(err)) throw err;
      const name = `${backup.provider.id}/${backup.upstreamModel}`;
      throw new GatewayError('TG_ERR_UNAVAILABLE', `The model ${routed.requested} is unavailable: ${first.message} Its backup ${name} failed too: ${err.message}`);
    }
  }

  /** The first fallback in the catalog, enabled and serving `op`; it answers under the client's model name. */
  private backupOf(routed: RoutedModel, op: Op): RoutedModel | undefined {
    for (const name of routed.catalog?.entry.fallbacks ?? []) {
      let backup: RoutedModel;
      try {
        backup = this.router.route(name, op);
      } catch {
        continue; // removed, disabled, or not serving this operation
      }
      if (backup.catalog) return { ...backup, requested: routed.requested };
    }
    return undefined;
  }
}
