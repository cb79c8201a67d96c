import { GatewayError, badRequest } from '../../core/errors.js';
import type { Op } from '../../core/ops.js';
import type { ProviderSpec } from '../../providers/index.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { CatalogModel, CatalogService } from '../catalog/catalog-service.js';

/** A unified model name resolved to the provider that serves it and the name to send upstream. */
export interface RoutedModel {
  provider: ProviderSpec;
  /** The name as the provider knows it (`claude-sonnet-4-20250514`, `mistralai/mistral-medium-3.1`). */
  upstreamModel: string;
  /** What the client asked for, echoed in responses. */
  requested: string;
  /** The catalog entry, when the model is priced here. */
  catalog: CatalogModel | undefined;
}

const MAX_MODEL_NAME = 200;

/**
 * `provider/name` (any provider id or alias; OpenRouter names keep their own slashes) or a bare name:
 * first the catalog, then the longest provider prefix (`gpt-` → openai, `claude-` → anthropic…).
 */
export class ModelRouter {
  constructor(
    private readonly providers: ProviderRegistry,
    private readonly catalog: CatalogService,
  ) {}

  route(requested: unknown, op: Op): RoutedModel {
    if (typeof requested !== 'string' || requested.length === 0) throw badRequest("'model' is required: a model name such as \"openai/gpt-4o\".", 'model');
    if (requested.length > MAX_MODEL_NAME) throw badRequest("'model' is too long.", 'model');
    const routed = this.resolve(requested);
    if (!routed) throw notFound(requested);
    if (routed.catalog && !routed.catalog.entry.enabled) throw notFound(requested);
    const serves = routed.catalog ? routed.catalog.entry.ops.includes(op) : routed.provider.ops.has(op);
    if (!serves) {
      throw badRequest(`The model ${requested} does not serve ${describe(op)}.`, 'model');
    }
    return routed;
  }

  private resolve(requested: string): RoutedModel | undefined {
    const slash = requested.indexOf('/');
    if (slash > 0) {
      const provider = this.providers.get(requested.slice(0, slash));
      if (provider) {
        const upstreamModel = requested.slice(slash + 1);
        if (!upstreamModel) return undefined;
        const catalog = this.catalog.find(provider.id, upstreamModel);
        return { provider, upstreamModel: catalog?.entry.id ?? upstreamModel, requested, catalog };
      }
      return undefined;
    }
    for (const provider of this.providers.all) {
      const catalog = this.catalog.find(provider.id, requested);
      if (catalog) return { provider, upstreamModel: catalog.entry.id, requested, catalog };
    }
    let best: { provider: ProviderSpec; length: number } | undefined;
    for (const provider of this.providers.all) {
      for (const prefix of provider.modelPrefixes) {
        if (requested.startsWith(prefix) && prefix.length > (best?.length ?? 0)) best = { provider, length: prefix.length };
      }
    }
    return best ? { provider: best.provider, upstreamModel: requested, requested, catalog: undefined } : undefined;
  }
}

function notFound(requested: string): GatewayError {
  return new GatewayError('TG_ERR_MODEL_NOT_FOUND', `The model ${requested} does not exist or is not available on this gateway.`);
}

const OP_NAMES: Record<Op, string> = {
  chat: 'chat completions',
  responses: 'the Responses API',
  completions: 'text completions',
  embeddings: 'embeddings',
  'images.generate': 'image generation',
  'images.edit': 'image edits',
  'audio.speech': 'speech',
  'audio.transcribe': 'transcription',
};

function describe(op: Op): string {
  return OP_NAMES[op];
}
