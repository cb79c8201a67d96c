import { GatewayError, isGatewayError } from '../../core/errors.js';
import { modelAllowed } from '../../core/model-patterns.js';
import type { Op } from '../../core/ops.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Principal } from '../auth/authenticator.js';
import type { UnifiedCall } from './codec-calls.js';
import type { ModelRouter, RoutedModel } from './model-router.js';

/** Failures of a candidate before anything reached the client, after which its backup is tried. */
const CANDIDATE_FAILURES = new Set(['TG_ERR_UNAVAILABLE', 'TG_ERR_UPSTREAM_UNREACHABLE', 'TG_ERR_UPSTREAM_TIMEOUT', 'TG_ERR_PROVIDER_NOT_CONFIGURED']);

export type CandidateRun = (call: UnifiedCall, routed: RoutedModel) => Promise<void>;

export interface CandidateOptions {
  /** Operations a backup may serve the call by (`/v1/responses` is served by chat models too, bridged). */
  ops: readonly Op[];
  /** A streamed answer starts with its first event: only then is a slow provider abandoned for the backup. */
  stream: boolean;
}

/**
 * Botech's rule: when a model's provider fails before the answer starts (connection, 429, 401, 5xx, or a
 * stream with no first byte within the failover timeout), its first usable backup from the catalog
 * (`fallbacks`) is tried once; if that fails too, 503. A call whose answer has started is never tried again.
 */
export class BackupCandidates {
  constructor(
    private readonly router: ModelRouter,
    private readonly providers: ProviderRegistry,
    private readonly firstByteTimeoutMs: number,
  ) {}

  async run(call: UnifiedCall, routed: RoutedModel, options: CandidateOptions, run: CandidateRun): Promise<void> {
    const backup = this.backupOf(routed, options.ops, call.principal);
    if (!backup) return run(call, routed);
    // A whole answer's headers come only when it is complete: waiting on them would abandon slow, healthy calls.
    let first: GatewayError;
    try {
      return await run({ ...call, failover: options.stream ? { firstByteTimeoutMs: this.firstByteTimeoutMs } : {} }, routed);
    } catch (err) {
      if (!isGatewayError(err) || !CANDIDATE_FAILURES.has(err.code)) throw err;
      first = err;
    }
    try {
      // The last candidate gets the relay's usual timeouts.
      return await run({ ...call, failover: {} }, backup);
    } catch (err) {
      // Whatever stops the backup (its provider failing, or it refusing this request) leaves the model unavailable.
      if (!isGatewayError(err)) throw err;
      const name = `${backup.provider.id}/${backup.upstreamModel}`;
      throw new GatewayError('TG_ERR_UNAVAILABLE', `The model ${routed.requested} is unavailable: ${first.message} Its backup ${name} failed too: ${err.message}`);
    }
  }

  /** The first fallback in the catalog, enabled, serving one of `ops` and allowed to the key; it answers under the client's model name. */
  private backupOf(routed: RoutedModel, ops: readonly Op[], principal: Principal): RoutedModel | undefined {
    for (const name of routed.catalog?.entry.fallbacks ?? []) {
      const backup = this.routable(name, ops);
      if (!backup?.catalog) continue;
      if (!modelAllowed(principal.models, this.providers.namesOf(backup.provider.id), backup.upstreamModel)) continue;
      return { ...backup, requested: routed.requested };
    }
    return undefined;
  }

  private routable(name: string, ops: readonly Op[]): RoutedModel | undefined {
    for (const op of ops) {
      try {
        return this.router.route(name, op);
      } catch {
        // removed, disabled, or not serving this operation
      }
    }
    return undefined;
  }
}
