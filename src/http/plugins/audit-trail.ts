import type { FastifyRequest } from 'fastify';
import type { AuditActor, AuditLog } from '../../services/audit/audit-log.js';
import { putModelAudited as putModel, updateSettingsAudited } from '../../services/catalog/audited-changes.js';
import type { ModelView } from '../../services/catalog/catalog-service.js';
import type { Services } from '../../services/index.js';
import type { BillingSettingsView } from '../../services/settings/billing-settings.js';
import type { SessionAccount } from './session-account.js';

/** The dashboard admin acting (their id and email). */
export function sessionActor(account: SessionAccount): AuditActor {
  return { userId: account.userId, label: account.email };
}

/**
 * Writes one audit row for an admin action that succeeded, with the caller's address. Awaited before the
 * answer, so an action the admin saw succeed is never missing from the log.
 */
export async function recordAdminAction(
  audit: AuditLog,
  request: FastifyRequest,
  actor: AuditActor,
  action: string,
  target: string | null,
  details: Record<string, unknown> | null = null,
): Promise<void> {
  await audit.record({ actor, action, target, details, ip: request.ip });
}

/** Changes a model (or adds one) and audits it with the changed fields' values before and after. */
export function putModelAudited(services: Services, request: FastifyRequest, actor: AuditActor, ref: string, body: unknown): Promise<ModelView> {
  return putModel(services.catalog, services.audit, ref, body, { actor, ip: request.ip });
}

/** Changes the billing settings (rate, markup, unpriced models) and audits the values before and after. */
export function putSettingsAudited(services: Services, request: FastifyRequest, actor: AuditActor, body: unknown): Promise<BillingSettingsView> {
  return updateSettingsAudited(services.billingSettings, services.audit, body, { actor, ip: request.ip });
}
