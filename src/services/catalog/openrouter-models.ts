import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/index.js';
import type { CatalogService } from './catalog-service.js';
import { modelsOfWires, openRouterModels } from './openrouter-list.js';
import type { SeedModel } from './seed.js';

/** The last good list, saved so a restart without the network still serves OpenRouter's models. */
const SAVED = 'catalog_list_openrouter';
const PROVIDER = 'openrouter';

export interface ListedModelsStatus {
  provider: string;
  /** Models served from the list (0 before any list was had). */
  models: number;
  /** Where they come from: fetched by this process, the copy saved by an earlier fetch, or none yet. */
  source: 'upstream' | 'saved' | 'none';
  fetched_at: string | null;
  last_attempt_at: string | null;
  /** Why the last fetch failed; null when it succeeded. */
  last_error: string | null;
}

export interface OpenRouterModelsOptions {
  catalog: CatalogService;
  store: Store;
  clock: Clock;
  log: Logger;
  /** OpenRouter's base (`https://openrouter.ai/api`); the list is `<base>/v1/models`. */
  baseUrl: string;
  key: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * OpenRouter's models, prices included, from its own list: fetched at boot and every refresh period,
 * served as catalog entries (`origin: listed`; admin overrides still win). A failed fetch keeps the last
 * good list (this process's, else the one saved in settings) and is logged and shown in `status()`.
 */
export class OpenRouterModels {
  private state: ListedModelsStatus = { provider: PROVIDER, models: 0, source: 'none', fetched_at: null, last_attempt_at: null, last_error: null };

  constructor(private readonly options: OpenRouterModelsOptions) {}

  status(): ListedModelsStatus {
    return { ...this.state };
  }

  /** Serves the saved list, if any; true when there was one. Never throws. */
  async loadSaved(): Promise<boolean> {
    try {
      const text = await this.options.store.settings.get(SAVED);
      if (!text) return false;
      const saved = JSON.parse(text) as { fetched_at?: string; models?: Array<Record<string, unknown>> };
      const { models } = modelsOfWires(saved.models ?? []);
      await this.serve(models);
      this.state = { ...this.state, models: models.length, source: 'saved', fetched_at: saved.fetched_at ?? null };
      return true;
    } catch (err) {
      this.options.log.warn({ err }, 'the saved OpenRouter models list could not be read');
      return false;
    }
  }

  /** Fetches the list and serves it; on failure the last good list stays. Never throws; true on success. */
  async refresh(): Promise<boolean> {
    const at = new Date(this.options.clock.now()).toISOString();
    this.state.last_attempt_at = at;
    try {
      const doc = await this.download();
      const { models, skipped } = openRouterModels(doc);
      if (models.length === 0) throw new Error('the models list named no model the gateway can serve');
      const saved = JSON.stringify({ fetched_at: at, models: models.map((m) => m.wire) });
      await this.serve(models);
      this.state = { ...this.state, models: models.length, source: 'upstream', fetched_at: at, last_error: null };
      await this.options.store.settings.set(SAVED, saved, this.options.clock.now()).catch((err: unknown) => {
        this.options.log.warn({ err }, 'saving the OpenRouter models list failed; it is served but a restart without the network will not have it');
      });
      this.options.log.info({ models: models.length, skipped }, 'OpenRouter models list loaded');
      return true;
    } catch (err) {
      this.state.last_error = (err as Error).message;
      this.options.log.warn({ err, kept: this.state.models }, 'fetching the OpenRouter models list failed; the last good list stays');
      return false;
    }
  }

  /** The price version is a digest of the models as listed, so an unchanged list keeps its version. */
  private serve(models: readonly SeedModel[]): Promise<void> {
    const version = createHash('sha256').update(JSON.stringify(models.map((m) => m.wire))).digest('hex').slice(0, 12);
    return this.options.catalog.setListed(PROVIDER, models, version);
  }

  private async download(): Promise<unknown> {
    const { baseUrl, key, timeoutMs = 15_000 } = this.options;
    const doFetch = this.options.fetch ?? fetch;
    const res = await doFetch(`${baseUrl.replace(/\/+$/, '')}/v1/models`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`GET /v1/models answered ${res.status}`);
    return (await res.json()) as unknown;
  }
}
