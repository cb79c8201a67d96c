import { GatewayError } from '../../core/errors.js';
import { modelAllowed } from '../../core/model-patterns.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Principal } from '../auth/authenticator.js';
import type { CatalogService, ModelView } from '../catalog/catalog-service.js';

/** `created` of every listed model: the catalog does not record release dates (2025-01-01T00:00:00Z). */
const LISTED_AT = 1_735_689_600;

export interface UnifiedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  context_window: number | null;
  max_output_tokens: number | null;
  ops: readonly string[];
  /** USD per unit as decimal strings, the catalog's own names (`input_per_mtok`…). */
  prices: unknown;
  /** Present when the provider has announced the model's retirement; the model is still served meanwhile. */
  deprecated?: { date: string | null; replacement: string | null };
}

/** `GET /v1/models`: every enabled catalog model the key may use, named `provider/model`. */
export class ModelsView {
  constructor(
    private readonly catalog: CatalogService,
    private readonly providers: ProviderRegistry,
  ) {}

  list(principal: Principal): { object: 'list'; data: UnifiedModel[] } {
    const data = this.catalog
      .list()
      .filter((model) => model.enabled && this.allowed(principal, model))
      .map(toUnified);
    return { object: 'list', data };
  }

  get(principal: Principal, id: string): UnifiedModel {
    const model = this.catalog.list().find((m) => m.enabled && (m.id === id || this.bareMatch(m, id)));
    if (!model || !this.allowed(principal, model)) {
      throw new GatewayError('TG_ERR_MODEL_NOT_FOUND', `The model ${id} does not exist or is not available on this gateway.`);
    }
    return toUnified(model);
  }

  private bareMatch(model: ModelView, id: string): boolean {
    const slash = id.indexOf('/');
    if (slash > 0) {
      const provider = this.providers.get(id.slice(0, slash));
      const name = id.slice(slash + 1);
      return provider?.id === model.provider && (model.model === name || model.aliases.includes(name));
    }
    return model.model === id || model.aliases.includes(id);
  }

  private allowed(principal: Principal, model: ModelView): boolean {
    return modelAllowed(principal.models, this.providers.namesOf(model.provider), model.model);
  }

}

function toUnified(model: ModelView): UnifiedModel {
  return {
    id: model.id,
    object: 'model',
    created: LISTED_AT,
    owned_by: model.provider,
    context_window: model.context_window,
    max_output_tokens: model.max_output_tokens,
    ops: model.ops,
    prices: model.prices,
    ...(model.deprecated ? { deprecated: model.deprecated } : {}),
  };
}
