import type { Op } from '../core/ops.js';
import { bearerAuth, nativeSideOf, type NativeSubSurface, type ProviderSpec } from './spec.js';

/** Gemini's OpenAI-compatible endpoints: OpenAI's API (`/v1beta/openai/chat/completions` is OpenAI's `/v1/chat/completions`). */
const OPENAI_COMPATIBLE: readonly NativeSubSurface[] = [
  { prefix: '/v1beta/openai', dialect: 'openai', meteredAs: '/v1' },
  { prefix: '/v1/openai', dialect: 'openai', meteredAs: '/v1' },
];

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
  nativeSubSurfaces: OPENAI_COMPATIBLE,
  // The OpenAI-compatible endpoints take the key as OpenAI does; Gemini's own API as `x-goog-api-key`.
  authHeaders: (key, path) => (nativeSideOf(gemini, path).dialect === 'openai' ? bearerAuth(key) : { 'x-goog-api-key': key }),
};
