import type { Op } from '../core/ops.js';
import type { ProviderSpec } from './spec.js';

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
  authHeaders: (key) => ({ 'x-goog-api-key': key }),
};
