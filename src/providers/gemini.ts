import type { Op } from '../core/ops.js';
import { bearerAuth, type ProviderSpec } from './spec.js';

/** Gemini's OpenAI-compatible endpoints take the key as OpenAI does; its own API as `x-goog-api-key`. */
const OPENAI_COMPATIBLE = /^\/v1(?:beta)?\/openai\//;

export const gemini: ProviderSpec = {
  id: 'gemini',
  aliases: ['google'],
  envPrefix: 'GEMINI',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  mounts: ['/google'],
  versions: ['v1beta', 'v1'],
  dialect: 'gemini',
  ops: new Set<Op>(['chat', 'responses', 'embeddings']),
  modelPrefixes: ['gemini-', 'gemma-', 'text-embedding-004', 'embedding-'],
  authHeaders: (key, path) => (OPENAI_COMPATIBLE.test(path) ? bearerAuth(key) : { 'x-goog-api-key': key }),
};
