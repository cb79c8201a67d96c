import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import type { AuditActor, AuditLog } from '../../services/audit/audit-log.js';
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
export async function putModelAudited(services: Services, request: FastifyRequest, actor: AuditActor, ref: string, body: unknown): Promise<ModelView> {
  const before = findModel(services, ref);
  const after = await services.catalog.put(ref, body);
  const fields = Object.keys(body as object);
  await recordAdminAction(services.audit, request, actor, before ? 'model.update' : 'model.create', after.id, {
    before: before ? pick(before, fields) : null,
    after: pick(after, fields),
  });
  return after;
}

/** Changes the billing settings (rate, markup, unpriced models) and audits the values before and after. */
export async function putSettingsAudited(services: Services, request: FastifyRequest, actor: AuditActor, body: unknown): Promise<BillingSettingsView> {
  const before = services.billingSettings.view();
  const after = await services.billingSettings.update(body);
  const fields = Object.keys(body as object);
  await recordAdminAction(services.audit, request, actor, 'settings.update', null, { before: pick(before, fields), after: pick(after, fields) });
  return after;
}

function findModel(services: Services, ref: string): ModelView | undefined {
  try {
    return services.catalog.get(ref);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'TG_ERR_NOT_FOUND') return undefined;
    throw err;
  }
}

/** The named fields of a view (`replacement` is part of `deprecated` there). */
function pick(view: object, fields: readonly string[]): Record<string, unknown> {
  const values = view as Record<string, unknown>;
  return Object.fromEntries(fields.map((field) => (field === 'replacement' ? ['deprecated', values['deprecated']] : [field, values[field] ?? null])));
}
