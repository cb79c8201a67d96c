import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The seed price catalog's files (data/catalog/*.json), read as plain JSON for the catalog tests. */
export const CATALOG_DIR = join(process.cwd(), 'data', 'catalog');
export const PROVIDERS = ['openai', 'anthropic', 'gemini', 'xai', 'deepseek'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type PriceMap = Record<string, unknown>;
export interface Tier extends PriceMap {
  above_input_tokens?: unknown;
}
export interface Model {
  id: unknown;
  aliases?: unknown;
  ops?: unknown;
  context_window?: unknown;
  max_output_tokens?: unknown;
  prices?: unknown;
  tiers?: unknown;
  off_peak?: unknown;
  deprecated?: unknown;
  replacement?: unknown;
  note?: unknown;
}
export interface Catalog {
  provider: unknown;
  currency: unknown;
  sources: unknown;
  models: unknown;
}

export function load(provider: Provider): Catalog {
  const text = readFileSync(join(CATALOG_DIR, `${provider}.json`), 'utf8');
  return JSON.parse(text) as Catalog;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function models(catalog: Catalog): Model[] {
  assert.ok(Array.isArray(catalog.models), 'models must be an array');
  return catalog.models as Model[];
}

export function names(model: Model): string[] {
  const aliases = Array.isArray(model.aliases) ? (model.aliases as unknown[]) : [];
  return [model.id, ...aliases].map(String);
}
