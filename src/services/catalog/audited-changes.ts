import { GatewayError } from '../../core/errors.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { BillingSettingsService, BillingSettingsView } from '../settings/billing-settings.js';
import type { CatalogService, ModelView } from './catalog-service.js';

/** Who asks for a change and from where: written with it to the audit log. */
export interface ChangeOrigin {
  actor: AuditActor;
  ip?: string | null;
}

/**
 * Changes a model (or adds one) as `CatalogService.put` does, and audits it — `model.update` or
 * `model.create` — with the changed fields' values before and after: who changed which price, and from what.
 * The dashboard, `/admin/*` and the CLI all change prices through here.
 */
export async function putModelAudited(catalog: CatalogService, audit: AuditLog, ref: string, body: unknown, origin: ChangeOrigin): Promise<ModelView> {
  const before = findModel(catalog, ref);
  const after = await catalog.put(ref, body); // validates the body first: past here it is an object
  const fields = Object.keys(body as object);
  await audit.record({
    ...origin,
    action: before ? 'model.update' : 'model.create',
    target: after.id,
    details: { before: before ? pick(before, fields) : null, after: pick(after, fields) },
  });
  return after;
}

/** Changes the billing settings (rate, markup, unpriced models) and audits `settings.update` with the values before and after. */
export async function updateSettingsAudited(settings: BillingSettingsService, audit: AuditLog, body: unknown, origin: ChangeOrigin): Promise<BillingSettingsView> {
  const before = settings.view();
  const after = await settings.update(body);
  const fields = Object.keys(body as object);
  await audit.record({ ...origin, action: 'settings.update', target: null, details: { before: pick(before, fields), after: pick(after, fields) } });
  return after;
}

function findModel(catalog: CatalogService, ref: string): ModelView | undefined {
  try {
    return catalog.get(ref);
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
