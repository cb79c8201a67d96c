import type { NewRequestRow } from '../../store/index.js';
import type { NativeRequest } from './native-request.js';

/** What every history row of a relayed call says, before its usage and cost are known. */
export function historyRow(
  req: Pick<NativeRequest, 'principal' | 'surface' | 'provider' | 'method' | 'path' | 'startedAt'>,
  id: string,
  model: string | null,
  outcome: { status: number; error: string | null; upstreamId: string | null; stream: boolean; latencyMs: number },
): NewRequestRow {
  return {
    id,
    user_id: req.principal.userId,
    key_id: req.principal.keyId,
    surface: req.surface,
    provider: req.provider.id,
    model,
    method: req.method,
    path: req.path.slice(0, 500),
    status: outcome.status,
    latency_ms: outcome.latencyMs,
    error: outcome.error,
    upstream_request_id: outcome.upstreamId,
    stream: outcome.stream ? 1 : 0,
    created_at: req.startedAt,
  };
}
