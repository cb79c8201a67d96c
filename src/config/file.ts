import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ConfigError } from './env-parsers.js';

/** What the optional tollgate.yaml / tollgate.json may say: things env cannot say well. */
export interface FileProvider {
  apiKeys: string[];
  baseUrl?: string;
  /** `type: openai-compatible`: an upstream declared here (vLLM, Ollama…) with the models it serves. */
  custom?: { models: unknown[] };
}

export interface FileConfig {
  providers: Record<string, FileProvider>;
}

const CANDIDATES = ['tollgate.yaml', 'tollgate.yml', 'tollgate.json'];

/** Loaded only when a YAML file is present: most deployments never pay for the parser. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

export function findConfigFile(cwd: string, explicit: string | undefined): string | undefined {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`TOLLGATE_CONFIG points to a missing file: ${path}`);
    return path;
  }
  return CANDIDATES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

export function readConfigFile(path: string): FileConfig {
  let doc: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path}: cannot parse (${(err as Error).message})`);
  }
  if (doc === null || doc === undefined) return { providers: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${path}: top level must be a mapping`);
  const providersRaw = (doc as Record<string, unknown>)['providers'] ?? {};
  if (typeof providersRaw !== 'object' || providersRaw === null || Array.isArray(providersRaw)) {
    throw new ConfigError(`${path}: providers must be a mapping of provider id to settings`);
  }
  const providers: FileConfig['providers'] = {};
  for (const [id, value] of Object.entries(providersRaw as Record<string, unknown>)) {
    providers[id] = readProviderEntry(path, id, value);
  }
  return { providers };
}

function readProviderEntry(path: string, id: string, value: unknown): FileProvider {
  const where = `${path}: providers.${id}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where} must be a mapping`);
  const entry = value as Record<string, unknown>;
  const keys = entry['api_keys'] ?? (entry['api_key'] !== undefined ? [entry['api_key']] : []);
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k.trim() === '')) {
    throw new ConfigError(`${where}.api_keys must be a list of non-empty strings`);
  }
  const baseUrl = entry['base_url'];
  if (baseUrl !== undefined && typeof baseUrl !== 'string') throw new ConfigError(`${where}.base_url must be a string`);
  const type = entry['type'];
  if (type !== undefined && type !== 'openai-compatible') throw new ConfigError(`${where}.type must be "openai-compatible" (or absent for a built-in provider)`);
  const models = entry['models'];
  if (type === undefined && models !== undefined) throw new ConfigError(`${where}.models is only read for type: openai-compatible`);
  if (type !== undefined && (!Array.isArray(models) || models.length === 0)) throw new ConfigError(`${where}.models must list the models it serves`);
  return {
    apiKeys: keys.map((k: string) => k.trim()),
    ...(baseUrl ? { baseUrl } : {}),
    ...(type !== undefined ? { custom: { models: models as unknown[] } } : {}),
  };
}
