import { createHash } from 'node:crypto';
import { GatewayError, badRequest, notFound } from '../../core/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Store } from '../../store/index.js';
import { asObject, rejectUnknown } from '../accounts/validate.js';
import { EntryError, parseModel, type Deprecation, type ModelEntry } from './model-entry.js';
import type { Seed, SeedModel } from './seed.js';

export interface CatalogModel {
  entry: ModelEntry;
  wire: Record<string, unknown>;
  /** `listed`: from the provider's own models list (OpenRouter's), refreshed by `OpenRouterModels`. */
  origin: 'seed' | 'listed' | 'override' | 'admin';
  /** Recorded with every charge, so a bill can be traced to the prices that made it. */
  priceVersion: string;
}

export interface ModelView {
  id: string;
  provider: string;
  model: string;
  aliases: readonly string[];
  ops: readonly string[];
  context_window: number | null;
  max_output_tokens: number | null;
  prices: unknown;
  tiers: unknown;
  enabled: boolean;
  fallbacks: readonly string[];
  /** Announced retirement (the model is still served): the shutdown date when known, and the model to move to. */
  deprecated: Deprecation | null;
  origin: CatalogModel['origin'];
  price_version: string;
}

const EDITABLE = ['enabled', 'prices', 'tiers', 'ops', 'aliases', 'context_window', 'max_output_tokens', 'fallbacks', 'deprecated', 'replacement'] as const;

/** Models and their USD prices: the seed files overlaid with admin overrides from the store. */
export class CatalogService {
  /** Told after an admin change of prices or models, so the other nodes re-read them at once. */
  changed?: () => void;

  private models: CatalogModel[] = [];
  private index = new Map<string, Map<string, CatalogModel>>();
  /** Per provider, the models its own list names (with their prices), between the seed and admin overrides. */
  private listed = new Map<string, { models: readonly SeedModel[]; version: string }>();

  constructor(
    private readonly seed: Seed,
    private readonly store: Store,
    private readonly providers: ProviderRegistry,
    private readonly clock: Clock,
  ) {
    for (const { entry } of seed.models) providers.checkModel(entry);
  }

  /** Re-reads admin overrides; called at boot and periodically, so changes made on other nodes apply. */
  async refresh(): Promise<void> {
    const merged = new Map<string, CatalogModel>();
    for (const { entry, wire } of this.seed.models) {
      merged.set(`${entry.provider}/${entry.id}`, { entry, wire, origin: 'seed', priceVersion: `seed:${digest(wire)}` });
    }
    for (const [provider, { models, version }] of this.listed) {
      for (const { entry, wire } of models) merged.set(`${provider}/${entry.id}`, { entry, wire, origin: 'listed', priceVersion: `${provider}-list:${version}` });
    }
    for (const row of await this.store.modelOverrides.all()) {
      const key = `${row.provider}/${row.model}`;
      try {
        const wire = JSON.parse(row.data) as Record<string, unknown>;
        const entry = parseModel(row.provider, wire, key);
        merged.set(key, { entry, wire, origin: merged.has(key) ? 'override' : 'admin', priceVersion: `admin:${row.updated_at}` });
      } catch {
        // A row the current code cannot read keeps the seed entry rather than taking the model away.
      }
    }
    this.models = [...merged.values()];
    this.index = buildIndex(this.models);
  }

  /**
   * Serves the models a provider's own list names (replacing that provider's previous list); a seed entry
   * of the same name gives way to the list, an admin override still wins. `version` names the list's prices.
   */
  async setListed(provider: string, models: readonly SeedModel[], version: string): Promise<void> {
    for (const { entry } of models) this.providers.checkModel(entry);
    this.listed.set(provider, { models, version });
    await this.refresh();
  }

  /** A model by provider and name (id or alias), enabled or not. */
  find(provider: string, name: string): CatalogModel | undefined {
    return this.index.get(provider)?.get(name);
  }

  list(): ModelView[] {
    return this.models.map(view);
  }

  get(ref: string): ModelView {
    const { provider, name } = this.parseRef(ref);
    const model = this.find(provider, name);
    if (!model) throw notFound(`Model ${ref} is not in the catalog.`);
    return view(model);
  }

  /** An operation the provider's dialect cannot carry is refused, as the registry refuses it at boot. */
  private refuseUnservedOps(entry: ModelEntry): void {
    try {
      this.providers.checkModel(entry);
    } catch {
      throw new EntryError('model.ops', `lists an operation the ${entry.provider} provider cannot serve`);
    }
  }

  /** Changes a model's prices or settings, or adds a model; the seed files are never edited. */
  async put(ref: string, input: unknown): Promise<ModelView> {
    const body = asObject(input);
    rejectUnknown(body, EDITABLE);
    const { provider, name } = this.parseRef(ref);
    const existing = this.find(provider, name);
    const id = existing?.entry.id ?? name;
    const wire = { ...(existing?.wire ?? {}), ...body, id };
    try {
      const entry = parseModel(provider, wire, 'model');
      this.refuseUnservedOps(entry);
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      const field = err.field.replace(/^model\./, '');
      throw badRequest(`'${field}' ${err.message.slice(err.field.length + 1)}`, field);
    }
    await this.store.modelOverrides.upsert({ provider, model: id, data: JSON.stringify(wire), updated_at: this.clock.now() });
    await this.refresh();
    this.changed?.();
    return this.get(`${provider}/${id}`);
  }

  private parseRef(ref: string): { provider: string; name: string } {
    const slash = ref.indexOf('/');
    const spec = slash > 0 ? this.providers.get(ref.slice(0, slash)) : undefined;
    if (!spec) throw new GatewayError('TG_ERR_NOT_FOUND', `Model ${ref} must be named "<provider>/<model>" with a known provider.`);
    return { provider: spec.id, name: ref.slice(slash + 1) };
  }
}

function buildIndex(models: readonly CatalogModel[]): Map<string, Map<string, CatalogModel>> {
  const index = new Map<string, Map<string, CatalogModel>>();
  for (const model of models) {
    let names = index.get(model.entry.provider);
    if (!names) index.set(model.entry.provider, (names = new Map()));
    names.set(model.entry.id, model);
  }
  // Aliases never shadow an id.
  for (const model of models) {
    const names = index.get(model.entry.provider)!;
    for (const alias of model.entry.aliases) if (!names.has(alias)) names.set(alias, model);
  }
  return index;
}

function view(model: CatalogModel): ModelView {
  const { entry, wire } = model;
  return {
    id: `${entry.provider}/${entry.id}`,
    provider: entry.provider,
    model: entry.id,
    aliases: entry.aliases,
    ops: entry.ops,
    context_window: entry.contextWindow,
    max_output_tokens: entry.maxOutputTokens,
    prices: wire['prices'] ?? {},
    tiers: wire['tiers'] ?? [],
    enabled: entry.enabled,
    fallbacks: entry.fallbacks,
    deprecated: entry.deprecated ?? null,
    origin: model.origin,
    price_version: model.priceVersion,
  };
}

function digest(wire: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([wire['prices'] ?? null, wire['tiers'] ?? null]))
    .digest('hex')
    .slice(0, 12);
}
