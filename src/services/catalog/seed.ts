import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntryError, parseModel, type ModelEntry } from './model-entry.js';

export interface SeedSource {
  url: string;
  retrieved: string;
  note?: string;
}

export interface SeedModel {
  entry: ModelEntry;
  /** The model object as written in the file, for views and for merging admin overrides into. */
  wire: Record<string, unknown>;
}

export interface Seed {
  models: SeedModel[];
  sources: Record<string, SeedSource[]>;
}

/** Reads `data/catalog/<provider>.json`; any flaw stops the boot with the file and field named. */
export function loadSeed(dir: string, knownProviders: ReadonlySet<string>): Seed {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const models: SeedModel[] = [];
  const sources: Record<string, SeedSource[]> = {};
  for (const file of files) {
    const path = join(dir, file);
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`price catalog ${path}: ${(err as Error).message}`);
    }
    const provider = doc['provider'];
    if (typeof provider !== 'string' || !knownProviders.has(provider)) {
      throw new Error(`price catalog ${path}: provider "${String(provider)}" is not a known provider`);
    }
    if (doc['currency'] !== undefined && doc['currency'] !== 'USD') throw new Error(`price catalog ${path}: currency must be USD`);
    sources[provider] = Array.isArray(doc['sources']) ? (doc['sources'] as SeedSource[]) : [];
    const list = doc['models'];
    if (!Array.isArray(list)) throw new Error(`price catalog ${path}: models must be a list`);
    const names = new Set<string>();
    list.forEach((raw, i) => {
      let entry: ModelEntry;
      try {
        entry = parseModel(provider, raw, `models[${i}]`);
      } catch (err) {
        if (err instanceof EntryError) throw new Error(`price catalog ${path}: ${err.message}`);
        throw err;
      }
      for (const name of [entry.id, ...entry.aliases]) {
        if (names.has(name)) throw new Error(`price catalog ${path}: "${name}" is declared twice`);
        names.add(name);
      }
      models.push({ entry, wire: raw as Record<string, unknown> });
    });
  }
  return { models, sources };
}

/**
 * The models of an upstream declared in the config file: each a name or a catalog model object (`ops`
 * default to chat). Unpriced ones are served only when unpriced models are allowed.
 */
export function customProviderModels(provider: string, models: readonly unknown[]): SeedModel[] {
  const names = new Set<string>();
  return models.map((raw, i) => {
    const wire: Record<string, unknown> = typeof raw === 'string' ? { id: raw } : { ...(raw as Record<string, unknown>) };
    if (wire['ops'] === undefined) wire['ops'] = ['chat'];
    let entry: ModelEntry;
    try {
      entry = parseModel(provider, wire, `providers.${provider}.models[${i}]`);
    } catch (err) {
      if (err instanceof EntryError) throw new Error(`config file: ${err.message}`);
      throw err;
    }
    if (names.has(entry.id)) throw new Error(`config file: providers.${provider}.models: "${entry.id}" is declared twice`);
    names.add(entry.id);
    return { entry, wire };
  });
}
