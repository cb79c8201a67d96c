import type { Op } from '../core/ops.js';
import { bearerAuth, type ProviderSpec } from './spec.js';

const CHAT_OPS: ReadonlySet<Op> = new Set<Op>(['chat', 'completions', 'responses']);

/** xAI, DeepSeek, OpenRouter: OpenAI's dialect at another address. */
function openAICompatible(id: string, envPrefix: string, defaultBaseUrl: string, ops: ReadonlySet<Op>, modelPrefixes: readonly string[]): ProviderSpec {
  return {
    id,
    aliases: [],
    envPrefix,
    defaultBaseUrl,
    mounts: [`/${id}`],
    versions: ['v1'],
    dialect: 'openai',
    ops,
    modelPrefixes,
    authHeaders: bearerAuth,
  };
}

export const xai: ProviderSpec = {
  ...openAICompatible('xai', 'XAI', 'https://api.x.ai', new Set<Op>(['chat', 'completions', 'responses', 'images.generate']), ['grok-']),
  nativeResponses: true,
};
export const deepseek = openAICompatible('deepseek', 'DEEPSEEK', 'https://api.deepseek.com', CHAT_OPS, ['deepseek-']);
export const openrouter: ProviderSpec = {
  ...openAICompatible('openrouter', 'OPENROUTER', 'https://openrouter.ai/api', new Set<Op>(['chat', 'completions', 'responses', 'embeddings']), []),
  reportsCost: true,
};

/**
 * An OpenAI-compatible upstream declared in the config file (vLLM, Ollama, LM Studio…): served on the
 * unified `/v1` only (no native mount), with a bearer key unless it was declared without one.
 */
export function customOpenAICompatible(id: string, baseUrl: string): ProviderSpec {
  return {
    ...openAICompatible(id, id.toUpperCase().replace(/-/g, '_'), baseUrl, new Set<Op>(['chat', 'completions', 'embeddings']), []),
    mounts: [],
    authHeaders: (key: string): Record<string, string> => (key ? bearerAuth(key) : {}),
  };
}
